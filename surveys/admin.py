"""Setting surveys up in the admin: surveys, waves, questions with their options and groups, and
which measures take their figures from which question.

Results are entered on the staff entry grid (surveys/views.py) or imported, never one row at a
time here: every change to them then feeds the linked measures (surveys/services.py). Changing a
wave's status or a measure's link here feeds them too.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from measures import periods
from measures.models import Period
from pccsite.admin_inlines import TabularInline
from surveys import services
from surveys.models import (
    Option,
    OptionGroup,
    Question,
    ResponseBase,
    Result,
    Segment,
    Survey,
    SurveyMeasure,
    Wave,
)


class SegmentInline(TabularInline):
    model = Segment
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "results_link"]
    list_filter = ["owner"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SegmentInline]

    @admin.display(description="Results")
    def results_link(self, survey):
        return format_html('<a href="{}">Enter or import results</a>', reverse("surveys:index"))


class WaveForm(forms.ModelForm):
    period_code = forms.CharField(
        label="Period", required=False,
        help_text="The period the wave's figures are filed under in linked measures: the month of the "
        "fieldwork, e.g. 2020-10, or 12 months, e.g. 12M-2020-12. Needed once the wave is completed.",
    )

    class Meta:
        model = Wave
        exclude = ["period"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.period_id:
            self.fields["period_code"].initial = self.instance.period.code

    def clean_period_code(self):
        code = self.cleaned_data["period_code"].strip()
        if not code:
            return None
        try:
            return periods.parse_period(code).code
        except periods.InvalidPeriod as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("period_code")
        self.instance.period = Period.objects.for_codes([code])[code] if code else None
        return cleaned

    def _update_errors(self, errors):
        # The model's checks name its "period"; on this form it is typed as "period_code".
        if hasattr(errors, "error_dict") and "period" in errors.error_dict:
            moved = errors.error_dict.pop("period")
            if "period_code" not in self.errors:
                errors.error_dict["period_code"] = moved
        super()._update_errors(errors)


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    form = WaveForm
    list_display = ["label", "survey", "period", "status", "respondents", "entry_link"]
    list_filter = ["survey", "status"]
    list_select_related = ["survey", "period"]
    fields = [
        "survey", "code", "label", "period_code", "fieldwork_start", "fieldwork_end",
        "respondents", "status", "status_reason", "notes",
    ]

    @admin.display(description="Results")
    def entry_link(self, wave):
        url = reverse("surveys:wave", args=[wave.survey.slug, wave.code])
        return format_html('<a href="{}">Enter results</a>', url)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A wave completed, suspended or withdrawn changes what its survey's measures show.
        questions = Question.objects.filter(survey=obj.survey).values_list("pk", flat=True)
        services.feed_measures(question_ids=list(questions), user=request.user)


class OptionInline(TabularInline):
    model = Option
    extra = 0


class OptionGroupForm(forms.ModelForm):
    class Meta:
        model = OptionGroup
        fields = ["code", "label", "options", "order"]

    def clean_code(self):
        code = self.cleaned_data["code"]
        question = getattr(self.instance, "question", None) if self.instance.question_id else None
        if question is not None and question.options.filter(code=code).exists():
            raise forms.ValidationError("An option of this question has this code: give the group another")
        return code


class OptionGroupInline(TabularInline):
    model = OptionGroup
    form = OptionGroupForm
    extra = 0

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "options":
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = Option.objects.filter(question_id=object_id) if object_id else Option.objects.none()
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "survey", "code", "kind"]
    list_filter = ["survey", "kind"]
    list_select_related = ["survey"]
    search_fields = ["text", "code"]
    inlines = [OptionInline, OptionGroupInline]

    def get_inlines(self, request, obj):
        # Groups are made of the question's options, so they can be chosen once those exist.
        return [OptionInline, OptionGroupInline] if obj is not None else [OptionInline]


class SurveyMeasureForm(forms.ModelForm):
    class Meta:
        model = SurveyMeasure
        fields = ["measure", "question", "option", "group"]
        help_texts = {
            "measure": "The measure's figures then come from the survey only: one per area and wave, "
            "and a figure no survey result gives becomes “not available”.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].label_from_instance = lambda o: f"{o.question.code}: {o.label}"
        self.fields["option"].queryset = Option.objects.select_related("question")
        self.fields["group"].label_from_instance = lambda g: f"{g.question.code}: {g.label}"
        self.fields["group"].queryset = OptionGroup.objects.select_related("question")


@admin.register(SurveyMeasure)
class SurveyMeasureAdmin(admin.ModelAdmin):
    form = SurveyMeasureForm
    list_display = ["measure", "question", "answer"]
    list_select_related = ["measure", "question", "option", "group"]
    search_fields = ["measure__code", "measure__name", "question__text"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.feed_measures(measure_ids=[obj.measure_id], user=request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Results change only through the grid and the import, which feed the linked measures."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ["wave", "question", "area", "segment", "answer", "percentage", "count", "rank"]
    list_filter = ["wave__survey", "wave", "area"]
    list_select_related = ["wave__survey", "question", "area", "segment", "option", "group"]


@admin.register(ResponseBase)
class ResponseBaseAdmin(ReadOnlyAdmin):
    list_display = ["wave", "question", "area", "segment", "respondents"]
    list_filter = ["wave__survey", "wave", "area"]
    list_select_related = ["wave__survey", "question", "area", "segment"]
