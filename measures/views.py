"""Public measure pages: the framework, and each measure's latest figures, history and sources.

Every figure on these pages is read through ``Result.objects.public()`` (and the values behind
them only for periods those public results show), so when the reports feature narrows public()
to published periods these pages follow without a change here. Each page runs a fixed number of
queries whatever the number of measures, areas or periods (tests/measures/test_pages.py pins it).
"""

from itertools import groupby

from django.db.models import Case, Exists, F, IntegerField, Q, When, Window
from django.db.models import Value as V
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from measures import charts
from measures.models import Measure, Result, Value
from measures.periods import Basis, PeriodKind
from organisations.roles import is_opcc_staff

# The kind of period a measure's headline figure is, for each comparison basis. Survey waves are
# stored as the month the fieldwork ended.
BASIS_KIND = {
    Basis.TWELVE_MONTHS: PeriodKind.TWELVE_MONTHS,
    Basis.YEAR_TO_DATE: PeriodKind.YEAR_TO_DATE,
    Basis.QUARTER: PeriodKind.QUARTER,
    Basis.FINANCIAL_YEAR: PeriodKind.FINANCIAL_YEAR,
    Basis.SNAPSHOT: PeriodKind.SNAPSHOT,
    Basis.PREVIOUS_WAVE: PeriodKind.MONTH,
}
METHOD_ORDER = ("poisson", "two-proportion", "none")


@require_GET
def index(request):
    """Every measure, by plan priority and objective: one query."""
    # Ties on `order` are broken by name and id, so each priority and objective is one run.
    measures = Measure.objects.in_framework_order().order_by(
        "objective__priority__order", "objective__priority__name", "objective__priority_id",
        "objective__order", "objective__name", "objective_id", "order", "code",
    )
    priorities = [
        (priority, [(objective, list(in_objective))
                    for objective, in_objective in groupby(in_priority, key=lambda m: m.objective)])
        for priority, in_priority in groupby(measures, key=lambda m: m.objective.priority)
    ]
    return render(request, "measures/index.html", {"priorities": priorities})


@require_GET
def detail(request, code):
    """One measure: definition, latest results by area and breakdown, history, provenance.

    Queries: the measure; its latest public results; the force's public history; the values
    behind both (one more each for a signed-in user's session, user and groups).
    """
    measure = get_object_or_404(Measure.objects.select_related("objective__priority"), code=code)
    latest = latest_results(measure)
    root, history = force_history(measure)
    history_results = [result for _, results in history for result in results]
    show_people = is_opcc_staff(request.user)
    behind_latest, behind_history = _values_behind(
        measure, latest, root, history_results, with_people=show_people
    )
    values = behind_latest + behind_history
    # Only compared results were tested (or not): a missing figure says nothing about method.
    methods = {r.method for r in [*latest, *history_results] if r.status == Result.Status.COMPARED}
    context = {
        "measure": measure,
        "tables": _latest_tables(latest),
        "has_breakdowns": any(result.breakdown_id for result in latest),
        "root": root,
        "history": history,
        "chart": history_chart(measure, root, history) if history else None,
        "sources": sorted({measure.source, *(value.source for value in values)} - {""}),
        "data_as_at": sorted({value.data_as_at for value in values} - {None}),
        "behind_latest": behind_latest,
        "computed_count": sum(1 for result in latest if result.current_is_computed),
        "history_notes": [value for value in behind_history if value.note],
        "show_people": show_people,
        "methods": [method for method in METHOD_ORDER if method in methods],
    }
    return render(request, "measures/detail.html", context)


@require_GET
def chart(request, code):
    """The force's history as an SVG image, for <img> on the measure page: two queries."""
    measure = get_object_or_404(Measure, code=code)
    root, history = force_history(measure)
    if not history:
        raise Http404("This measure has no published figures to chart.")
    svg = history_chart(measure, root, history).svg
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


# Queries --------------------------------------------------------------------------------------


def latest_results(measure) -> list[Result]:
    """For each area and breakdown, the public result with the latest period of the measure's
    basis kind, or of any kind when it has none of that kind: one query.

    A window ranks each area/breakdown's results (basis kind first, then latest end, then the
    longest period), so the database returns only the winners; it runs on SQLite too.
    """
    preferred = Case(
        When(period__kind=BASIS_KIND[Basis(measure.comparison)], then=V(0)),
        default=V(1),
        output_field=IntegerField(),
    )
    ranked = Window(
        RowNumber(),
        partition_by=[F("area_id"), F("breakdown_id")],
        order_by=[preferred.asc(), F("period__end").desc(), F("period__start").asc()],
    )
    return list(
        Result.objects.public()
        .filter(measure=measure)
        .annotate(rank=ranked)
        .filter(rank=1)
        .for_display()
        .order_by("area__order", "area__name", F("breakdown__order").asc(nulls_first=True),
                  "breakdown__code")
    )


def force_history(measure):
    """The force's (the area with no parent) public results over time: one query.

    One series for the whole measure, or, for a measure recorded only by breakdown, one per
    breakdown. Each series has one kind of period so that it compares like with like: the basis
    kind when there are such results, else that of the latest result.
    Returns (area, [(breakdown or None, results by period), ...]) or (None, []).
    """
    force_results = Result.objects.public().filter(measure=measure, area__parent__isnull=True)
    kind = BASIS_KIND[Basis(measure.comparison)]
    # Only the basis kind when there is any, so the database does not send the other kinds.
    has_kind = Exists(force_results.filter(period__kind=kind))
    results = list(
        force_results.filter(Q(period__kind=kind) | ~has_kind)
        .for_display()
        .order_by(
            "area__order", "area__name", F("breakdown__order").asc(nulls_first=True),
            "breakdown__code", "period__end", "-period__start",
        )
    )
    if not results:
        return None, []
    root = results[0].area
    results = [result for result in results if result.area_id == root.id]
    if kind not in {result.period.kind for result in results}:
        kind = max(results, key=lambda r: (r.period.end, -r.period.start.toordinal())).period.kind
    results = [result for result in results if result.period.kind == kind]
    if any(result.breakdown_id is None for result in results):
        results = [result for result in results if result.breakdown_id is None]
    series = groupby(results, key=lambda result: result.breakdown)
    return root, [(breakdown, list(rows)) for breakdown, rows in series]


def _values_behind(measure, latest, root, history, *, with_people):
    """The values behind the shown results, for their sources, dates and notes: one query.

    Only the periods (and comparison periods) of public results already fetched are asked for,
    so provenance never reveals a figure the page does not show.
    """
    def keys(results):
        shown = set()
        for result in results:
            shown.add((result.area_id, result.breakdown_id, result.period_id))
            if result.comparison_period_id:
                shown.add((result.area_id, result.breakdown_id, result.comparison_period_id))
        return shown

    latest_keys, history_keys = keys(latest), keys(history)
    condition = Q(pk__in=[])
    if latest_keys:
        condition |= Q(period_id__in={period for _, _, period in latest_keys})
    if history_keys:
        condition |= Q(area=root, period_id__in={period for _, _, period in history_keys})
    related = ["area", "breakdown", "period"] + (["entered_by"] if with_people else [])
    values = (
        Value.objects.filter(measure=measure)
        .filter(condition)
        .select_related(*related)
        .order_by(
            "area__order", "area__name", F("breakdown__order").asc(nulls_first=True),
            "breakdown__code", "period__end", "period__start",
        )
    )
    behind_latest, behind_history = [], []
    for value in values:
        key = (value.area_id, value.breakdown_id, value.period_id)
        if key in latest_keys:
            behind_latest.append(value)
        elif key in history_keys:
            behind_history.append(value)
    return behind_latest, behind_history


# Shaping for the templates --------------------------------------------------------------------


def _latest_tables(latest):
    """One table for the whole measure, then one per breakdown, each with a row per area.

    When every row has the same period (and those compared, the same comparison period) the
    periods go in the column headings; otherwise each row names its own.
    """
    def breakdown_order(result):
        breakdown = result.breakdown
        return (0, 0, "") if breakdown is None else (1, breakdown.order, breakdown.code)

    tables = []
    # A stable sort keeps the areas' order within each breakdown.
    for breakdown, rows in groupby(sorted(latest, key=breakdown_order), key=lambda r: r.breakdown):
        rows = list(rows)
        compared = {row.comparison_period_id: row.comparison_period for row in rows}
        compared.pop(None, None)  # a row with no comparison says so in its cells
        same = len({row.period_id for row in rows}) == 1 and len(compared) <= 1
        tables.append(
            {
                "breakdown": breakdown,
                "rows": rows,
                "period": rows[0].period if same else None,
                "comparison_period": next(iter(compared.values()), None) if same else None,
            }
        )
    return tables


def history_chart(measure, root, history) -> charts.Chart:
    """A line for the whole measure, or one per breakdown, over the periods of the history."""
    series = [
        charts.Series(
            breakdown.label if breakdown else root.name,
            [(result.period.label, result.current) for result in results],
        )
        for breakdown, results in history
    ]
    return charts.line_chart(
        series,
        title=f"{measure.name}, {root.name}",
        unit=measure.unit,
        decimals=measure.decimals,
    )
