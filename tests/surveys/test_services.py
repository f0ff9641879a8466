"""Measures fed by surveys: their figures are written from the survey data, and recalculated."""

from decimal import Decimal as D

import pytest

from measures.models import Recalculation, Value
from surveys import services
from surveys.models import Wave
from tests.factories import BreakdownFactory, PeriodFactory, ValueFactory
from tests.surveys.conftest import survey_measure
from tests.surveys.factories import WaveFactory, link, result, segment

pytestmark = pytest.mark.django_db


def values_of(measure):
    return {
        (v.area.code, v.breakdown.code if v.breakdown else None, v.period.code): v
        for v in Value.objects.filter(measure=measure).select_related("area", "breakdown", "period")
    }


def test_a_linked_measure_gets_one_figure_per_area_and_wave(areas, june, october, feel_safe):
    measure = survey_measure("feeling-safe")
    link(measure, feel_safe, "safe")
    force, leeds = areas[0], areas[4]
    result(june, feel_safe, force, "safe", 86, base=1039)
    result(october, feel_safe, force, "safe", 79)
    result(october, feel_safe, leeds, "safe", 81, count=97, base=120)
    assert services.feed_measures(question_ids=[feel_safe.pk]) == {measure.pk}
    values = values_of(measure)
    assert set(values) == {
        ("west-yorkshire", None, "2020-06"), ("west-yorkshire", None, "2020-10"), ("leeds", None, "2020-10"),
    }
    june_value = values[("west-yorkshire", None, "2020-06")]
    assert (june_value.value, june_value.numerator, june_value.denominator) == (D("86"), None, D("1039"))
    leeds_value = values[("leeds", None, "2020-10")]
    assert (leeds_value.value, leeds_value.numerator, leeds_value.denominator) == (D("81"), D("97"), D("120"))
    assert leeds_value.source == "Community Conversation"
    assert Recalculation.objects.filter(measure=measure).exists()


def test_feeding_twice_changes_nothing_and_requests_nothing(areas, october, feel_safe):
    measure = survey_measure("feeling-safe")
    link(measure, feel_safe, "safe")
    result(october, feel_safe, areas[0], "safe", 79)
    services.feed_measures(question_ids=[feel_safe.pk])
    Recalculation.objects.all().delete()
    assert services.feed_measures(question_ids=[feel_safe.pk]) == set()
    assert not Recalculation.objects.exists()


def test_a_figure_no_survey_result_gives_becomes_not_available(areas, june, october, police_work):
    """The seed's section 1 printed June 89% for "good job"; no survey result gives it."""
    measure = survey_measure("police-good-job")
    ValueFactory(measure=measure, area=areas[0], period=PeriodFactory(code="2020-06"), value=D("89"),
                 denominator=D("1039"))
    link(measure, police_work, "good-very-good")
    result(october, police_work, areas[0], "good-very-good", 46)
    services.feed_measures(measure_ids=[measure.pk])
    values = values_of(measure)
    unsupported = values[("west-yorkshire", None, "2020-06")]
    assert unsupported.value is None and unsupported.denominator is None
    assert unsupported.note.startswith("Not available: no survey result gives this figure")
    assert values[("west-yorkshire", None, "2020-10")].value == D("46")


def test_one_survey_figure_feeds_only_the_measure_linked_to_it(areas, october, police_work):
    good, other = survey_measure("police-work-good-very-good"), survey_measure("confidence-prevent-crime-asb")
    link(good, police_work, "good-very-good")
    result(october, police_work, areas[0], "good-very-good", 46)
    services.feed_measures(question_ids=[police_work.pk])
    assert not Value.objects.filter(measure=other).exists()


def test_a_group_total_is_fed_from_its_options_when_not_entered(areas, october, police_work):
    measure = survey_measure("police-work-good-very-good")
    link(measure, police_work, "good-very-good")
    result(october, police_work, areas[0], "very-good", 12)
    result(october, police_work, areas[0], "good", 34)
    services.feed_measures(measure_ids=[measure.pk])
    value = values_of(measure)[("west-yorkshire", None, "2020-10")]
    assert value.value == D("46")
    assert "the sum of its options" in value.note


def test_a_base_under_50_feeds_the_measure_as_not_available(areas, october, feel_safe):
    measure = survey_measure("feeling-safe")
    link(measure, feel_safe, "safe")
    result(october, feel_safe, areas[1], "safe", 90, base=32)
    services.feed_measures(measure_ids=[measure.pk])
    value = values_of(measure)[("bradford", None, "2020-10")]
    assert value.value is None
    assert value.note.startswith("Not shown: too few responses (32, fewer than 50)")


def test_a_suspended_wave_feeds_not_available_with_its_reason(areas, survey, october, feel_safe):
    measure = survey_measure("feeling-safe")
    link(measure, feel_safe, "safe")
    result(october, feel_safe, areas[0], "safe", 79)
    WaveFactory(survey=survey, code="2021-03", label="March 2021", status=Wave.Status.SUSPENDED,
                status_reason="suspended due to the pandemic")
    services.feed_measures(measure_ids=[measure.pk])
    value = values_of(measure)[("west-yorkshire", None, "2021-03")]
    assert value.value is None
    assert value.note == "Not available: Community Conversation, March 2021: suspended due to the pandemic"


def test_an_unpublished_wave_feeds_nothing(areas, survey, feel_safe):
    measure = survey_measure("feeling-safe")
    link(measure, feel_safe, "safe")
    draft = WaveFactory(survey=survey, code="2021-06", label="June 2021", status=Wave.Status.UNPUBLISHED)
    result(draft, feel_safe, areas[0], "safe", 70)
    assert services.feed_measures(measure_ids=[measure.pk]) == set()
    assert not Value.objects.exists()


def test_a_segment_feeds_the_breakdown_with_its_code(areas, survey, october, feel_safe):
    measure = survey_measure("feeling-safe")
    attended = BreakdownFactory(measure=measure, code="attended")
    link(measure, feel_safe, "safe")
    result(october, feel_safe, areas[0], "safe", 79)
    result(october, feel_safe, areas[0], "safe", 82, segment=segment(survey, "attended"))
    result(october, feel_safe, areas[0], "safe", 70, segment=segment(survey, "night-time"))
    services.feed_measures(measure_ids=[measure.pk])
    values = values_of(measure)
    assert values[("west-yorkshire", "attended", "2020-10")].value == D("82")
    assert values[("west-yorkshire", None, "2020-10")].value == D("79")
    assert len(values) == 2  # no breakdown is called night-time
    assert attended.values.count() == 1


def test_a_measure_may_be_fed_by_two_surveys(areas, october, feel_safe):
    from tests.surveys.factories import OptionFactory, QuestionFactory, SurveyFactory

    your_views = SurveyFactory(name="Your Views", slug="your-views")
    march = WaveFactory(survey=your_views, code="2020-03", label="March 2020")
    question = QuestionFactory(survey=your_views, code="feel-safe")
    OptionFactory(question=question, code="safe", label="Safe")
    measure = survey_measure("feeling-safe")
    link(measure, question, "safe")
    link(measure, feel_safe, "safe")
    result(march, question, areas[0], "safe", 81)
    result(october, feel_safe, areas[0], "safe", 79)
    services.feed_measures(measure_ids=[measure.pk])
    assert {key[2]: v.value for key, v in values_of(measure).items()} == {"2020-03": D("81"), "2020-10": D("79")}
