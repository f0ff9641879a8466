"""The performance framework, its figures, and the results computed from them.

Plan priority → objective → measure is the framework. A Value is one figure as entered or
imported; "not available" is a null value, never a zero. A Result is computed (measures/
calculation.py) and stored, so every page and export renders the same rows. A QualityFlag records
where a typed-in figure disagrees with what its inputs give.
"""

from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from measures import periods
from measures.arithmetic import Direction, Judgement, Method, Polarity
from measures.presenters import Unit


class Area(models.Model):
    """A force area or a district within it, kept as data so another force adds its own."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Priority(models.Model):
    """A plan priority, e.g. "Tackle crime and anti-social behaviour"; a section of the report."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "priorities"

    def __str__(self):
        return self.name


class Objective(models.Model):
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="objectives")
    name = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["priority__order", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "name"], name="objective_unique_name")
        ]

    def __str__(self):
        return self.name


class MeasureQuerySet(models.QuerySet):
    def in_framework_order(self):
        return self.select_related("objective__priority").order_by(
            "objective__priority__order", "objective__order", "order", "code"
        )

    def headline(self):
        return self.filter(is_headline=True)

    def depending_on(self, measure_ids):
        """Measures computed from any of these (as numerator or denominator)."""
        return self.filter(Q(numerator_id__in=measure_ids) | Q(denominator_id__in=measure_ids))


class Measure(models.Model):
    class Aggregation(models.TextChoices):
        SUM = "sum", "Sum (counts of events)"
        LATEST = "latest", "Latest (snapshots)"
        NONE = "none", "None (rates, percentages, survey results)"

    code = models.SlugField(
        max_length=80, unique=True, help_text="Stable code used in imports; never reused."
    )
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="measures")
    name = models.CharField(max_length=300)
    definition = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=20, choices=[(unit.value, unit.value) for unit in Unit])
    decimals = models.PositiveSmallIntegerField(default=0)
    polarity = models.CharField(
        max_length=10,
        choices=[
            (Polarity.LOWER_IS_BETTER, "Lower is better"),
            (Polarity.HIGHER_IS_BETTER, "Higher is better"),
            (Polarity.MONITOR, "Monitor only"),
        ],
    )
    aggregation = models.CharField(max_length=10, choices=Aggregation.choices)
    comparison = models.CharField(
        max_length=20,
        choices=[(basis.value, basis.value.replace("-", " ").capitalize()) for basis in periods.Basis],
        help_text="What the headline figure is compared with.",
    )
    band = models.DecimalField(
        max_digits=8,
        decimal_places=3,
        default=Decimal("1"),
        help_text="No real change: within this many per cent (counts) or points (percentages).",
    )
    is_new = models.BooleanField("new measure", default=False)
    is_headline = models.BooleanField(
        "in the current measures table", default=False
    )
    districts_sum = models.BooleanField(
        "districts add up to the force", default=False,
        help_text="Flag a force figure that is not the sum of its districts.",
    )
    numerator = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    denominator = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    factor = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["objective__priority__order", "objective__order", "order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(numerator__isnull=True, denominator__isnull=True, factor__isnull=True)
                    | Q(numerator__isnull=False, denominator__isnull=False, factor__isnull=False)
                ),
                name="measure_formula_complete",
            ),
            models.CheckConstraint(condition=Q(band__gte=0), name="measure_band_not_negative"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("measures:detail", args=[self.code])

    @property
    def is_proportion(self) -> bool:
        """Percentages and rates differ in points; counts in per cent."""
        return self.unit in {Unit.PERCENTAGE, Unit.RATE}

    @property
    def is_count(self) -> bool:
        return self.unit == Unit.COUNT

    @property
    def has_formula(self) -> bool:
        return self.numerator_id is not None


class Breakdown(models.Model):
    """A category within a measure (victim under 25, cohort 1, officers...)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="breakdowns")
    code = models.SlugField(max_length=80)
    label = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["measure", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "code"], name="breakdown_unique_code")
        ]

    def __str__(self):
        return self.label


class PeriodQuerySet(models.QuerySet):
    def for_codes(self, codes) -> dict[str, "Period"]:
        """Periods by code, creating those not yet stored. Codes must be valid."""
        parsed = {code: periods.parse_period(code) for code in set(codes)}
        canonical = {spec.code for spec in parsed.values()}
        found = {period.code: period for period in self.filter(code__in=canonical)}
        missing = [Period.from_spec(spec) for spec in {s.code: s for s in parsed.values()}.values()
                   if spec.code not in found]
        if missing:
            self.bulk_create(missing, ignore_conflicts=True)
            found = {period.code: period for period in self.filter(code__in=canonical)}
        return {code: found[spec.code] for code, spec in parsed.items()}


class Period(models.Model):
    """A period as the data format names it (measures/periods.py holds the rules)."""

    code = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=20, choices=[(kind.value, kind.value) for kind in periods.PeriodKind])
    start = models.DateField()
    end = models.DateField()
    label = models.CharField(max_length=60)
    short_label = models.CharField(max_length=30)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["end", "start"]

    def __str__(self):
        return self.label

    @classmethod
    def from_spec(cls, spec: periods.Period) -> "Period":
        return cls(
            code=spec.code, kind=spec.kind, start=spec.start, end=spec.end,
            label=spec.label, short_label=spec.short_label,
        )

    @property
    def spec(self) -> periods.Period:
        return periods.parse_period(self.code)


def one_per_key(name: str) -> list[models.UniqueConstraint]:
    """One row per measure, area, breakdown and period, and one for the whole (no breakdown).

    Two partial constraints, because NULL breakdowns never collide in a plain unique constraint.
    """
    return [
        models.UniqueConstraint(
            fields=["measure", "area", "breakdown", "period"],
            condition=Q(breakdown__isnull=False),
            name=f"{name}_unique_with_breakdown",
        ),
        models.UniqueConstraint(
            fields=["measure", "area", "period"],
            condition=Q(breakdown__isnull=True),
            name=f"{name}_unique_whole",
        ),
    ]


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
    fields=[
        "measure", "area", "breakdown", "period",
        "value", "numerator", "denominator", "note", "source", "data_as_at",
    ],
    model_name="ValueEvent",
    # Statement-level triggers record every row through transition tables: the same history,
    # without a trigger call per row, which matters for 100,000-row imports (bench/RESULTS.md).
    level=pghistory.Statement,
)
class Value(models.Model):
    """One figure: measure × area × breakdown × period. A null value means "not available"."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="values")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="values")
    breakdown = models.ForeignKey(
        Breakdown, on_delete=models.PROTECT, null=True, blank=True, related_name="values",
        help_text="Empty means the whole.",
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(
        max_digits=20, decimal_places=6, null=True, blank=True,
        help_text="Leave empty when the figure is not available (it is not zero).",
    )
    numerator = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    note = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)
    data_as_at = models.DateField("data as at", null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["measure", "area__order", "breakdown__order", "period__end"]
        constraints = one_per_key("value")
        indexes = [models.Index(fields=["measure", "period"])]

    def __str__(self):
        return f"{self.measure.code} {self.area.code} {self.period.code}"

    @property
    def is_available(self) -> bool:
        return self.value is not None


class ResultQuerySet(models.QuerySet):
    def public(self):
        """The results the public may see: every public page reads figures through here.

        A figure is public once a report has been published after its period ended: its period
        ends on or before the day of the latest published version. So a quarter's figures appear
        with that quarter's report (snapshots dated in the weeks before publication included),
        and with nothing published, nothing is public. One subquery: query counts do not change.
        """
        from django.apps import apps
        from django.db.models.functions import TruncDate

        latest = (
            apps.get_model("reports", "ReportVersion").objects
            .filter(report__status="published")
            .order_by("-published_at")
            .annotate(day=TruncDate("published_at"))
            .values("day")[:1]
        )
        return self.filter(period__end__lte=models.Subquery(latest))

    def for_display(self):
        return self.select_related("area", "breakdown", "period", "comparison_period", "measure")


class Result(models.Model):
    """A figure compared with its comparison figure: computed and stored, never typed."""

    class Status(models.TextChoices):
        COMPARED = "compared", "Compared"
        NO_COMPARISON = "no-comparison", "No comparison figure yet"
        NOT_AVAILABLE = "not-available", "Not available"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="results")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    breakdown = models.ForeignKey(
        Breakdown, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    comparison_period = models.ForeignKey(
        Period, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    current = models.DecimalField(max_digits=28, decimal_places=10, null=True, blank=True)
    previous = models.DecimalField(max_digits=28, decimal_places=10, null=True, blank=True)
    current_is_computed = models.BooleanField(default=False)
    previous_is_computed = models.BooleanField(default=False)
    current_base = models.BigIntegerField(null=True, blank=True)
    previous_base = models.BigIntegerField(null=True, blank=True)
    difference = models.DecimalField(max_digits=28, decimal_places=10, null=True, blank=True)
    percent_change = models.DecimalField(max_digits=28, decimal_places=10, null=True, blank=True)
    points = models.DecimalField(max_digits=28, decimal_places=10, null=True, blank=True)
    direction = models.CharField(
        max_length=20, blank=True, choices=[(d.value, d.value) for d in Direction]
    )
    judgement = models.CharField(
        max_length=20, blank=True, choices=[(j.value, j.value) for j in Judgement]
    )
    z = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    significant = models.BooleanField(null=True, blank=True)
    method = models.CharField(
        max_length=20, default=Method.NONE, choices=[(m.value, m.value) for m in Method]
    )
    computed_at = models.DateTimeField()

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "area__order", "breakdown__order", "period__end"]
        constraints = one_per_key("result")
        indexes = [models.Index(fields=["measure", "period"])]

    def __str__(self):
        return f"{self.measure_id} {self.area_id} {self.period_id}"


class QualityFlag(models.Model):
    """A typed-in figure that disagrees with what its inputs give."""

    class Kind(models.TextChoices):
        RATE = "rate", "Rate disagrees with its numerator and denominator"
        FORMULA = "formula", "Figure disagrees with the measures it is computed from"
        MONTHS = "months", "Total disagrees with the sum of its months"
        DISTRICTS = "districts", "Force figure disagrees with the sum of its districts"
        PRINTED = "printed", "Printed difference disagrees with the computed one"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="quality_flags")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    breakdown = models.ForeignKey(
        Breakdown, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    given = models.DecimalField(max_digits=28, decimal_places=10)
    expected = models.DecimalField(max_digits=28, decimal_places=10)
    message = models.CharField(max_length=500)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["measure", "area__order", "period__end", "kind"]

    def __str__(self):
        return self.message


class PrintedFigure(models.Model):
    """A difference as a document printed it (e.g. last quarter's word-processed report).

    Recalculation checks it against the computed result and flags it where they disagree, so
    staff can see which figures people have been reading were wrong.
    """

    class Figure(models.TextChoices):
        DIFFERENCE = "difference", "Difference"
        PERCENT_CHANGE = "percent-change", "Percentage change"
        POINTS = "points", "Difference in percentage points"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="printed_figures")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    breakdown = models.ForeignKey(
        Breakdown, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    figure = models.CharField(max_length=20, choices=Figure.choices)
    printed = models.DecimalField(max_digits=20, decimal_places=6)
    source = models.CharField(max_length=200, help_text="Where it was printed.")

    class Meta:
        ordering = ["measure", "area__order", "period__end", "figure"]

    def __str__(self):
        return f"{self.measure.code} {self.area.code} {self.period.code} {self.figure} {self.printed}"


class Recalculation(models.Model):
    """An outbox row: these measures need recalculating. Written in the same transaction as the
    change, so the work is never lost when the broker is down; the task or the sweeper clears it.
    """

    measure = models.OneToOneField(Measure, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Recalculate {self.measure_id}"
