"""The entry grid: one wave, one question, every area and option at once; all or nothing."""

import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from jobs.models import Job
from measures.models import Recalculation, Result as MeasureResult, Value
from surveys.models import ResponseBase, Result
from tests.surveys.factories import result

pytestmark = pytest.mark.django_db


def entry_url(wave, question):
    return reverse("surveys:entry", args=[wave.survey.slug, wave.code, question.code])


def grid_data(areas, cells=None, bases=None):
    """Every box of the grid, empty unless given: {"leeds.good": "40"}, {"leeds": "120"}."""
    data = {}
    for area in areas:
        for code in ["very-good", "good", "satisfactory", "poor", "very-poor", "good-very-good", "poor-very-poor"]:
            data[f"cell.{area.code}.{code}"] = (cells or {}).get(f"{area.code}.{code}", "")
        data[f"base.{area.code}"] = (bases or {}).get(area.code, "")
    return data


def full_grid(areas):
    cells, bases = {}, {}
    for n, area in enumerate(areas):
        cells.update({
            f"{area.code}.very-good": "10", f"{area.code}.good": f"{30 + n}",
            f"{area.code}.satisfactory": "30", f"{area.code}.poor": "15", f"{area.code}.very-poor": "5",
        })
        bases[area.code] = str(200 + n)
    return cells, bases


def test_the_grid_shows_a_box_for_every_area_and_option_and_each_base(staff_client, areas, october, police_work):
    response = staff_client.get(entry_url(october, police_work))
    html = response.content.decode()
    assert response.status_code == 200
    for area in areas:
        assert f'name="cell.{area.code}.good"' in html
        assert f'name="cell.{area.code}.good-very-good"' in html
        assert f'name="base.{area.code}"' in html
    assert "Leeds: Good or very good (%)" in html  # each box has its own label
    assert "<caption" in html and 'scope="row"' in html


def test_the_grid_shows_what_was_entered_and_group_totals_worked_out(staff_client, areas, october, police_work):
    leeds = areas[4]
    result(october, police_work, leeds, "good", 40, base=120)
    result(october, police_work, leeds, "very-good", 6)
    html = staff_client.get(entry_url(october, police_work)).content.decode()
    assert 'name="cell.leeds.good" value="40"' in html
    assert 'name="base.leeds" value="120"' in html
    assert re.search(r"name=\"cell\.leeds\.good-very-good\"(?! value)", html)  # worked out, not entered
    assert "From its options: 46%" in html


def test_the_grid_runs_the_same_number_of_queries_for_twice_the_areas(
    staff_client, areas, october, police_work, django_assert_num_queries
):
    from tests.factories import AreaFactory

    url = entry_url(october, police_work)
    staff_client.get(url)  # warm the session
    # session, user, groups (the staff check), wave with survey and period, question, options,
    # groups, groups' options, areas, results, bases
    with django_assert_num_queries(11):
        staff_client.get(url)
    for n in range(6):
        area = AreaFactory(code=f"extra-{n}", name=f"Extra {n}", order=10 + n)
        result(october, police_work, area, "good", 40 + n, base=100)
    with django_assert_num_queries(11):
        response = staff_client.get(url)
    assert 'name="cell.extra-5.good" value="45"' in response.content.decode()


def test_a_bad_cell_gets_a_message_naming_the_area_and_option_and_nothing_is_saved(
    staff_client, areas, october, police_work, good_job
):
    cells, bases = full_grid(areas)
    cells["leeds.good"] = "abc"
    response = staff_client.post(entry_url(october, police_work), grid_data(areas, cells, bases))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Leeds, Good: “abc” is not a number: enter a percentage like 79 or 79.5" in html
    assert 'href="#id_cell.leeds.good"' in html
    assert "<title>Error: " in html
    assert 'value="abc"' in html  # what was typed is kept
    assert not Result.objects.exists()
    assert not ResponseBase.objects.exists()
    assert not Value.objects.exists()
    assert not Recalculation.objects.exists()


def test_a_percentage_over_100_is_refused(staff_client, areas, october, police_work):
    cells, bases = full_grid(areas)
    cells["kirklees.poor"] = "150"
    html = staff_client.post(entry_url(october, police_work), grid_data(areas, cells, bases)).content.decode()
    assert "Kirklees, Poor: 150% is not a percentage: enter a number from 0 to 100" in html
    assert not Result.objects.exists()


def test_options_of_a_single_choice_question_may_not_add_up_to_more_than_100(staff_client, areas, october, police_work):
    cells, bases = full_grid(areas)
    cells["bradford.good"] = "45"  # 10 + 45 + 30 + 15 + 5 = 105, beyond 100 + 5 × 0.5
    html = staff_client.post(entry_url(october, police_work), grid_data(areas, cells, bases)).content.decode()
    assert "Bradford: the options add up to 105%, more than 100%" in html
    assert not Result.objects.exists()


def test_rounding_may_take_a_single_choice_question_just_over_100(staff_client, areas, october, police_work):
    cells, bases = full_grid(areas)
    cells["bradford.good"] = "42"  # 102: five rounded figures can be 2.5 over
    response = staff_client.post(entry_url(october, police_work), grid_data(areas, cells, bases))
    assert response.status_code == 302
    assert Result.objects.filter(area__code="bradford").count() == 5


def test_a_group_that_does_not_match_its_options_is_refused(staff_client, areas, october, police_work):
    cells = {"leeds.very-good": "6", "leeds.good": "40", "leeds.good-very-good": "50"}
    html = staff_client.post(entry_url(october, police_work), grid_data(areas, cells)).content.decode()
    assert "Leeds, Good or very good: 50% does not match its options, which add up to 46%" in html
    assert not Result.objects.exists()


def test_a_bad_base_is_refused(staff_client, areas, october, police_work):
    html = staff_client.post(
        entry_url(october, police_work), grid_data(areas, {"leeds.good": "40"}, {"leeds": "12.5"})
    ).content.decode()
    assert "Leeds, number who answered: “12.5” is not a whole number of people" in html
    assert not Result.objects.exists()


def test_a_correct_grid_saves_every_area_at_once_and_feeds_the_linked_measure(
    staff_client, staff_user, areas, october, police_work, good_job, django_capture_on_commit_callbacks
):
    cells, bases = full_grid(areas)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(entry_url(october, police_work), grid_data(areas, cells, bases))
    assert response.status_code == 302
    assert Result.objects.count() == 6 * 5
    assert ResponseBase.objects.count() == 6
    # The measure takes "good or very good" = very good + good, worked out from the options.
    values = {v.area.code: v for v in Value.objects.filter(measure=good_job).select_related("area", "period")}
    assert set(values) == {area.code for area in areas}
    leeds = values["leeds"]
    assert leeds.value == D("10") + D("34")
    assert leeds.denominator == D("204")
    assert leeds.numerator is None
    assert leeds.period.code == "2020-10"
    assert leeds.entered_by == staff_user
    assert "Good or very good" in leeds.note
    # Recalculation was requested and, on commit, ran (tasks run in-process in the tests).
    job = Job.objects.get(kind="recalculate")
    assert job.state == Job.State.SUCCEEDED
    assert MeasureResult.objects.filter(measure=good_job, area__code="leeds", period__code="2020-10").exists()
    follow = staff_client.get(response["Location"])
    assert "Results saved" in follow.content.decode()
    assert "1 linked measure is being recalculated" in follow.content.decode()


def test_saving_the_same_grid_again_changes_nothing(
    staff_client, areas, october, police_work, good_job, django_capture_on_commit_callbacks
):
    cells, bases = full_grid(areas)
    url = entry_url(october, police_work)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, grid_data(areas, cells, bases))
    jobs = Job.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, grid_data(areas, cells, bases))
    assert Job.objects.count() == jobs
    assert "Nothing changed" in staff_client.get(url).content.decode()


def test_emptying_a_box_removes_its_result(staff_client, areas, october, police_work):
    leeds = areas[4]
    result(october, police_work, leeds, "good", 40)
    staff_client.post(entry_url(october, police_work), grid_data(areas))
    assert not Result.objects.exists()


def test_a_segment_has_its_own_grid(staff_client, areas, october, police_work):
    from tests.surveys.factories import segment

    attended = segment(october.survey, "attended", "Attended incidents")
    url = entry_url(october, police_work) + "?segment=attended"
    assert "Attended incidents" in staff_client.get(url).content.decode()
    staff_client.post(url, grid_data(areas, {"leeds.good": "40"}))
    assert Result.objects.get().segment == attended
    assert staff_client.get(entry_url(october, police_work) + "?segment=nope").status_code == 404


@pytest.mark.parametrize("client_name", ["partner_client", "panel_client"])
def test_only_staff_may_enter_results(request, client_name, areas, october, police_work):
    client = request.getfixturevalue(client_name)
    assert client.get(entry_url(october, police_work)).status_code == 403
    assert client.post(entry_url(october, police_work), grid_data(areas, {"leeds.good": "40"})).status_code == 403
    assert not Result.objects.exists()
