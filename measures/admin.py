"""The admin for the framework and its figures: what OPCC performance staff work in every quarter.

Figures are imported through our own preview → confirm views rather than django-import-export's
admin import, whose per-row machinery is far too slow for a large framework (ADR 0005); exports
use django-import-export's resources and formats (measures/resources.py). Every write of figures
records who made it and queues a recalculation (measures/recalculation.py).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from jobs import running
from measures import importing, spreadsheets
from measures.models import (
    Area,
    Breakdown,
    Measure,
    Objective,
    Period,
    PrintedFigure,
    Priority,
    QualityFlag,
    Recalculation,
    Result,
    Value,
)
from measures.presenters import NOT_AVAILABLE, Unit, format_value
from measures.resources import FORMATS, MeasureResource, ValueResource, export_file
from measures.widgets import CellError, format_figure, parse_figure, parse_period_code
from organisations import roles
from pccsite.admin_inlines import TabularInline
from pccsite.audit import audit_context

# Files with more rows than this are imported by a Celery worker, with progress on a job row;
# smaller ones are imported in the request, so the analyst sees the result at once.
INLINE_IMPORT_ROWS = 2000
# A measure's change page edits its most recent figures only: with a large framework a measure
# has thousands, and a formset of thousands of rows is unusable (and slow to render).
RECENT_VALUES = 24
PREVIEW_ERRORS = 500
SESSION_KEY = "measures_pending_imports"


def _request_recalculation(measure_ids, user):
    from measures.recalculation import request_recalculation

    return request_recalculation(measure_ids, user=user)


def _job_link(job) -> str:
    if job is None:
        return ""
    return format_html(
        ' <a href="{}">Recalculation job {}</a> queued.', reverse("admin:jobs_job_change", args=[job.pk]), job.pk
    )


# Form fields with the importer's rules ----------------------------------------------------------


class FigureField(forms.CharField):
    """A figure typed as an analyst would: ``1,234``, ``12.5%``, ``n/a`` (not available, not 0)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"size": 12}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return format_figure(value) if isinstance(value, Decimal) else value

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return parse_figure(text or "")[0]
        except CellError as error:
            raise ValidationError(str(error)) from None


class PeriodCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "help_text",
            "A period code: 2020-12 (month), 2019-20 (financial year), 2020-21-Q3, 12M-2020-12, "
            "YTD-2020-12 or 2020-12-31 (a snapshot).",
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return text
        try:
            return parse_period_code(text)
        except CellError as error:
            raise ValidationError(str(error)) from None


class ValueForm(forms.ModelForm):
    """One figure. The period is typed as a code and created if new, as an import would."""

    period_code = PeriodCodeField(label="Period")
    value = FigureField(help_text="Leave empty, or type n/a, when the figure is not available: it is not zero.")
    numerator = FigureField()
    denominator = FigureField()

    class Meta:
        model = Value
        fields = ["measure", "area", "breakdown", "value", "numerator", "denominator", "note", "source", "data_as_at"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2, "cols": 40})}

    def __init__(self, *args, area_choices=None, breakdown_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.period_id:
            self.fields["period_code"].initial = self.instance.period.code
        if "breakdown" in self.fields:
            field = self.fields["breakdown"]
            field.queryset = field.queryset.select_related("measure")
            field.label_from_instance = lambda breakdown: f"{breakdown.measure.code}: {breakdown.label}"
            if breakdown_choices is not None:
                field.choices = breakdown_choices
        if area_choices is not None and "area" in self.fields:
            self.fields["area"].choices = area_choices

    def clean(self):
        cleaned = super().clean()
        measure = cleaned.get("measure") or (self.instance.measure if self.instance.measure_id else None)
        breakdown = cleaned.get("breakdown")
        area = cleaned.get("area")
        code = cleaned.get("period_code")
        if measure is None:
            return cleaned
        if breakdown is not None and breakdown.measure_id != measure.pk:
            self.add_error("breakdown", f"{breakdown.label} is a breakdown of another measure")
        value = cleaned.get("value")
        if measure.unit == Unit.PERCENTAGE and value is not None and not 0 <= value <= 100:
            self.add_error("value", f"{measure.code} is a percentage: the figure must be between 0 and 100")
        if area is not None and code and not self.errors:
            clashes = Value.objects.filter(
                measure=measure, area=area, breakdown=breakdown, period__code=code
            ).exclude(pk=self.instance.pk)
            if clashes.exists():
                raise ValidationError(
                    "There is already a figure for this measure, area, breakdown and period"
                )
        return cleaned

    def save(self, commit=True):
        code = self.cleaned_data["period_code"]
        self.instance.period = Period.objects.for_codes([code])[code]
        return super().save(commit=commit)


# Import and export views, shared by figures and the framework ----------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="CSV or Excel (.xlsx), laid out as in the exchange format. Nothing is written until you confirm.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            # Before the file is read: Django has spooled a large upload to disk, not memory.
            spreadsheets.check_size(upload.size)
        except spreadsheets.UnreadableFile as error:
            raise ValidationError(str(error)) from None
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError("Upload a .csv or .xlsx file")
        return upload


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[("csv", "CSV"), ("xlsx", "Excel (.xlsx)")], initial="csv", widget=forms.RadioSelect
    )


class ValueExportForm(ExportForm):
    period = PeriodCodeField(
        required=False, label="Only the period (optional)", help_text="For example 2020-21-Q3 or 12M-2020-12."
    )


class _ImportExport:
    """Import (preview → confirm) and export views for one kind: "values" or "measures".

    The confirm step trusts nothing from the browser: the upload stays on the server, named in
    the session, and is read again, checked against the hash taken at preview, and fully
    re-validated before anything is written.
    """

    def __init__(self, model_admin: admin.ModelAdmin, kind: str):
        self.model_admin = model_admin
        self.kind = kind
        self.noun = "figures" if kind == "values" else "measures"

    def urls(self, prefix: str):
        view = self.model_admin.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name=f"{prefix}_import"),
            path("import/confirm/", view(self.confirm_view), name=f"{prefix}_import_confirm"),
            path("export/", view(self.export_view), name=f"{prefix}_export"),
        ]

    def _check_import_access(self, request) -> None:
        model_admin = self.model_admin
        if not (
            roles.is_opcc_staff(request.user)
            and model_admin.has_add_permission(request)
            and model_admin.has_change_permission(request)
        ):
            raise PermissionDenied

    def _service(self):
        return importing.import_values if self.kind == "values" else importing.import_measures

    def _context(self, request, **extra):
        opts = self.model_admin.model._meta
        return {
            **self.model_admin.admin_site.each_context(request),
            "opts": opts,
            "noun": self.noun,
            "kind": self.kind,
            "title": f"Import {self.noun}",
            "import_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_import"),
            "confirm_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_import_confirm"),
            **extra,
        }

    def _render(self, request, **extra):
        return TemplateResponse(request, "admin/measures/import.html", self._context(request, **extra))

    def import_view(self, request):
        self._check_import_access(request)
        if request.method != "POST":
            return self._render(request, form=UploadForm())
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form=form)
        upload = form.cleaned_data["file"]
        content = upload.read()
        summary = self._service()(source=content, filename=upload.name, user=request.user, dry_run=True)
        pending = None
        if summary.ok and (summary.new or summary.changed):
            pending = importing.PendingUploads(request.session, SESSION_KEY).add(
                content, upload.name, kind=self.kind, rows=summary.rows, counts=summary.counts,
            )
        return self._render(
            request, form=UploadForm(), summary=summary, filename=upload.name, pending=pending,
            errors=summary.errors[:PREVIEW_ERRORS], more_errors=max(0, len(summary.errors) - PREVIEW_ERRORS),
        )

    def confirm_view(self, request):
        self._check_import_access(request)
        if request.method != "POST":
            return redirect(self._context(request)["import_url"])
        token = request.POST.get("token", "")
        uploads = importing.PendingUploads(request.session, SESSION_KEY)
        try:
            pending, content = uploads.take(token, request.POST.get("sha256", ""), kind=self.kind)
        except importing.UploadChanged as error:
            messages.error(request, f"{error}.")
            return redirect(self._context(request)["import_url"])

        if self.kind == "values" and pending["rows"] > INLINE_IMPORT_ROWS:
            from measures import tasks

            with transaction.atomic():
                job = running.enqueue(
                    tasks.import_values_file, kind="import",
                    description=f"Import figures from {pending['filename']}"[:300],
                    user=request.user, upload=pending["upload"], sha256=pending["sha256"],
                    filename=pending["filename"], user_id=request.user.pk,
                )
            uploads.forget(token)  # the job reads the stored file and deletes it
            messages.success(request, format_html(
                "Importing {} rows in the background: follow its progress on this job.", f"{pending['rows']:,}"
            ))
            return redirect("admin:jobs_job_change", job.pk)

        summary = self._service()(source=content, filename=pending["filename"], user=request.user)
        if summary.errors:
            # Something changed since the preview (a measure deleted, say): show what is wrong now.
            return self._render(
                request, form=UploadForm(), summary=summary, filename=pending["filename"], pending=None,
                errors=summary.errors[:PREVIEW_ERRORS], more_errors=max(0, len(summary.errors) - PREVIEW_ERRORS),
            )
        uploads.forget(token, delete=True)
        job = None
        if summary.job_id:
            job = apps.get_model("jobs", "Job").objects.filter(pk=summary.job_id).first()
        messages.success(request, format_html(
            "Imported {} from {}: {}.{}", self.noun, pending["filename"], summary.counts, _job_link(job)
        ))
        opts = self.model_admin.model._meta
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    def export_view(self, request):
        model_admin = self.model_admin
        if not (roles.is_opcc_staff(request.user) and model_admin.has_view_permission(request)):
            raise PermissionDenied
        # The changelist's filters and search, from the query string the export link carries.
        queryset = model_admin.get_changelist_instance(request).get_queryset(request)
        form_class = ValueExportForm if self.kind == "values" else ExportForm
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if form.cleaned_data.get("period"):
                queryset = queryset.filter(period__code=form.cleaned_data["period"])
            file_format = form.cleaned_data["format"]
            resource = ValueResource() if self.kind == "values" else MeasureResource()
            data = export_file(resource, queryset, file_format)
            response = HttpResponse(data, content_type=FORMATS[file_format]().get_content_type())
            stem = "figures" if self.kind == "values" else "framework"
            response["Content-Disposition"] = (
                f'attachment; filename="{stem}-{timezone.localdate().isoformat()}.{file_format}"'
            )
            return response
        return TemplateResponse(request, "admin/measures/export.html", {
            **self._context(request),
            "title": f"Export {self.noun}",
            "form": form,
            "count": queryset.count(),
            "query_string": request.GET.urlencode(),
        })


# Filters ----------------------------------------------------------------------------------------


class PeriodFilter(admin.SimpleListFilter):
    """Periods of the chosen kind, or the most recent ones: a framework has hundreds of periods."""

    title = "period"
    parameter_name = "period"
    RECENT = 24

    def lookups(self, request, model_admin):
        kind = request.GET.get("period__kind__exact")
        periods_shown = Period.objects.order_by("-end", "-start")
        periods_shown = periods_shown.filter(kind=kind) if kind else periods_shown[: self.RECENT]
        return [(period.code, period.label) for period in periods_shown]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(period__code=self.value())
        return queryset


# Framework --------------------------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Computed or generated rows: staff look, the app writes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "population", "order"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]
    ordering = ["order", "name"]


class ObjectiveInline(TabularInline):
    model = Objective
    fields = ["name", "order"]
    extra = 0


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ObjectiveInline]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["name", "priority", "order"]
    list_filter = ["priority"]
    list_select_related = ["priority"]
    search_fields = ["name", "priority__name"]


class BreakdownInline(TabularInline):
    model = Breakdown
    fields = ["code", "label", "order"]
    extra = 0


class RecentValuesFormSet(BaseInlineFormSet):
    """The measure's most recent figures only, with every choice list loaded once, not per row."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._area_choices = [("", "---------")] + [(area.pk, str(area)) for area in Area.objects.all()]
        self._breakdown_choices = [("", "(the whole)")] + [
            (breakdown.pk, f"{self.instance.code}: {breakdown.label}")
            for breakdown in Breakdown.objects.filter(measure_id=self.instance.pk)
        ]

    def get_queryset(self):
        if not hasattr(self, "_recent"):
            queryset = super().get_queryset()
            recent = list(
                queryset.order_by("-period__end", "-period__start", "area__order", "breakdown__order", "pk")
                .values_list("pk", flat=True)[:RECENT_VALUES]
            )
            self._recent = (
                queryset.filter(pk__in=recent)
                .select_related("period", "area", "breakdown")
                .order_by("-period__end", "-period__start", "area__order", "breakdown__order", "pk")
            )
        return self._recent

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs.update(area_choices=self._area_choices, breakdown_choices=self._breakdown_choices)
        return kwargs


class RecentValueInline(TabularInline):
    model = Value
    form = ValueForm
    formset = RecentValuesFormSet
    fields = ["period_code", "area", "breakdown", "value", "numerator", "denominator", "note"]
    extra = 1
    verbose_name = "figure"
    verbose_name_plural = f"Most recent figures (up to {RECENT_VALUES}; all of them are under “All figures” above)"


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "objective", "unit", "polarity", "is_headline", "is_new"]
    list_filter = ["objective__priority", "objective", "unit", "polarity", "is_headline"]
    list_select_related = ["objective__priority"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["numerator", "denominator"]
    readonly_fields = ["all_figures"]
    actions = ["recalculate"]
    fieldsets = [
        (None, {"fields": ["objective", "code", "name", "definition", "source", "all_figures"]}),
        ("How figures read", {"fields": ["unit", "decimals", "polarity", "aggregation", "comparison", "band"]}),
        ("In the report", {"fields": ["is_headline", "is_new", "districts_sum", "order"]}),
        ("Formula (leave empty unless computed from two other measures)", {
            "fields": ["numerator", "denominator", "factor"],
        }),
    ]

    def get_inlines(self, request, obj):
        return [BreakdownInline, RecentValueInline] if obj is not None else [BreakdownInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("objective__priority")

    @admin.display(description="All figures")
    def all_figures(self, measure):
        if measure.pk is None:
            return "None yet"
        count = Value.objects.filter(measure=measure).count()
        url = reverse("admin:measures_value_changelist") + f"?measure__id__exact={measure.pk}"
        return format_html('<a href="{}">{} figure{}</a>', url, f"{count:,}", "" if count == 1 else "s")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            *_ImportExport(self, "measures").urls("measures_measure"),
            path("recalculate-all/", view(self.recalculate_all_view), name="measures_measure_recalculate_all"),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.has_changed():
            _request_recalculation([obj.pk], request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Value:
            return super().save_formset(request, form, formset, change)
        with audit_context(source="admin"):
            instances = formset.save(commit=False)
            for value in instances:
                value.entered_by = request.user
                value.save()
            for value in formset.deleted_objects:
                value.delete()
        if instances or formset.deleted_objects:
            _request_recalculation([form.instance.pk], request.user)

    @admin.action(description="Recalculate the selected measures")
    def recalculate(self, request, queryset):
        job = _request_recalculation(list(queryset.values_list("pk", flat=True)), request.user)
        messages.success(request, format_html("Recalculation requested.{}", _job_link(job)))

    def recalculate_all_view(self, request):
        if not (roles.is_opcc_staff(request.user) and self.has_change_permission(request)):
            raise PermissionDenied
        if request.method == "POST":
            from measures.recalculation import request_full_recalculation

            jobs = request_full_recalculation(user=request.user)
            if not jobs:
                messages.info(request, "There are no measures to recalculate.")
                return redirect("admin:measures_measure_changelist")
            messages.success(request, (
                f"Recalculating every measure in {len(jobs)} job{'s' if len(jobs) != 1 else ''}, "
                "run side by side: follow their progress here."
            ))
            return redirect(reverse("admin:jobs_job_changelist") + "?kind__exact=recalculate")
        return TemplateResponse(request, "admin/measures/recalculate_all.html", {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Recalculate every measure",
            "measure_count": Measure.objects.count(),
        })


# Figures ----------------------------------------------------------------------------------------


@admin.register(Value)
class ValueAdmin(admin.ModelAdmin):
    form = ValueForm
    list_display = ["measure_code", "area", "breakdown", "period", "figure", "short_note", "entered_by", "updated_at"]
    list_filter = ["measure__objective__priority", "area", "period__kind", PeriodFilter]
    list_select_related = ["measure", "area", "breakdown", "period", "entered_by"]
    search_fields = ["measure__code", "measure__name"]
    search_help_text = "Search by measure code or name."
    autocomplete_fields = ["measure"]
    readonly_fields = ["entered_by", "updated_at"]
    fields = [
        "measure", "area", "breakdown", "period_code", "value", "numerator", "denominator",
        "note", "source", "data_as_at", "entered_by", "updated_at",
    ]
    show_full_result_count = False  # one COUNT(*) fewer over hundreds of thousands of rows
    list_per_page = 100

    @admin.display(description="Measure", ordering="measure__code")
    def measure_code(self, value):
        return value.measure.code

    @admin.display(description="Figure", ordering="value")
    def figure(self, value):
        return format_value(value.value, unit=value.measure.unit, decimals=value.measure.decimals)

    @admin.display(description="Note")
    def short_note(self, value):
        return value.note if len(value.note) <= 60 else value.note[:59] + "…"

    def get_urls(self):
        return [*_ImportExport(self, "values").urls("measures_value"), *super().get_urls()]

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        with audit_context(source="admin"):
            super().save_model(request, obj, form, change)
        job = _request_recalculation([obj.measure_id], request.user)
        # Said even when the broker is away: the job and the outbox mark are saved with the figure.
        messages.info(request, format_html("The results computed from this figure will be recalculated.{}", _job_link(job)))

    def delete_model(self, request, obj):
        measure_id = obj.measure_id
        with audit_context(source="admin"):
            super().delete_model(request, obj)
        _request_recalculation([measure_id], request.user)

    def delete_queryset(self, request, queryset):
        measure_ids = set(queryset.values_list("measure_id", flat=True))
        with audit_context(source="admin"):
            super().delete_queryset(request, queryset)
        _request_recalculation(measure_ids, request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "value_history": value_history(object_id)}
        return super().change_view(request, object_id, form_url, extra_context)


_HISTORY_FIELDS = [
    ("value", "value"), ("numerator", "numerator"), ("denominator", "denominator"),
    ("note", "note"), ("source", "source"), ("data_as_at", "data as at"),
    ("period_id", "period"), ("area_id", "area"), ("breakdown_id", "breakdown"),
]


def value_history(object_id) -> list[dict]:
    """The figure's changes, newest first, from pghistory's events: who, when, how, old → new."""
    ValueEvent = apps.get_model("measures", "ValueEvent")
    try:
        events = list(
            ValueEvent.objects.filter(pgh_obj_id=int(object_id))
            .select_related("pgh_context")
            .order_by("pgh_created_at", "pgh_id")
        )
    except (TypeError, ValueError):
        return []
    user_ids = {
        event.pgh_context.metadata.get("user") for event in events if event.pgh_context is not None
    } - {None}
    users = {user.pk: user.get_username() for user in get_user_model().objects.filter(pk__in=user_ids)}
    rows = []
    previous = None
    for event in events:
        metadata = event.pgh_context.metadata if event.pgh_context is not None else {}
        changes = []
        for attribute, label in _HISTORY_FIELDS:
            new = getattr(event, attribute)
            old = getattr(previous, attribute) if previous is not None else None
            if previous is None and event.pgh_label == "insert":
                if attribute in {"value", "note"}:
                    changes.append({"field": label, "old": "", "new": _shown(new, attribute)})
            elif previous is not None and old != new:
                changes.append({"field": label, "old": _shown(old, attribute), "new": _shown(new, attribute)})
        who = metadata.get("username") or users.get(metadata.get("user")) or "unknown"
        how = metadata.get("source") or metadata.get("url") or ""
        rows.append({
            "when": event.pgh_created_at, "who": who, "how": how,
            "what": {"insert": "created", "update": "changed", "delete": "deleted"}.get(event.pgh_label, event.pgh_label),
            "changes": changes,
        })
        previous = event
    rows.reverse()
    return rows


def _shown(value, attribute: str) -> str:
    if attribute in {"value", "numerator", "denominator"}:
        return format_figure(value) or NOT_AVAILABLE
    if value is None or value == "":
        return "(empty)"
    return str(value)


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "label", "start", "end"]
    list_filter = ["kind"]
    search_fields = ["code", "label"]
    ordering = ["-end", "start"]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = [
        "measure", "area", "breakdown", "period", "comparison_period", "status",
        "current", "previous", "direction", "judgement", "significant", "computed_at",
    ]
    list_filter = ["status", "judgement", "measure__objective__priority", "area", "period__kind"]
    list_select_related = ["measure", "area", "breakdown", "period", "comparison_period"]
    search_fields = ["measure__code", "measure__name"]
    show_full_result_count = False


@admin.register(QualityFlag)
class QualityFlagAdmin(ReadOnlyAdmin):
    """"Data quality": every flag on one page, so staff see the whole list before publishing."""

    list_display = ["measure", "area", "breakdown", "period", "kind", "given", "expected", "message"]
    list_filter = ["kind", "measure__objective__priority", "area"]
    list_select_related = ["measure", "area", "breakdown", "period"]
    search_fields = ["measure__code", "measure__name", "message"]
    list_per_page = 5000
    list_max_show_all = 20000

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "title": "Data quality"})


@admin.register(PrintedFigure)
class PrintedFigureAdmin(admin.ModelAdmin):
    """Differences as an earlier document printed them; recalculation flags the wrong ones."""

    list_display = ["measure", "area", "breakdown", "period", "figure", "printed", "source"]
    list_select_related = ["measure", "area", "breakdown", "period"]
    list_filter = ["figure"]
    search_fields = ["measure__code", "measure__name", "source"]
    autocomplete_fields = ["measure"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from measures.recalculation import request_recalculation

        request_recalculation([obj.measure_id], user=request.user)  # re-check it


@admin.register(Recalculation)
class RecalculationAdmin(ReadOnlyAdmin):
    list_display = ["measure", "requested_at"]
    list_select_related = ["measure"]
    search_fields = ["measure__code"]
    ordering = ["requested_at"]
