"""Results and data-quality flags computed from figures, with the seed's own numbers."""

from decimal import Decimal as D

import pytest

from jobs.models import Job
from measures import calculation, recalculation
from measures.models import (
    Area, Breakdown, Measure, Objective, Period, Priority, QualityFlag, Recalculation, Result, Value,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas():
    force = Area.objects.create(code="west-yorkshire", name="West Yorkshire", order=0)
    districts = [
        Area.objects.create(code=code, name=code.title(), parent=force, order=n)
        for n, code in enumerate(["bradford", "calderdale", "kirklees", "leeds", "wakefield"], 1)
    ]
    return force, districts


@pytest.fixture
def objective():
    priority = Priority.objects.create(name="Tackle crime", slug="tackle-crime")
    return Objective.objects.create(priority=priority, name="Reduce crime")


def make_measure(objective, code, **fields):
    defaults = dict(
        name=code.replace("-", " ").capitalize(), unit="count", decimals=0, polarity="lower",
        aggregation="sum", comparison="12-months", band=D(1),
    )
    return Measure.objects.create(objective=objective, code=code, **{**defaults, **fields})


def put(measure, area, code, value, **fields):
    period = Period.objects.for_codes([code])[code]
    return Value.objects.create(
        measure=measure, area=area, period=period,
        value=None if value is None else D(str(value)), **fields,
    )


def result(measure, area, code, breakdown=None):
    return Result.objects.get(measure=measure, area=area, period__code=code, breakdown=breakdown)


def test_total_recorded_crime_fell_by_33188_and_that_is_better(areas, objective):
    force, _ = areas
    crime = make_measure(objective, "total-recorded-crime")
    put(crime, force, "12M-2019-12", 292070)
    put(crime, force, "12M-2020-12", 258882)
    calculation.recalculate()
    row = result(crime, force, "12M-2020-12")
    assert row.status == Result.Status.COMPARED
    assert row.comparison_period.code == "12M-2019-12"
    assert row.difference == D(-33188)
    assert row.percent_change.quantize(D("0.01")) == D("-11.36")
    assert (row.direction, row.judgement) == ("down", "better")
    assert row.significant is True and row.method == "poisson"
    assert result(crime, force, "12M-2019-12").status == Result.Status.NO_COMPARISON


def test_knife_crime_is_a_fall_where_the_seed_printed_a_rise(areas, objective):
    force, _ = areas
    knife = make_measure(objective, "knife-crime")
    put(knife, force, "12M-2019-12", 2487)
    put(knife, force, "12M-2020-12", 2237)
    calculation.recalculate()
    row = result(knife, force, "12M-2020-12")
    assert row.difference == D(-250)
    assert row.percent_change.quantize(D("0.1")) == D("-10.1")
    assert row.direction == "down"


def test_a_rate_difference_is_in_points_and_the_seeds_minus_0_3_is_minus_0_4(areas, objective):
    force, _ = areas
    rate = make_measure(
        objective, "da-positive-outcome-rate", unit="percentage", decimals=1, polarity="higher",
        aggregation="none", comparison="year-to-date", band=D("0.5"),
    )
    put(rate, force, "YTD-2019-12", "9.2")
    put(rate, force, "YTD-2020-12", "8.8")
    calculation.recalculate()
    row = result(rate, force, "YTD-2020-12")
    assert row.points == D("-0.4") and row.percent_change is None
    assert (row.direction, row.judgement) == ("no-real-change", "no-real-change")


def test_not_available_is_a_state_not_a_zero(areas, objective):
    force, _ = areas
    csew = make_measure(objective, "csew-household-crime", unit="percentage", decimals=1, aggregation="none")
    put(csew, force, "12M-2019-12", "13.3")
    put(csew, force, "12M-2020-12", None, note="CSEW suspended")
    calculation.recalculate()
    row = result(csew, force, "12M-2020-12")
    assert row.status == Result.Status.NOT_AVAILABLE
    assert row.current is None and row.difference is None and row.direction == ""


def test_longer_periods_are_summed_from_months_and_a_disagreeing_total_is_flagged(areas, objective):
    force, _ = areas
    asb = make_measure(objective, "asb-incidents")
    for year, month in [(y, m) for y in (2019, 2020) for m in range(1, 13)]:
        put(asb, force, f"{year}-{month:02d}", 100 if year == 2019 else 110)
    put(asb, force, "12M-2020-12", 1300)  # typed in; the months give 1,320
    calculation.recalculate()
    computed = result(asb, force, "12M-2019-12")
    assert computed.current == D(1200) and computed.current_is_computed
    kept = result(asb, force, "12M-2020-12")
    assert kept.current == D(1300) and not kept.current_is_computed
    assert kept.previous == D(1200) and kept.previous_is_computed
    assert result(asb, force, "12M-2020-06").current == D(6 * 100 + 6 * 110)
    flag = QualityFlag.objects.get(measure=asb)
    assert flag.kind == QualityFlag.Kind.MONTHS
    assert flag.period.code == "12M-2020-12"
    assert (flag.given, flag.expected) == (D(1300), D(1320))
    assert "its months add up to 1320" in flag.message


def test_a_rate_that_disagrees_with_its_numerator_and_denominator_is_flagged(areas, objective):
    force, districts = areas
    rate = make_measure(objective, "repeat-missing-adults-rate", unit="percentage", decimals=1, aggregation="none")
    put(rate, force, "12M-2020-12", "13.5", numerator=D(459), denominator=D(3398))  # 13.508: agrees
    put(rate, districts[0], "12M-2020-12", "15.7", numerator=D(151), denominator=D(983))  # 15.36: no
    calculation.recalculate()
    flag = QualityFlag.objects.get(measure=rate)
    assert (flag.area, flag.kind) == (districts[0], QualityFlag.Kind.RATE)
    assert result(rate, force, "12M-2020-12").current_base == 3398


def test_a_formula_measure_is_computed_from_its_inputs_and_checked_against_typed_figures(areas, objective):
    force, districts = areas
    incidents = make_measure(objective, "domestic-incidents", comparison="year-to-date")
    crimes = make_measure(objective, "domestic-crimes", comparison="year-to-date")
    conversion = make_measure(
        objective, "conversion", unit="percentage", decimals=1, aggregation="none", polarity="monitor",
        comparison="year-to-date", numerator=crimes, denominator=incidents, factor=D(100),
    )
    put(incidents, force, "YTD-2020-12", 48760)
    put(crimes, force, "YTD-2020-12", 38089)
    put(incidents, districts[1], "YTD-2020-12", 3856)
    put(crimes, districts[1], "YTD-2020-12", 3263)
    put(conversion, districts[1], "YTD-2020-12", "84.7")  # 3263 / 3856 = 84.62…% → 84.6
    calculation.recalculate()
    force_row = result(conversion, force, "YTD-2020-12")
    assert force_row.current.quantize(D("0.001")) == D("78.115") and force_row.current_is_computed
    assert force_row.current_base == 48760
    flag = QualityFlag.objects.get(measure=conversion)
    assert (flag.area, flag.kind) == (districts[1], QualityFlag.Kind.FORMULA)


def test_a_force_total_is_checked_against_its_districts_where_they_add_up(areas, objective):
    force, districts = areas
    rape = make_measure(objective, "rape-offences", comparison="year-to-date", districts_sum=True)
    for area, value in zip(districts, [614, 321, 424, 710, 281]):
        put(rape, area, "YTD-2020-12", value)
    put(rape, force, "YTD-2020-12", 2350)  # the districts add up to 2,350: no flag
    for area, value in zip(districts, [669, 271, 481, 813, 331]):
        put(rape, area, "YTD-2019-12", value)
    put(rape, force, "YTD-2019-12", 2600)  # they add up to 2,565: flagged
    calculation.recalculate()
    flag = QualityFlag.objects.get(measure=rape)
    assert (flag.period.code, flag.kind, flag.expected) == ("YTD-2019-12", "districts", D(2565))


def test_survey_waves_compare_with_the_previous_wave(areas, objective):
    force, _ = areas
    safe = make_measure(
        objective, "feel-safe", unit="percentage", decimals=0, polarity="higher",
        aggregation="none", comparison="previous-wave", band=D("0.5"),
    )
    put(safe, force, "2020-06", 86, denominator=D(1039))
    put(safe, force, "2020-10", 79)
    calculation.recalculate()
    row = result(safe, force, "2020-10")
    assert row.comparison_period.code == "2020-06"
    assert row.points == D(-7) and row.judgement == "worse"
    assert result(safe, force, "2020-06").status == Result.Status.NO_COMPARISON


def test_breakdowns_get_their_own_results(areas, objective):
    force, _ = areas
    homicide = make_measure(objective, "homicide")
    under_25 = Breakdown.objects.create(measure=homicide, code="victim-under-25", label="Victim under 25")
    for code, whole, young in [("12M-2019-12", 25, 6), ("12M-2020-12", 21, 7)]:
        put(homicide, force, code, whole)
        put(homicide, force, code, young, breakdown=under_25)
    calculation.recalculate()
    row = result(homicide, force, "12M-2020-12", breakdown=under_25)
    assert row.difference == D(1) and row.significant is False and row.direction == "up"


def test_recalculating_twice_writes_nothing_the_second_time(areas, objective):
    force, _ = areas
    crime = make_measure(objective, "total-recorded-crime")
    for year, month in [(y, m) for y in (2019, 2020) for m in range(1, 13)]:
        put(crime, force, f"{year}-{month:02d}", 20000 + month)
    first = calculation.recalculate()
    snapshot = list(Result.objects.order_by("pk").values())
    second = calculation.recalculate()
    assert first.results_created > 0
    assert second.results_touched == 0
    assert list(Result.objects.order_by("pk").values()) == snapshot


def test_an_incremental_recalculation_touches_only_the_results_that_depend_on_the_change(
    areas, objective, django_capture_on_commit_callbacks
):
    force, districts = areas
    crime = make_measure(objective, "total-recorded-crime")
    other = make_measure(objective, "asb-incidents")
    for measure in (crime, other):
        for year, month in [(y, m) for y in (2018, 2019, 2020) for m in range(1, 13)]:
            put(measure, force, f"{year}-{month:02d}", 1000)
    calculation.recalculate()
    other_before = list(Result.objects.filter(measure=other).values_list("pk", "computed_at"))

    Value.objects.filter(measure=crime, period__code="2019-06").update(value=D(1500))
    with django_capture_on_commit_callbacks(execute=True):
        job = recalculation.request_recalculation([crime.pk])
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    # June 2019 is inside the 12 months ending Jun 2019 … May 2020: those 12 totals change.
    # The results a year later (ending Jun 2020 … Dec 2020; the data stops there) compare with
    # them: 7 more. 19 in all, and nothing else (12 months is this measure's basis).
    assert job.result["results_updated"] == 19
    assert job.result["measures"] == 1
    assert list(Result.objects.filter(measure=other).values_list("pk", "computed_at")) == other_before
    assert not Recalculation.objects.exists()


def test_a_change_to_an_input_recalculates_the_measures_computed_from_it(areas, objective):
    incidents = make_measure(objective, "domestic-incidents")
    crimes = make_measure(objective, "domestic-crimes")
    conversion = make_measure(
        objective, "conversion", unit="percentage", aggregation="none",
        numerator=crimes, denominator=incidents, factor=D(100),
    )
    assert recalculation.with_dependents([incidents.pk]) == {incidents.pk, conversion.pk}


def test_the_recalculate_command_computes_every_measure_and_records_a_job(areas, objective):
    from io import StringIO

    from django.core.management import call_command

    force, _ = areas
    crime = make_measure(objective, "total-recorded-crime")
    put(crime, force, "12M-2019-12", 292070)
    put(crime, force, "12M-2020-12", 258882)
    output = StringIO()
    call_command("recalculate", "--processes", "1", stdout=output)
    assert result(crime, force, "12M-2020-12").difference == D(-33188)
    assert Job.objects.get(kind="recalculate").state == Job.State.SUCCEEDED
    assert "'results_created': 2" in output.getvalue()


def test_the_recalculate_command_refuses_unknown_codes(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Unknown measure codes: no-such-measure"):
        call_command("recalculate", "no-such-measure")
