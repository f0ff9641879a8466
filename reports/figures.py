"""Every figure a report needs, fetched in a fixed number of queries, whatever its size.

A report's blocks first say what they need (:class:`Needs`: measure codes and period codes); then
:meth:`Figures.load` reads the measures, areas, stored Results and given Values in one query each,
and the blocks look figures up in memory. Nothing here computes: differences, arrows and
significance are the stored Result's (measures/calculation.py), and the words and numbers on the
page come from measures/presenters.py.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from measures import periods
from measures.models import Area, Measure, Period, Result, Value
from measures.periods import Basis, PeriodKind

# Survey waves are irregular: the headline wave is the latest one on or before the quarter's end,
# looked for within this many days (three years of waves is far more than a report ever needs).
WAVE_WINDOW_DAYS = 3 * 366


class UnknownReference(ValueError):
    """A block names a measure, area, breakdown or period that does not exist."""


@dataclass
class Needs:
    measure_codes: set[str] = field(default_factory=set)
    period_codes: set[str] = field(default_factory=set)
    headline_measures: bool = False  # the current measures table and measures.csv

    def add(self, *, measure: str | None = None, period: str | None = None) -> None:
        if measure:
            self.measure_codes.add(measure)
        if period:
            self.period_codes.add(periods.parse_period(period).code)


@dataclass(frozen=True)
class Coordinate:
    """One figure's address. ``period`` None means the measure's headline period."""

    measure: str
    area: str
    breakdown: str | None = None
    period: str | None = None


class Figures:
    """What the blocks of one report read: measures, areas, results and values, by code."""

    def __init__(self, *, quarter: Period, measures, areas, results, values):
        self.quarter = quarter
        self.quarter_spec = quarter.spec
        self.measures: dict[str, Measure] = {measure.code: measure for measure in measures}
        self.areas: dict[str, Area] = {area.code: area for area in areas}
        self.root_area = next((area for area in areas if area.parent_id is None), None)
        self._breakdowns: dict[tuple[int, str], object] = {}
        for measure in measures:
            for breakdown in measure.breakdowns.all():
                self._breakdowns[(measure.pk, breakdown.code)] = breakdown
        self._results: dict[tuple[int, int, int | None, str], Result] = {}
        self._waves: dict[tuple[int, int, int | None], Result] = {}
        wave_ids = {m.pk for m in measures if m.comparison == Basis.PREVIOUS_WAVE}
        for result in results:
            key = (result.measure_id, result.area_id, result.breakdown_id)
            self._results[(*key, result.period.code)] = result
            if result.measure_id in wave_ids:
                if result.period.kind == PeriodKind.MONTH and result.period.end <= self.quarter.end:
                    latest = self._waves.get(key)
                    if latest is None or latest.period.end < result.period.end:
                        self._waves[key] = result
        self._values = {
            (value.measure_id, value.area_id, value.breakdown_id, value.period.code): value
            for value in values
        }
        self._periods: dict[str, Period] = {}
        for result in self._results.values():
            self._periods[result.period.code] = result.period
            if result.comparison_period is not None:
                self._periods[result.comparison_period.code] = result.comparison_period
        for value in self._values.values():
            self._periods[value.period.code] = value.period

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, *, quarter: Period, needs: Needs) -> Figures:
        """Five queries: measures, their breakdowns, areas, results and values."""
        measure_filter = Q(code__in=needs.measure_codes)
        if needs.headline_measures:
            measure_filter |= Q(is_headline=True)
        measures = list(
            Measure.objects.filter(measure_filter)
            .in_framework_order()
            .prefetch_related("breakdowns")
        )
        areas = list(Area.objects.order_by("order", "name"))
        spec = quarter.spec
        codes = set(needs.period_codes)
        wave_ids = []
        for measure in measures:
            if measure.comparison == Basis.PREVIOUS_WAVE:
                wave_ids.append(measure.pk)
            else:
                codes.add(periods.headline_period(spec, measure.comparison).code)
        ids = [measure.pk for measure in measures]
        wanted = Q(period__code__in=codes)
        if wave_ids:
            wanted |= Q(
                measure_id__in=wave_ids,
                period__kind=PeriodKind.MONTH,
                period__end__lte=spec.end,
                period__end__gt=spec.end - datetime.timedelta(days=WAVE_WINDOW_DAYS),
            )
        results = list(
            Result.objects.filter(Q(measure_id__in=ids) & wanted).select_related(
                "period", "comparison_period"
            )
        )
        value_codes = codes | {result.period.code for result in results}
        values = list(
            Value.objects.filter(measure_id__in=ids, period__code__in=value_codes).select_related(
                "period"
            )
        )
        return cls(quarter=quarter, measures=measures, areas=areas, results=results, values=values)

    # -- lookups ---------------------------------------------------------------------------

    def measure(self, code: str) -> Measure:
        try:
            return self.measures[code]
        except KeyError:
            raise UnknownReference(f"There is no measure with the code “{code}”") from None

    def area(self, code: str | None) -> Area:
        if not code:
            if self.root_area is None:
                raise UnknownReference("There are no areas yet")
            return self.root_area
        try:
            return self.areas[code]
        except KeyError:
            raise UnknownReference(f"There is no area with the code “{code}”") from None

    def breakdown(self, measure: Measure, code: str | None):
        if not code:
            return None
        try:
            return self._breakdowns[(measure.pk, code)]
        except KeyError:
            raise UnknownReference(
                f"The measure “{measure.code}” has no breakdown with the code “{code}”"
            ) from None

    def breakdowns(self, measure: Measure) -> list:
        return list(measure.breakdowns.all())

    def headline_code(self, measure: Measure) -> str:
        return periods.headline_period(self.quarter_spec, measure.comparison).code

    def period_label(self, code: str) -> str:
        stored = self._periods.get(code)
        return stored.label if stored is not None else periods.parse_period(code).label

    def period_short_label(self, code: str) -> str:
        stored = self._periods.get(code)
        return stored.short_label if stored is not None else periods.parse_period(code).short_label

    def result(self, coordinate: Coordinate) -> Result | None:
        measure = self.measure(coordinate.measure)
        area = self.area(coordinate.area)
        breakdown = self.breakdown(measure, coordinate.breakdown)
        key = (measure.pk, area.pk, breakdown.pk if breakdown else None)
        if coordinate.period is None and measure.comparison == Basis.PREVIOUS_WAVE:
            return self._waves.get(key)
        code = coordinate.period or self.headline_code(measure)
        return self._results.get((*key, periods.parse_period(code).code))

    def value(self, coordinate: Coordinate, *, period_code: str | None = None) -> Value | None:
        measure = self.measure(coordinate.measure)
        area = self.area(coordinate.area)
        breakdown = self.breakdown(measure, coordinate.breakdown)
        code = period_code or coordinate.period or self.headline_code(measure)
        return self._values.get(
            (measure.pk, area.pk, breakdown.pk if breakdown else None, periods.parse_period(code).code)
        )

    def results_for(self, measure: Measure) -> list[Result]:
        """The measure's headline results for every area and breakdown, areas in order."""
        area_order = {area.pk: index for index, area in enumerate(self.areas.values())}
        breakdown_order = {b.pk: b.order for b in measure.breakdowns.all()}
        if measure.comparison == Basis.PREVIOUS_WAVE:
            found = [r for (m, *_), r in self._waves.items() if m == measure.pk]
        else:
            code = self.headline_code(measure)
            found = [r for key, r in self._results.items() if key[0] == measure.pk and key[3] == code]
        return sorted(
            found,
            key=lambda r: (
                area_order.get(r.area_id, 0),
                r.breakdown_id is not None,
                breakdown_order.get(r.breakdown_id, 0),
            ),
        )

    def area_by_id(self, area_id: int) -> Area:
        return next(area for area in self.areas.values() if area.pk == area_id)

    def breakdown_by_id(self, measure: Measure, breakdown_id: int | None):
        if breakdown_id is None:
            return None
        return next(b for b in measure.breakdowns.all() if b.pk == breakdown_id)

    def headline_measures(self) -> list[Measure]:
        return [measure for measure in self.measures.values() if measure.is_headline]
