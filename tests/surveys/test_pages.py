"""The staff survey pages list what there is in a fixed number of queries."""

import pytest
from django.urls import reverse

from tests.surveys.factories import QuestionFactory, SurveyFactory, WaveFactory, result, segment

pytestmark = pytest.mark.django_db


def test_the_index_lists_each_survey_with_its_waves_in_fixed_queries(staff_client, django_assert_num_queries):
    def add_surveys(start):
        for n in range(start, start + 3):
            survey = SurveyFactory(name=f"Survey {n}", slug=f"survey-{n}")
            WaveFactory(survey=survey, code="2020-06", label="June 2020")
            WaveFactory(survey=survey, code="2020-10", label="October 2020")

    add_surveys(0)
    url = reverse("surveys:index")
    staff_client.get(url)
    # session, user, groups, surveys, their waves (with periods)
    with django_assert_num_queries(5):
        staff_client.get(url)
    add_surveys(3)
    with django_assert_num_queries(5):
        html = staff_client.get(url).content.decode()
    assert html.count("October 2020") == 6


def test_the_wave_page_lists_each_question_in_fixed_queries(staff_client, areas, october, django_assert_num_queries):
    segment(october.survey, "attended")

    def add_questions(start):
        for n in range(start, start + 3):
            question = QuestionFactory(survey=october.survey, code=f"q-{n}", text=f"Question {n}?")
            from tests.surveys.factories import OptionFactory

            OptionFactory(question=question, code="yes", label="Yes")
            result(october, question, areas[0], "yes", 50)

    add_questions(0)
    url = reverse("surveys:wave", args=[october.survey.slug, october.code])
    staff_client.get(url)
    # session, user, groups, wave with survey and period, questions, answered questions, segments
    with django_assert_num_queries(7):
        staff_client.get(url)
    add_questions(3)
    with django_assert_num_queries(7):
        html = staff_client.get(url).content.decode()
    assert html.count("?segment=attended") == 6


def test_the_wave_page_says_a_wave_not_yet_published_feeds_no_measure(staff_client, survey):
    draft = WaveFactory(survey=survey, code="2021-06", label="June 2021", status="unpublished")
    html = staff_client.get(reverse("surveys:wave", args=[survey.slug, draft.code])).content.decode()
    assert "feed no measure until the wave is marked completed" in html
