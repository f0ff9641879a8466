"""OPCC staff enter a new wave's results in the grid, fix a bad cell, and the measure follows."""

from decimal import Decimal

import pytest

from measures import calculation
from measures.models import Value
from organisations import roles
from surveys import services
from surveys.models import Result
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import PASSWORD, AreaFactory, UserFactory
from tests.surveys.conftest import DISTRICTS, survey_measure
from tests.surveys.factories import OptionFactory, QuestionFactory, SurveyFactory, WaveFactory, link, result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("everything_published")]

NEW_WAVE = {  # area: (feel safe, do not feel safe, base)
    "West Yorkshire": ("83", "17", "1,102"),
    "Bradford": ("84", "16", "201"),
    "Calderdale": ("87", "13", "150"),
    "Kirklees": ("85", "15", "180"),
    "Leeds": ("81", "19", "320"),
    "Wakefield": ("86", "14", "170"),
}


@pytest.fixture
def setup(db):
    force = AreaFactory(code="west-yorkshire", name="West Yorkshire", order=0)
    areas = [force] + [
        AreaFactory(code=code, name=code.title(), parent=force, order=n) for n, code in enumerate(DISTRICTS, 1)
    ]
    survey = SurveyFactory(name="Community Conversation", slug="community-conversation")
    october = WaveFactory(survey=survey, code="2020-10", label="October 2020")
    WaveFactory(survey=survey, code="2021-03", label="March 2021")
    question = QuestionFactory(survey=survey, code="feel-safe", text="Do you feel safe in your neighbourhood?")
    OptionFactory(question=question, code="safe", label="Feel safe", order=0)
    OptionFactory(question=question, code="not-safe", label="Do not feel safe", order=1)
    measure = survey_measure("feeling-safe", name="Feeling safe in their neighbourhood")
    link(measure, question, "safe")
    for area in areas:
        result(october, question, area, "safe", 79)
    services.feed_measures(measure_ids=[measure.pk])
    calculation.recalculate()
    UserFactory(username="opcc", role=roles.OPCC_STAFF)
    return measure


def fill_grid(page, leeds_safe: str) -> None:
    for area, (safe, not_safe, base) in NEW_WAVE.items():
        page.get_by_label(f"{area}: Feel safe (%)").fill(leeds_safe if area == "Leeds" else safe)
        page.get_by_label(f"{area}: Do not feel safe (%)").fill(not_safe)
        page.get_by_label(f"{area}: number who answered (base)").fill(base)


def test_opcc_enters_a_wave_for_every_district_fixes_a_bad_cell_and_the_measure_shows_it(page, setup):
    sign_in(page, "opcc", PASSWORD)
    page.goto("/surveys/")
    page.get_by_role("link", name="March 2021").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Do you feel safe in your neighbourhood?", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Do you feel safe in your neighbourhood?").is_visible()
    assert axe_violations(page) == []

    fill_grid(page, leeds_safe="8l")
    page.get_by_role("button", name="Save results").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Leeds, Feel safe: “8l” is not a number" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert page.get_by_label("Bradford: Feel safe (%)").input_value() == "84"  # nothing typed is lost
    assert not Result.objects.filter(wave__code="2021-03").exists()  # nothing was saved
    assert axe_violations(page) == []

    summary.get_by_role("link", name="Leeds, Feel safe: “8l” is not a number").click()
    leeds = page.get_by_label("Leeds: Feel safe (%)")
    leeds.fill("81")
    page.get_by_role("button", name="Save results").click()
    page.wait_for_load_state()
    assert "Results saved" in page.locator(".govuk-notification-banner").inner_text()
    assert Result.objects.filter(wave__code="2021-03").count() == 12

    # Recalculation ran on commit (tasks run in-process in the tests): the measure page shows it.
    assert Value.objects.get(measure=setup, area__code="leeds", period__code="2021-03").value == Decimal("81")
    page.goto(f"/measures/{setup.code}/")
    page.wait_for_load_state()
    content = page.locator("main").inner_text()
    assert "83%" in content and "81%" in content
    assert "March 2021" in content or "Mar 2021" in content or "Mar-21" in content


def test_the_other_survey_pages_have_no_axe_violations(page, setup, tmp_path):
    sign_in(page, "opcc", PASSWORD)
    for path in ["/surveys/", "/surveys/community-conversation/2021-03/", "/surveys/import/"]:
        page.goto(path)
        page.wait_for_load_state()
        assert axe_violations(page) == [], path
    bad = tmp_path / "results.csv"
    bad.write_text("survey,wave,question,area,option,percentage\n"
                   "community-conversation,2021-03,feel-safe,leeds,safe,181\n")
    page.get_by_label("File of survey results").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert "181% is not a percentage" in page.locator("main").inner_text()
    assert axe_violations(page) == []
