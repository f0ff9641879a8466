from django import forms

from measures import periods


class PublishForm(forms.Form):
    note = forms.CharField(
        label="What changed since the last version, and why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Readers see it beside the report as “Revised on …: note”. Required from version 2 on.",
    )

    def __init__(self, *args, number: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number
        if number == 1:
            self.fields["note"].label = "Note (optional for the first version)"

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if self.number > 1 and not note:
            raise forms.ValidationError(
                f"Version {self.number} revises a published report: say what changed and why."
            )
        return note


class CopyStructureForm(forms.Form):
    period = forms.CharField(
        label="The new report's quarter",
        max_length=20,
        help_text="A financial quarter, for example 2021-22-Q1.",
    )

    def clean_period(self):
        code = self.cleaned_data["period"]
        try:
            spec = periods.parse_period(code)
        except periods.InvalidPeriod as error:
            raise forms.ValidationError(str(error)) from error
        if spec.kind is not periods.PeriodKind.QUARTER:
            raise forms.ValidationError(f"“{spec.code}” is not a quarter: use a code such as 2021-22-Q1.")
        return spec.code
