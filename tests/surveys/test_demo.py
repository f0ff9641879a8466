"""The seed's survey figures, loaded as survey data, feed the section 1 measures."""

from decimal import Decimal as D

import pytest
from django.db import transaction
from django.test import TestCase

from demo import surveys as demo_surveys
from demo.loading import load_areas
from measures.models import Result as MeasureResult, Value
from surveys.models import Result, Survey, SurveyMeasure
from surveys.report_blocks import survey_block_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, in a transaction rolled back at its end.

    Loading the measures demo takes seconds; each test still runs in its own savepoint.
    """
    from demo import measures as demo_measures

    with django_db_blocker.unblock(), transaction.atomic():
        load_areas()
        demo_measures.load()
        # The load requests the linked measures' recalculation; on commit it runs in-process.
        with TestCase.captureOnCommitCallbacks(execute=True):
            demo_surveys.load()
        yield
        transaction.set_rollback(True)


def value(code, period, area="west-yorkshire", breakdown=None):
    return Value.objects.get(measure__code=code, area__code=area, period__code=period,
                             breakdown__code=breakdown) if breakdown else Value.objects.get(
        measure__code=code, area__code=area, period__code=period, breakdown__isnull=True)


def result(code, period, area="west-yorkshire"):
    return MeasureResult.objects.get(measure__code=code, area__code=area, period__code=period, breakdown__isnull=True)


def test_the_demo_loads_the_five_surveys_and_links_the_section_1_survey_measures(demo):
    assert Survey.objects.count() == 5
    assert SurveyMeasure.objects.values("measure").distinct().count() == len(demo_surveys.LINKS)


def test_feeling_safe_comes_from_the_community_conversation(demo):
    assert value("feeling-safe", "2020-06").value == D("86")
    assert value("feeling-safe", "2020-06").denominator == D("1039")
    october = result("feeling-safe", "2020-10")
    assert (october.current, october.previous) == (D("79"), D("86"))
    assert october.points == D("-7")
    assert october.significant is None  # October's base is not given, so it is not tested


def test_a_figure_section_1_printed_without_a_survey_behind_it_is_not_available(demo):
    # Section 1 printed June 89% and October 89% for "police doing a good or excellent job" and
    # reused the partners' 86.1% for "confidence to prevent crime and ASB": no survey gives them.
    for code in ["police-good-job", "confidence-prevent-crime-asb"]:
        for period in ["2020-06", "2020-10"]:
            assert value(code, period).value is None, (code, period)
    assert value("csp-confidence", "2020-06").value is None
    assert value("csp-confidence", "2020-10").value == D("86.1")
    assert value("csp-response-good-very-good", "2020-10").value == D("49.5")


def test_satisfaction_with_the_police_compares_the_two_surveys(demo):
    october = result("police-work-satisfaction", "2020-10")
    assert (october.current, october.previous, october.comparison_period.code) == (D("83"), D("81"), "2020-03")


def test_victim_satisfaction_is_a_significant_rise_of_2_3_points(demo):
    latest = result("victim-satisfaction", "12M-2020-12")
    assert (latest.current, latest.previous) == (D("77.4"), D("75.1"))
    assert latest.points == D("2.3")
    assert latest.current_base == latest.previous_base == 9240
    assert latest.significant is True
    assert value("victim-satisfaction", "12M-2020-12", breakdown="attended").value == D("81.7")
    assert value("victim-satisfaction", "12M-2020-12", area="leeds").value == D("81.3")


def test_the_csew_figures_after_march_2020_are_not_available_with_the_reason(demo):
    unavailable = value("csew-household-crime", "12M-2020-12")
    assert unavailable.value is None
    assert "telephone survey" in unavailable.note
    assert value("csew-perception-asb", "12M-2020-03").value == D("12.3")


def test_the_themes_are_recorded_without_invented_figures(demo):
    themes = Result.objects.filter(question__code="police-address")
    assert themes.count() == 4
    assert not themes.exclude(percentage=None).exists() and not themes.exclude(count=None).exists()
    ranked = Result.objects.filter(question__code="better-support").order_by("rank")
    assert [r.rank for r in ranked] == [1, 2]


def test_loading_the_survey_demo_twice_changes_nothing(demo, django_capture_on_commit_callbacks):
    before = sorted(Value.objects.values_list("measure__code", "area__code", "period__code", "value", "note"))
    results = Result.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        demo_surveys.load()
    assert callbacks == []  # no recalculation was needed
    assert Result.objects.count() == results
    assert sorted(Value.objects.values_list("measure__code", "area__code", "period__code", "value", "note")) == before


def test_the_community_conversation_block_shows_the_fall_in_feeling_safe(demo):
    data = survey_block_data(block_config={"survey": "community-conversation", "question": "feel-safe"})
    force = data["rows"][0]
    assert [cell["text"] for cell in force["cells"]] == ["86%", "79%"]
    assert force["change"]["text"] == "\u22127 points"
    assert force["change"]["mark"] == "not-tested"
