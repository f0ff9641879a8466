"""Surveys: who asks what, in which wave, and what each area answered.

A Survey runs in Waves. A Question has response Options in order and named OptionGroups ("good
or very good" = very good + good). A Result is one wave × question × area (× segment) × option or
group figure as entered or imported; group totals that were not entered are computed from their
options (surveys/statistics.py), never stored twice. A ResponseBase is the number of people who
answered a question in an area: the base of every percentage beside it, which decides the
confidence interval, the significance test and "too few responses".

A SurveyMeasure says that a measure takes its figures from a question's option or group: the
survey results are then written into the measure's Value rows (surveys/services.py), so the
current-measures table, arrows and significance come from the survey data.
The rules are written down in ``docs/adr/0008-survey-statistics.md``.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from measures.models import Area, Measure, Period


class Survey(models.Model):
    class Owner(models.TextChoices):
        OPCC = "opcc", "OPCC"
        FORCE = "force", "Police force"
        NATIONAL = "national", "National"
        COMMISSIONED = "commissioned-service", "Commissioned service"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True, help_text="Stable code used in imports.")
    owner = models.CharField(max_length=30, choices=Owner.choices)
    method_note = models.TextField(
        blank=True, help_text="How the survey is run: sample, mode, who is asked."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class WaveQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(status=Wave.Status.COMPLETED)

    def in_order(self):
        """Oldest first; waves without a period (never run) last."""
        return self.order_by(models.F("period__end").asc(nulls_last=True), "pk")


class Wave(models.Model):
    class Status(models.TextChoices):
        COMPLETED = "completed", "Completed"
        SUSPENDED = "suspended", "Suspended"
        UNPUBLISHED = "unpublished", "Not yet published"

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="waves")
    code = models.SlugField(max_length=40, help_text="Stable code used in imports, e.g. 2020-10.")
    label = models.CharField(max_length=100, help_text='As the report prints it, e.g. "October 2020".')
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The period the wave's figures are filed under in linked measures: the month of "
        "the fieldwork (2020-10), or 12 months (12M-2020-12) for a rolling survey.",
    )
    fieldwork_start = models.DateField(null=True, blank=True)
    fieldwork_end = models.DateField(null=True, blank=True)
    respondents = models.PositiveIntegerField(
        null=True, blank=True, help_text="Everyone who answered the survey in this wave."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNPUBLISHED)
    status_reason = models.CharField(
        max_length=300, blank=True,
        help_text='Why the wave was suspended, e.g. "suspended due to the pandemic".',
    )
    notes = models.TextField(blank=True)

    objects = WaveQuerySet.as_manager()

    class Meta:
        ordering = ["survey__order", models.F("period__end").asc(nulls_last=True), "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="wave_unique_code"),
            models.CheckConstraint(
                condition=~Q(status="suspended") | ~Q(status_reason=""),
                name="wave_suspended_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(period__isnull=False),
                name="wave_completed_has_period",
            ),
            models.CheckConstraint(
                condition=Q(fieldwork_start__isnull=True)
                | Q(fieldwork_end__isnull=True)
                | Q(fieldwork_start__lte=models.F("fieldwork_end")),
                name="wave_fieldwork_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.survey.name}: {self.label}"

    def clean(self):
        if self.status == self.Status.SUSPENDED and not self.status_reason.strip():
            raise ValidationError({"status_reason": "Say why the wave was suspended."})
        if self.status == self.Status.COMPLETED and self.period_id is None:
            raise ValidationError({"period": "A completed wave needs the period its figures are for."})
        if self.fieldwork_start and self.fieldwork_end and self.fieldwork_start > self.fieldwork_end:
            raise ValidationError({"fieldwork_end": "Fieldwork cannot end before it starts."})

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED


class Segment(models.Model):
    """A group of respondents a survey reports separately, e.g. victims of attended incidents.

    A linked measure gets the segment's figures as its breakdown with the same code.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="segments")
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="segment_unique_code")
        ]

    def __str__(self):
        return self.label


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice (options add up to 100% at most)"
        MULTIPLE = "multiple", "Multiple choice (respondents may pick several)"
        THEMES = "themes", "Themes from free text (counted categories)"
        INDICATOR = "indicator", "A single figure that is not a share of respondents"

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="questions")
    code = models.SlugField(max_length=80, help_text="Stable code used in imports.")
    text = models.CharField(max_length=500)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SINGLE)
    asked_of = models.CharField(
        max_length=300, blank=True,
        help_text='Who was asked, when not everyone, e.g. "respondents who had contact with the police".',
    )
    decimals = models.PositiveSmallIntegerField(
        default=0, help_text="Decimal places its percentages are printed with."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_unique_code")
        ]

    def __str__(self):
        return self.text

    @property
    def is_proportion(self) -> bool:
        """Whether its figures are shares of respondents, so intervals and tests apply."""
        return self.kind != self.Kind.INDICATOR

    @property
    def options_exclusive(self) -> bool:
        return self.kind == self.Kind.SINGLE


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(max_length=80)
    label = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="option_unique_code")
        ]

    def __str__(self):
        return self.label


class OptionGroup(models.Model):
    """Named options taken together, e.g. "satisfied" = very good + good + satisfactory."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(max_length=80)
    label = models.CharField(max_length=200)
    options = models.ManyToManyField(Option, related_name="groups", blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="optiongroup_unique_code")
        ]

    def __str__(self):
        return self.label


class ResponseBase(models.Model):
    """How many people answered a question in an area (and segment): the base (n)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="bases")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="bases")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    respondents = models.PositiveIntegerField()

    class Meta:
        ordering = ["wave", "question", "area__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "question", "area"], condition=Q(segment__isnull=True),
                name="responsebase_unique_whole",
            ),
            models.UniqueConstraint(
                fields=["wave", "question", "area", "segment"], condition=Q(segment__isnull=False),
                name="responsebase_unique_segment",
            ),
            models.CheckConstraint(condition=Q(respondents__gte=1), name="responsebase_positive"),
        ]

    def __str__(self):
        return f"n = {self.respondents}"


class ResultQuerySet(models.QuerySet):
    def for_question(self, question, waves=None):
        rows = self.filter(question=question)
        if waves is not None:
            rows = rows.filter(wave__in=waves)
        return rows


class Result(models.Model):
    """One figure: wave × question × area (× segment) × option or group, as entered.

    A themes question may record a category with a rank only, or with no figure at all (the
    report names it among the topics raised); everything else needs a percentage or a count.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="results")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="results")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, null=True, blank=True, related_name="results"
    )
    group = models.ForeignKey(
        OptionGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="results"
    )
    percentage = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["wave", "question", "area__order", "option__order", "group__order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(option__isnull=False, group__isnull=True)
                | Q(option__isnull=True, group__isnull=False),
                name="result_option_or_group",
            ),
            models.CheckConstraint(
                condition=Q(percentage__isnull=True)
                | Q(percentage__gte=0, percentage__lte=100),
                name="result_percentage_0_to_100",
            ),
            models.CheckConstraint(condition=Q(rank__isnull=True) | Q(rank__gte=1), name="result_rank_positive"),
            # One figure per wave, question, area, segment and option (or group).
            models.UniqueConstraint(
                fields=["wave", "question", "area", "option"],
                condition=Q(segment__isnull=True, option__isnull=False),
                name="result_unique_option",
            ),
            models.UniqueConstraint(
                fields=["wave", "question", "area", "group"],
                condition=Q(segment__isnull=True, group__isnull=False),
                name="result_unique_group",
            ),
            models.UniqueConstraint(
                fields=["wave", "question", "area", "segment", "option"],
                condition=Q(segment__isnull=False, option__isnull=False),
                name="result_unique_segment_option",
            ),
            models.UniqueConstraint(
                fields=["wave", "question", "area", "segment", "group"],
                condition=Q(segment__isnull=False, group__isnull=False),
                name="result_unique_segment_group",
            ),
        ]
        indexes = [models.Index(fields=["question", "wave"])]

    def __str__(self):
        return f"{self.wave_id} {self.question_id} {self.area_id} {self.option_id or self.group_id}"

    @property
    def answer(self):
        return self.option or self.group


class SurveyMeasure(models.Model):
    """A measure that takes its figures from a question's option or group.

    A measure may be fed by more than one question, e.g. the Your Views question while that
    survey runs and the Community Conversation question while it is suspended.
    """

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="survey_links")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="measure_links")
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        OptionGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["measure", "pk"]
        verbose_name = "measure fed by a survey"
        constraints = [
            models.UniqueConstraint(fields=["measure", "question"], name="surveymeasure_unique"),
            models.CheckConstraint(
                condition=Q(option__isnull=False, group__isnull=True)
                | Q(option__isnull=True, group__isnull=False),
                name="surveymeasure_option_or_group",
            ),
        ]

    def __str__(self):
        return f"{self.measure} ← {self.question} ({self.answer})"

    @property
    def answer(self):
        return self.option or self.group

    def clean(self):
        answer = self.option if self.option_id else self.group if self.group_id else None
        if answer is None:
            raise ValidationError("Choose the option or the group the measure takes.")
        if self.option_id and self.group_id:
            raise ValidationError("Choose an option or a group, not both.")
        if self.question_id and answer.question_id != self.question_id:
            raise ValidationError("The option or group must belong to the question.")
