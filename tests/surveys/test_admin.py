"""Setting surveys up in the admin; results themselves change only through the grid and imports."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from measures.models import Value
from surveys.models import Wave
from tests.surveys.conftest import survey_measure
from tests.surveys.factories import link, result

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["survey", "wave", "question", "result", "responsebase", "surveymeasure"])
def test_staff_see_every_survey_list_in_the_admin(staff_client, model, october, police_work):
    assert staff_client.get(reverse(f"admin:surveys_{model}_changelist")).status_code == 200


def test_results_cannot_be_added_or_changed_one_row_at_a_time_in_the_admin(staff_client, areas, october, police_work):
    made = result(october, police_work, areas[0], "good", 40)
    assert staff_client.get(reverse("admin:surveys_result_add")).status_code == 403
    response = staff_client.post(reverse("admin:surveys_result_change", args=[made.pk]), {"percentage": "99"})
    assert response.status_code == 403


def test_the_wave_form_takes_a_period_code_and_links_to_the_grid(staff_client, october):
    url = reverse("admin:surveys_wave_change", args=[october.pk])
    html = staff_client.get(url).content.decode()
    assert 'value="2020-10"' in html
    assert reverse("surveys:wave", args=[october.survey.slug, october.code]) in html


def test_a_bad_period_code_is_refused_with_the_period_rules_message(staff_client, survey):
    response = staff_client.post(reverse("admin:surveys_wave_add"), {
        "survey": survey.pk, "code": "2021-13", "label": "Thirteenth month", "period_code": "2021-13",
        "status": "completed", "status_reason": "", "notes": "",
    })
    assert response.status_code == 200
    assert "2021-13" in response.content.decode()
    assert not Wave.objects.filter(code="2021-13").exists()


def test_suspending_a_wave_in_the_admin_feeds_the_linked_measures(
    staff_client, areas, october, feel_safe, django_capture_on_commit_callbacks
):
    measure = survey_measure("feeling-safe")
    link(measure, feel_safe, "safe")
    result(october, feel_safe, areas[0], "safe", 79)
    response = staff_client.post(reverse("admin:surveys_wave_change", args=[october.pk]), {
        "survey": october.survey.pk, "code": october.code, "label": october.label, "period_code": "2020-10",
        "status": "suspended", "status_reason": "fieldwork abandoned", "notes": "",
    })
    assert response.status_code == 302
    value = Value.objects.get(measure=measure, area=areas[0], period__code="2020-10")
    assert value.value is None
    assert value.note.endswith("fieldwork abandoned")


def test_linking_a_measure_in_the_admin_writes_its_figures(staff_client, areas, october, police_work):
    measure = survey_measure("police-work-good-very-good")
    result(october, police_work, areas[0], "good-very-good", 46)
    group = police_work.groups.get(code="good-very-good")
    response = staff_client.post(reverse("admin:surveys_surveymeasure_add"), {
        "measure": measure.pk, "question": police_work.pk, "option": "", "group": group.pk,
    })
    assert response.status_code == 302
    assert Value.objects.get(measure=measure).value == D("46")


def test_a_link_to_another_questions_option_is_refused(staff_client, areas, police_work, feel_safe):
    measure = survey_measure("feeling-safe")
    response = staff_client.post(reverse("admin:surveys_surveymeasure_add"), {
        "measure": measure.pk, "question": police_work.pk, "option": feel_safe.options.first().pk, "group": "",
    })
    assert response.status_code == 200
    assert "The option or group must belong to the question" in response.content.decode()
