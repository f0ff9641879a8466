"""Bad input gets a GOV.UK error summary and changes nothing."""

import pytest

from delivery.models import DeliveryUpdate, KpiLine, Status, is_kpi_value
from tests.delivery.test_workflow import form_data


@pytest.mark.parametrize("value", ["47", "47%", "1,234", "12.5", "12.5%", "-3", "−3.5%", "0", "47 %"])
def test_numbers_and_percentages_are_kpi_values(value):
    assert is_kpi_value(value)


@pytest.mark.parametrize("value", ["about half", "47%%", "4 7", "1,23", "Q3", "<b>1</b>", "%", "1.", "ten"])
def test_anything_else_is_not_a_kpi_value(value):
    assert not is_kpi_value(value)


def test_an_empty_body_is_refused_with_an_error_summary(partner_client, obligations, priority):
    response = partner_client.post(f"/partners/updates/new/{priority.slug}/", form_data(body="   "))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error:" in page
    assert 'class="govuk-error-summary"' in page
    assert '<a href="#id_body">Enter the update</a>' in page
    assert "govuk-form-group--error" in page
    assert DeliveryUpdate.objects.count() == 0


def test_a_kpi_value_that_is_not_a_number_or_percentage_is_refused(partner_client, obligations, priority):
    response = partner_client.post(
        f"/partners/updates/new/{priority.slug}/", form_data(**{"kpis-0-q2": "about half"})
    )
    page = response.content.decode()
    assert (
        '<a href="#id_kpis-0-q2">Enter the Q2 value of KPI line 1 as a number or a percentage, like 47 or 47%</a>'
        in page
    )
    assert 'value="about half"' in page  # what they typed is kept
    assert DeliveryUpdate.objects.count() == 0


def test_a_kpi_line_needs_a_label_and_a_value(partner_client, obligations, priority):
    page = partner_client.post(
        f"/partners/updates/new/{priority.slug}/",
        form_data(**{"kpis-0-label": "", "kpis-0-q1": "4"}),
    ).content.decode()
    assert "Enter what KPI line 1 measures" in page
    page = partner_client.post(
        f"/partners/updates/new/{priority.slug}/",
        form_data(**{"kpis-0-q1": "", "kpis-0-q2": "", "kpis-0-q3": ""}),
    ).content.decode()
    assert "Enter at least one quarter’s value for KPI line 1" in page
    assert DeliveryUpdate.objects.count() == 0


def test_an_empty_extra_kpi_line_and_quotation_are_ignored(partner_client, obligations, priority):
    data = form_data(**{
        "kpis-0-label": "", "kpis-0-q1": "", "kpis-0-q2": "", "kpis-0-q3": "",
        "quotations-0-text": "", "quotations-0-kind": "partner",
    })
    assert partner_client.post(f"/partners/updates/new/{priority.slug}/", data).status_code == 302
    update = DeliveryUpdate.objects.get()
    assert update.kpis.count() == 0 and update.quotations.count() == 0


def test_an_edit_with_errors_changes_nothing(partner_client, draft):
    response = partner_client.post(
        f"/partners/updates/{draft.pk}/edit/",
        form_data(body="", version=str(draft.version), **{"kpis-0-q1": "lots"}),
    )
    page = response.content.decode()
    assert "Enter the update" in page and "Enter the Q1 value of KPI line 1" in page
    draft.refresh_from_db()
    assert draft.body.startswith("The one to one work") and draft.version == 1
    assert list(draft.kpis.values_list("q1", flat=True)) == ["40%"]


def test_submission_is_refused_when_the_stored_body_is_empty_or_a_kpi_value_is_bad(partner_client, draft):
    # Words saved some other way (the admin, an old draft) are checked again at submission.
    DeliveryUpdate.objects.filter(pk=draft.pk).update(body="")
    KpiLine.objects.filter(update=draft).update(q2="lots")
    page = partner_client.get(f"/partners/updates/{draft.pk}/preview/").content.decode()
    assert "govuk-error-summary" in page and "Submit update" not in page
    response = partner_client.post(f"/partners/updates/{draft.pk}/submit/", {"version": draft.version})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "Enter the update" in page
    assert "KPI line 1: enter the Q2 value as a number or a percentage" in page
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.transitions.count() == 1


def test_a_removed_kpi_line_is_removed(partner_client, draft):
    data = form_data(version=str(draft.version), **{
        "kpis-TOTAL_FORMS": "2", "kpis-INITIAL_FORMS": "1",
        "kpis-0-label": "Old", "kpis-0-q1": "1", "kpis-0-DELETE": "on",
        "kpis-1-label": "", "kpis-1-q1": "",
    })
    assert partner_client.post(f"/partners/updates/{draft.pk}/edit/", data).status_code == 302
    assert draft.kpis.count() == 0
