"""Draft → submitted → returned → submitted → approved, through the pages, each step recorded."""

import pytest

from delivery import services
from delivery.models import DeliveryUpdate, Status, Transition
from delivery.services import UpdateContent


def form_data(**overrides):
    """A complete POST of the update form: one KPI line, one quotation."""
    data = {
        "title": "MARAC Navigator project",
        "body": "The MARAC Navigator project was initiated to target support.",
        "key_facts": "High engagement from clients referred.\nCases reduced MARAC referrals by 84.",
        "kpis-TOTAL_FORMS": "1", "kpis-INITIAL_FORMS": "0",
        "kpis-0-label": "% of successful completions", "kpis-0-q1": "40%", "kpis-0-q2": "40", "kpis-0-q3": "47%",
        "kpis-0-q4": "",
        "quotations-TOTAL_FORMS": "1", "quotations-INITIAL_FORMS": "0",
        "quotations-0-text": "I feel I have a happy future.", "quotations-0-attribution": "",
        "quotations-0-kind": "client",
    }
    data.update(overrides)
    return data


def test_a_partner_writes_a_draft_for_a_section_it_owes(partner_client, partner_user, obligations, priority, organisation):
    response = partner_client.post(f"/partners/updates/new/{priority.slug}/", form_data(next="draft"))
    update = DeliveryUpdate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/partners/updates/{update.pk}/"
    assert (update.organisation, update.priority, update.status, update.version) == (
        organisation, priority, Status.DRAFT, 1
    )
    assert update.period.code == "2020-21-Q4"
    assert [(k.label, k.q1, k.q2, k.q3, k.q4) for k in update.kpis.all()] == [
        ("% of successful completions", "40%", "40", "47%", "")
    ]
    quotation = update.quotations.get()
    assert (quotation.kind, quotation.attribution_text) == ("client", "Anonymous client")
    assert update.key_fact_list == ["High engagement from clients referred.", "Cases reduced MARAC referrals by 84."]
    started = update.transitions.get()
    assert (started.action, started.actor, started.to_status) == ("started", partner_user, "draft")


def test_save_and_check_leads_to_the_preview(partner_client, obligations, priority):
    response = partner_client.post(f"/partners/updates/new/{priority.slug}/", form_data(next="preview"))
    update = DeliveryUpdate.objects.get()
    assert response["Location"] == f"/partners/updates/{update.pk}/preview/"
    page = partner_client.get(response["Location"]).content.decode()
    assert "Check your update before you submit it" in page
    assert "Key performance information 2020/21" in page
    assert "I feel I have a happy future." in page
    assert f'name="version" value="{update.version}"' in page


def test_the_whole_journey_is_recorded_step_by_step(partner_client, staff_client, partner_user, staff_user, draft):
    assert partner_client.post(f"/partners/updates/{draft.pk}/submit/", {"version": draft.version}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and draft.submitted_at is not None

    response = staff_client.post(f"/review/updates/{draft.pk}/return/", {"return-comment": "Add the figures for Q3."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.RETURNED

    page = partner_client.get(f"/partners/updates/{draft.pk}/").content.decode()
    assert "Returned with comments" in page and "Add the figures for Q3." in page

    edit = partner_client.post(
        f"/partners/updates/{draft.pk}/edit/",
        form_data(title=draft.title, body="Now with the figures for Q3.", version=str(draft.version)),
    )
    assert edit.status_code == 302
    draft.refresh_from_db()
    assert partner_client.post(f"/partners/updates/{draft.pk}/submit/", {"version": draft.version}).status_code == 302

    review = staff_client.get(f"/review/updates/{draft.pk}/").content.decode()
    assert "Changes since it was returned" in review
    assert "<ins>" in review and "<del>" in review

    assert staff_client.post(f"/review/updates/{draft.pk}/approve/", {"approve-comment": ""}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED and draft.approved_at is not None

    steps = [(t.action, t.actor, t.from_status, t.to_status, t.comment) for t in draft.transitions.all()]
    assert steps == [
        ("started", partner_user, "", "draft", ""),
        ("submitted", partner_user, "draft", "submitted", ""),
        ("returned", staff_user, "submitted", "returned", "Add the figures for Q3."),
        ("submitted", partner_user, "returned", "submitted", ""),
        ("approved", staff_user, "submitted", "approved", ""),
    ]
    history = partner_client.get(f"/partners/updates/{draft.pk}/").content.decode()
    assert history.count("<tr class=\"govuk-table__row\">") >= 5
    assert "Returned" in history and "Approved" in history


def test_returning_needs_a_comment_and_changes_nothing_without_one(staff_client, submitted):
    response = staff_client.post(f"/review/updates/{submitted.pk}/return/", {"return-comment": "   "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Enter a comment saying what needs to change" in page
    assert "<title>Error:" in page
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert submitted.transitions.count() == 2


@pytest.mark.parametrize("status", [Status.DRAFT, Status.RETURNED, Status.APPROVED])
def test_only_a_submitted_update_can_be_approved_or_returned(status, draft, staff_user, partner_user):
    if status != Status.DRAFT:
        services.update_submit(update=draft, user=partner_user, expected_version=draft.version)
        if status == Status.RETURNED:
            services.update_return(update=draft, reviewer=staff_user, comment="Again")
        else:
            services.update_approve(update=draft, reviewer=staff_user)
    draft.refresh_from_db()
    before = draft.transitions.count()
    for act in (
        lambda: services.update_approve(update=draft, reviewer=staff_user),
        lambda: services.update_return(update=draft, reviewer=staff_user, comment="No"),
    ):
        with pytest.raises(services.InvalidTransition):
            act()
    draft.refresh_from_db()
    assert draft.status == status
    assert draft.transitions.count() == before


def test_a_second_reviewer_approving_the_same_update_is_told_it_is_done(staff_client, submitted, staff_user):
    services.update_approve(update=submitted, reviewer=staff_user)
    response = staff_client.post(f"/review/updates/{submitted.pk}/approve/", {"approve-comment": ""}, follow=True)
    assert "This update is approved by" in response.content.decode()
    assert submitted.transitions.filter(action=Transition.Action.APPROVED).count() == 1


def test_submitting_a_version_older_than_the_preview_is_refused(partner_client, draft, partner_user):
    services.update_save(
        update=draft, editor=partner_user, expected_version=draft.version,
        content=UpdateContent(title="Changed by a colleague", body="New words"),
    )
    response = partner_client.post(f"/partners/updates/{draft.pk}/submit/", {"version": 1}, follow=True)
    assert "changed after you checked it" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_the_task_list_shows_each_section_with_its_status_and_the_due_date(partner_client, draft, open_round):
    page = partner_client.get("/partners/").content.decode()
    assert f"Due by {open_round.due_on.day}" in page
    assert "Tackle crime and anti-social behaviour" in page and "Safeguard vulnerable people" in page
    assert "Breaking the Cycle project" in page
    assert "govuk-tag--light-blue\">Draft" in page
    assert "govuk-tag--grey\">Not started" in page


def test_earlier_quarters_show_only_approved_updates_of_the_organisation(partner_client, organisation, other_organisation, priority):
    from tests.delivery.factories import UpdateFactory, quarter

    q3 = quarter("2020-21-Q3")
    UpdateFactory(organisation=organisation, period=q3, priority=priority, title="Approved earlier", status=Status.APPROVED)
    UpdateFactory(organisation=organisation, period=q3, priority=priority, title="Never finished")
    UpdateFactory(organisation=other_organisation, period=q3, priority=priority, title="Leeds approved", status=Status.APPROVED)
    page = partner_client.get("/partners/").content.decode()
    assert "Oct – Dec 2020" in page and "Approved earlier" in page
    assert "Never finished" not in page and "Leeds approved" not in page


def test_the_tracker_shows_every_state(staff_client, draft, other_draft, obligations, open_round, partner_user, staff_user, organisation, other_priority):
    from tests.delivery.factories import UpdateFactory

    services.update_submit(update=other_draft, user=partner_user, expected_version=other_draft.version)
    returned = UpdateFactory(organisation=organisation, priority=other_priority, period=open_round.period)
    services.update_submit(update=returned, user=partner_user, expected_version=1)
    services.update_return(update=returned, reviewer=staff_user, comment="More")
    page = staff_client.get("/review/").content.decode()
    for tag in ["Draft", "Submitted", "Returned", "Not started"]:
        assert f"\">{tag}</strong>" in page
    assert "Leeds student noise service" in page  # in the queue
    open_round.due_on = open_round.due_on.replace(year=2020)
    open_round.save()
    page = staff_client.get("/review/").content.decode()
    assert "govuk-tag--red\">Overdue" in page
    assert "govuk-tag--blue\">Submitted" in page  # submitted on time or late, it is not overdue


def test_the_tracker_can_show_an_earlier_quarter(staff_client, open_round, obligations):
    from tests.delivery.factories import RoundFactory, quarter

    RoundFactory(period=quarter("2020-21-Q3"), is_open=False)
    page = staff_client.get("/review/?quarter=2020-21-Q3").content.decode()
    assert "Updates for Oct – Dec 2020 by organisation and section" in page
    page = staff_client.get("/review/?quarter=nonsense").content.decode()
    assert "Updates for Jan – Mar 2021 by organisation and section" in page


def test_the_pages_explain_when_no_quarter_has_been_set_up(staff_client, partner_client):
    assert "No quarter has been set up for updates yet" in staff_client.get("/review/").content.decode()
    assert "No quarter is open for updates" in partner_client.get("/partners/").content.decode()
