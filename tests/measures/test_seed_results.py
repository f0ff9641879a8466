"""The seed quarter, imported as an analyst would, computes every difference correctly.

Each expected value is worked by hand from the seed's INPUT figures. Rows marked "seed wrong"
are where the printed report got its own arithmetic wrong; the app must not.
"""

from decimal import Decimal as D

import pytest

from demo import loading, measures as demo_measures
from measures import calculation
from measures.models import QualityFlag, Result
from measures.presenters import format_change

pytestmark = pytest.mark.django_db

WY = "west-yorkshire"

# measure, area, breakdown, period, difference, % change (counts) or points, direction
COMPARED = [
    ("total-recorded-crime", WY, "", "12M-2020-12", "-33188", "-11.4", "down"),  # 258,882 − 292,070
    ("asb-incidents", WY, "", "12M-2020-12", "7185", "15.9", "up"),  # 52,475 − 45,290
    ("knife-crime", WY, "", "12M-2020-12", "-250", "-10.1", "down"),  # seed wrong: printed +10.1%
    ("knife-crime", WY, "victim-under-25", "12M-2020-12", "-120", "-13.2", "down"),  # 791 − 911
    ("most-serious-violence", WY, "", "12M-2020-12", "-96", "-4.9", "down"),  # 1,868 − 1,964
    ("most-serious-violence", WY, "victim-under-25", "12M-2020-12", "-106", "-16.3", "down"),
    ("homicide-non-domestic", WY, "", "12M-2020-12", "-4", "-16.0", "down"),  # 21 − 25
    ("homicide-non-domestic", WY, "victim-under-25", "12M-2020-12", "1", "16.7", "up"),  # 7 − 6
    ("personal-robbery", WY, "", "12M-2020-12", "-869", "-27.4", "down"),  # 2,301 − 3,170
    ("personal-robbery", WY, "victim-under-25", "12M-2020-12", "-405", "-30.0", "down"),
    ("firearms-offences", WY, "", "12M-2020-12", "-43", "-26.2", "down"),  # 121 − 164
    ("firearms-offences", WY, "victim-under-25", "12M-2020-12", "-35", "-42.2", "down"),  # 48 − 83
    ("repeat-missing-adults", WY, "", "12M-2020-12", "-292", "-38.9", "down"),  # 459 − 751
    ("repeat-missing-children", WY, "", "12M-2020-12", "-437", "-31.1", "down"),  # 969 − 1,406
    ("da-positive-outcomes", WY, "", "12M-2020-12", "-413", "-8.1", "down"),  # 4,694 − 5,107
    ("rape-positive-outcomes", WY, "", "12M-2020-12", "108", "75.0", "up"),  # 252 − 144
    ("mental-health-incidents", WY, "", "12M-2020-12", "1171", "5.0", "up"),  # 24,370 − 23,199
    ("hate-incidents", WY, "", "12M-2020-12", "475", "5.1", "up"),  # 9,812 − 9,337
    ("liaison-diversion-screened", WY, "", "YTD-2020-12", "-200", "-8.3", "down"),  # seed wrong: "200 ↑"
    ("rape-offences", WY, "", "YTD-2020-12", "-215", "-8.4", "down"),  # 2,350 − 2,565
    ("rape-offences", "leeds", "", "YTD-2020-12", "-103", "-12.7", "down"),  # 710 − 813
    ("rape-offences", "calderdale", "", "YTD-2020-12", "50", "18.5", "up"),  # 321 − 271
    ("rape-offences", "bradford", "", "YTD-2020-12", "-55", "-8.2", "down"),  # 614 − 669
    # Percentages: differences in points.
    ("da-positive-outcome-rate", WY, "", "YTD-2020-12", "-0.4", None, None),  # seed wrong: −0.3
    ("da-positive-outcome-rate", "kirklees", "", "YTD-2020-12", "-0.2", None, None),  # seed wrong: −0.1
    ("da-positive-outcome-rate", "leeds", "", "YTD-2020-12", "-1.6", None, None),
    ("da-positive-outcome-rate", "bradford", "", "YTD-2020-12", "0.8", None, None),
    ("da-positive-outcome-rate", "calderdale", "", "YTD-2020-12", "-0.3", None, None),
    ("da-positive-outcome-rate", "wakefield", "", "YTD-2020-12", "0.8", None, None),
    ("rape-outcome-rate", WY, "", "YTD-2020-12", "5.1", None, None),  # 9.3 − 4.2
    ("rape-outcome-rate", "kirklees", "", "YTD-2020-12", "10.9", None, None),  # 14.6 − 3.7
    ("victim-satisfaction", WY, "", "12M-2020-12", "2.3", None, None),  # seed wrong: "2.4 points"
    ("victim-satisfaction", "bradford", "", "12M-2020-12", "2.6", None, None),  # 77.4 − 74.8
    ("victim-satisfaction", "leeds", "", "12M-2020-12", "3.6", None, None),  # 81.3 − 77.7
    ("repeat-victim-rate-da", WY, "", "YTD-2020-12", "-0.5", None, None),  # 47.7 − 48.2
    ("repeat-victim-rate-da", "kirklees", "", "YTD-2020-12", "-0.8", None, None),  # seed wrong: −0.9
    ("repeat-victim-rate-da", "leeds", "", "YTD-2020-12", "0.4", None, None),  # seed wrong: +0.5
    ("repeat-victim-rate-da", "calderdale", "", "YTD-2020-12", "-1.9", None, None),
    ("officers-operational-roles", WY, "", "2020-12-31", "0.4", None, None),  # 90.0 − 89.6
    ("bame-representation", WY, "officers", "2020-12-31", "0.3", None, None),  # 6.3 − 6.0
    ("bame-representation", WY, "staff", "2020-12-31", "0.4", None, None),  # 4.9 − 4.5
    ("bame-representation", WY, "", "2020-12-31", "0.2", None, None),  # 5.9 − 5.7
    ("vs-wellbeing-improvement", WY, "", "12M-2020-12", "2", None, None),  # 28 − 26
    ("feeling-safe", WY, "", "2020-10", "-7", None, None),  # 79 − 86, previous wave June 2020
]


@pytest.fixture(scope="module")
def seed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        loading.load_areas()
        loading.load_organisations()
        loading.load_users()
        demo_measures.load()
        calculation.recalculate()
        yield
        from django.core.management import call_command

        call_command("flush", "--noinput")


def _result(code, area, breakdown, period):
    return Result.objects.select_related("measure", "comparison_period").get(
        measure__code=code, area__code=area, period__code=period,
        **({"breakdown__code": breakdown} if breakdown else {"breakdown__isnull": True}),
    )


@pytest.mark.parametrize("code,area,breakdown,period,difference,change,direction", COMPARED)
def test_the_seed_figure_is_computed_correctly(seed, code, area, breakdown, period, difference, change, direction):
    result = _result(code, area, breakdown, period)
    assert result.status == Result.Status.COMPARED
    assert result.difference.normalize() == D(difference).normalize()
    if result.measure.is_proportion:
        assert result.points.normalize() == D(difference).normalize()
        assert result.percent_change is None
    else:
        assert result.percent_change.quantize(D("0.1"), rounding="ROUND_HALF_UP") == D(change)
        assert result.direction == direction


def test_the_knife_crime_row_reads_as_a_fall(seed):
    result = _result("knife-crime", WY, "", "12M-2020-12")
    text = format_change(
        difference=result.difference, percent_change=result.percent_change, points=result.points,
        unit=result.measure.unit, decimals=result.measure.decimals,
    )
    assert text == "\u2212250 (\u221210.1%)"
    assert result.judgement == "better"


def test_a_small_count_change_is_flagged_as_not_significant(seed):
    result = _result("homicide-non-domestic", WY, "victim-under-25", "12M-2020-12")
    assert result.method == "poisson" and result.significant is False


def test_csew_figures_for_the_latest_12_months_are_not_available_not_zero(seed):
    result = _result("csew-household-crime", WY, "", "12M-2020-12")
    assert result.status == Result.Status.NOT_AVAILABLE
    assert result.current is None


def test_a_new_measure_has_no_comparison(seed):
    result = _result("cara-referrals", WY, "", "2020-21-Q3")
    assert result.status == Result.Status.NO_COMPARISON
    assert result.current == 64


def test_rates_typed_in_the_seed_agree_with_their_counts(seed):
    # Repeat missing rates and the incident-to-crime conversion were printed correctly.
    assert not QualityFlag.objects.filter(
        measure__code__in=["repeat-missing-adults-rate", "repeat-missing-children-rate",
                           "domestic-incident-crime-conversion"],
        kind__in=["rate", "formula"],
    ).exists()


def test_the_conversion_rate_is_computed_where_the_seed_gives_only_counts(seed):
    result = Result.objects.get(
        measure__code="domestic-incident-crime-conversion", area__code="kirklees", period__code="YTD-2020-12"
    )
    assert result.current.quantize(D("0.1")) == D("80.4")  # 6,541 ÷ 8,138 = 80.37…%


def test_the_seeds_wrong_printed_differences_are_on_the_data_quality_list(seed):
    flagged = {
        (flag.measure.code, flag.area.code, flag.given.normalize())
        for flag in QualityFlag.objects.filter(kind="printed").select_related("measure", "area")
    }
    assert flagged == {
        ("knife-crime", WY, D("10.1")),  # a fall of 10.1% printed as a rise
        ("liaison-diversion-screened", WY, D("200")),  # −200
        ("da-positive-outcome-rate", WY, D("-0.3")),  # −0.4 points
        ("da-positive-outcome-rate", "kirklees", D("-0.1")),  # −0.2 points
        ("repeat-victim-rate-da", "kirklees", D("-0.9")),  # −0.8 points
        ("repeat-victim-rate-da", "leeds", D("0.5")),  # +0.4 points
        ("victim-satisfaction", WY, D("2.4")),  # +2.3 points
    }
    # Printed figures that were right (total crime, Leeds's −1.6) are not flagged.
    knife = QualityFlag.objects.get(kind="printed", measure__code="knife-crime")
    assert "printed 10.1 (percent change), but the figures give -10.1" in knife.message
