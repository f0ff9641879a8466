"""The partner's update form (words, KPI lines, quotations) and the reviewer's forms.

The forms clean what partners type into a services.UpdateContent; the services store it. KPI lines
and quotations are formsets with one blank row to fill in, so the page works without JavaScript.
"""

from __future__ import annotations

from django import forms
from django.forms import BaseFormSet, formset_factory

from delivery import markdown
from delivery.models import KPI_VALUE_MESSAGE, QUARTERS, Quotation, is_kpi_value
from delivery.services import KpiData, QuotationData, UpdateContent
from measures.models import Area
from organisations.models import Organisation

MAX_KPIS = 20
MAX_QUOTATIONS = 10


class UpdateForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        help_text="A short heading for this topic, like “MARAC Navigator project”.",
        error_messages={"required": "Enter a title", "max_length": "Title must be 200 characters or fewer"},
    )
    district = forms.ModelChoiceField(
        queryset=Area.objects.none(),
        required=False,
        empty_label="Not one district",
        help_text="Which district this update is about, if it is about one.",
    )
    body = forms.CharField(
        label="Update",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=markdown.HELP_TEXT,
        error_messages={"required": "Enter the update"},
    )
    key_facts = forms.CharField(
        label="Key facts (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One fact per line. They are shown as a bulleted list.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # Only commissioned services serve more than one district; a partnership's district is
        # its own and the force's updates belong to no district.
        if organisation.kind == Organisation.Kind.COMMISSIONED_SERVICE:
            self.fields["district"].queryset = Area.objects.filter(parent__isnull=False)
        else:
            del self.fields["district"]

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Enter the update")
        return body


class KpiForm(forms.Form):
    label = forms.CharField(
        max_length=300,
        required=False,
        help_text="What is measured, like “% of successful completions from caseload”.",
    )
    q1 = forms.CharField(label="Q1", max_length=30, required=False)
    q2 = forms.CharField(label="Q2", max_length=30, required=False)
    q3 = forms.CharField(label="Q3", max_length=30, required=False)
    q4 = forms.CharField(label="Q4", max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in QUARTERS:
            self.fields[name].widget.attrs["class"] = "govuk-input--width-5"

    @property
    def number(self) -> int:
        return int(self.prefix.rsplit("-", 1)[1]) + 1

    def clean(self):
        cleaned = super().clean()
        values = {name: (cleaned.get(name) or "").strip() for name in QUARTERS}
        for name, value in values.items():
            if value and not is_kpi_value(value):
                self.add_error(
                    name, f"Enter the {name.upper()} value of KPI line {self.number} as {KPI_VALUE_MESSAGE}"
                )
        label = (cleaned.get("label") or "").strip()
        if label and not any(values.values()):
            self.add_error("q1", f"Enter at least one quarter’s value for KPI line {self.number}")
        if any(values.values()) and not label:
            self.add_error("label", f"Enter what KPI line {self.number} measures")
        return cleaned


class QuotationForm(forms.Form):
    text = forms.CharField(
        label="Quotation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The words as said or written. Plain text: no formatting.",
    )
    attribution = forms.CharField(
        label="Who said it (optional)",
        max_length=200,
        required=False,
        help_text="Leave empty to show the quotation as anonymous.",
    )
    kind = forms.ChoiceField(
        label="Who is quoted",
        choices=Quotation.Kind.choices,
        initial=Quotation.Kind.PARTNER,
        widget=forms.RadioSelect,
        required=False,
    )

    @property
    def number(self) -> int:
        return int(self.prefix.rsplit("-", 1)[1]) + 1

    def has_changed(self):
        # The radios always send a value; only the words say whether the row was filled in.
        return bool((self.data.get(self.add_prefix("text")) or "").strip()
                    or (self.data.get(self.add_prefix("attribution")) or "").strip()) or bool(self.initial)

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("attribution") or "").strip() and not (cleaned.get("text") or "").strip():
            self.add_error("text", f"Enter the words of quotation {self.number}")
        return cleaned


class _RowFormSet(BaseFormSet):
    delete_label = "Remove"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = self.delete_label


class KpiFormSet(_RowFormSet):
    delete_label = "Remove this KPI line"


class QuotationFormSet(_RowFormSet):
    delete_label = "Remove this quotation"


KpiFormSetFactory = formset_factory(
    KpiForm, formset=KpiFormSet, extra=1, can_delete=True, can_delete_extra=False,
    max_num=MAX_KPIS, validate_max=True,
)
QuotationFormSetFactory = formset_factory(
    QuotationForm, formset=QuotationFormSet, extra=1, can_delete=True, can_delete_extra=False,
    max_num=MAX_QUOTATIONS, validate_max=True,
)


def _kept(formset) -> list[dict]:
    return [
        form.cleaned_data
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class UpdateForms:
    """The update form and its two formsets, bound or not, validated and rendered together."""

    def __init__(self, data=None, *, organisation, update=None):
        initial, kpis, quotations = None, [], []
        if update is not None:
            initial = {
                "title": update.title, "body": update.body, "key_facts": update.key_facts,
                "district": update.district_id, "version": update.version,
            }
            kpis = [{"label": k.label, **{q: getattr(k, q) for q in QUARTERS}} for k in update.kpis.all()]
            quotations = [
                {"text": q.text, "attribution": q.attribution, "kind": q.kind} for q in update.quotations.all()
            ]
        self.form = UpdateForm(data, organisation=organisation, initial=initial)
        self.kpis = KpiFormSetFactory(data, initial=kpis or None, prefix="kpis")
        self.quotations = QuotationFormSetFactory(data, initial=quotations or None, prefix="quotations")

    def is_valid(self) -> bool:
        # Evaluate all three, so every error shows at once.
        results = [self.form.is_valid(), self.kpis.is_valid(), self.quotations.is_valid()]
        return all(results)

    @property
    def is_bound(self) -> bool:
        return self.form.is_bound

    @property
    def expected_version(self) -> int | None:
        return self.form.cleaned_data.get("version")

    def content(self) -> UpdateContent:
        data = self.form.cleaned_data
        return UpdateContent(
            title=data["title"].strip(),
            body=data["body"].strip(),
            key_facts=data.get("key_facts", "").strip(),
            district=data.get("district"),
            kpis=tuple(
                KpiData(label=row["label"].strip(), **{q: (row.get(q) or "").strip() for q in QUARTERS})
                for row in _kept(self.kpis)
                if (row.get("label") or "").strip()
            ),
            quotations=tuple(
                QuotationData(
                    text=row["text"].strip(), attribution=(row.get("attribution") or "").strip(),
                    kind=row.get("kind") or Quotation.Kind.PARTNER,
                )
                for row in _kept(self.quotations)
                if (row.get("text") or "").strip()
            ),
        )

    def add_error(self, message: str) -> None:
        self.form.add_error(None, message)

    @property
    def errors(self) -> "ErrorSummary":
        return ErrorSummary(self)


class ErrorSummary:
    """What components/error_summary.html needs, gathered from the form and both formsets."""

    def __init__(self, forms_: UpdateForms):
        self.non_field_errors = list(forms_.form.non_field_errors())
        for field in forms_.form.hidden_fields():
            self.non_field_errors.extend(field.errors)
        for formset in (forms_.kpis, forms_.quotations):
            self.non_field_errors.extend(formset.non_form_errors())
        self.visible_fields = list(forms_.form.visible_fields())
        for formset in (forms_.kpis, forms_.quotations):
            for form in formset.forms:
                self.visible_fields.extend(form.visible_fields())

    def __bool__(self) -> bool:
        return bool(self.non_field_errors) or any(field.errors for field in self.visible_fields)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The partner sees this comment with their update.",
        error_messages={"required": "Enter a comment saying what needs to change"},
    )

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError("Enter a comment saying what needs to change")
        return comment


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to the partner with the approval.",
    )


class QuarterChoiceForm(forms.Form):
    quarter = forms.ChoiceField(label="Quarter", required=False)

    def __init__(self, *args, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [(r.period.code, r.period.label) for r in rounds]
