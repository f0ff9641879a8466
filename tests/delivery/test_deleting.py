"""A partner deletes its own draft, after saying it is sure; nothing that was ever submitted goes.

Who else is refused (404 for another organisation, 403 or sign-in for other roles) is in
test_access.py.
"""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.utils import timezone

from delivery import services, tracking
from delivery.models import DeliveryUpdate, DeliveryUpdateEvent, KpiLine, Quotation, Status, Transition
from delivery.services import UpdateContent
from tests.delivery.factories import KpiFactory, QuotationFactory
from tests.delivery.test_access import state
from tests.delivery.test_workflow import form_data

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pghistory's triggers need PostgreSQL"
)


@pytest.fixture
def returned(submitted, staff_user):
    return services.update_return(update=submitted, reviewer=staff_user, comment="Add Q3's figures, please.")


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_only_a_draft_that_was_never_submitted_is_deletable():
    assert DeliveryUpdate(status=Status.DRAFT).is_deletable
    assert not DeliveryUpdate(status=Status.DRAFT, submitted_at=timezone.now()).is_deletable
    for status in (Status.SUBMITTED, Status.RETURNED, Status.APPROVED):
        assert not DeliveryUpdate(status=status).is_deletable


def test_the_draft_page_offers_deletion_and_the_confirmation_page_asks_first(partner_client, draft):
    assert f'href="/partners/updates/{draft.pk}/delete/">Delete draft</a>' in (
        partner_client.get(f"/partners/updates/{draft.pk}/").content.decode()
    )
    before = state()
    response = partner_client.get(f"/partners/updates/{draft.pk}/delete/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Are you sure you want to delete your draft “Breaking the Cycle project”?" in page
    assert "with its 1 KPI line and 1 quotation" in page
    assert '<button type="submit" class="govuk-button govuk-button--warning"' in page
    assert f'name="version" value="{draft.version}"' in page
    assert f'<a class="govuk-link" href="/partners/updates/{draft.pk}/">Cancel</a>' in page
    assert state() == before


@pytest.mark.parametrize("n", [3, 6])
def test_the_confirmation_page_takes_eight_queries(n, partner_client, draft, django_assert_num_queries):
    for i in range(n):
        KpiFactory(update=draft, label=f"KPI {i}")
        QuotationFactory(update=draft)
    # session, user, groups, membership, organisation; the update with its section and quarter,
    # KPI lines, quotations
    with django_assert_num_queries(5 + 3):
        response = partner_client.get(f"/partners/updates/{draft.pk}/delete/")
    assert f"with its {n + 1} KPI lines and {n + 1} quotations" in response.content.decode()


def test_deleting_a_draft_removes_it_and_the_section_is_owed_again(
    partner_client, partner_user, draft, open_round, organisation, priority
):
    other = services.update_create(
        organisation=organisation, period=open_round.period, priority=priority, author=partner_user,
        content=UpdateContent(title="Another topic", body="Kept."),
    )
    response = partner_client.post(f"/partners/updates/{draft.pk}/delete/", {"version": draft.version})
    assert response.status_code == 302
    assert response["Location"] == "/partners/"
    assert _messages(response) == ["Draft deleted: “Breaking the Cycle project”."]
    assert list(DeliveryUpdate.objects.all()) == [other]
    assert not KpiLine.objects.exists() and not Quotation.objects.exists()
    assert list(Transition.objects.values_list("update_id", flat=True)) == [other.pk]

    # With the other topic gone too, nothing has been started on the section: it is owed again
    # and the partner can start afresh.
    services.update_delete(update=other, user=partner_user, expected_version=other.version)
    [section, _] = tracking.owed_sections(open_round, organisation, today=open_round.due_on)
    assert section.priority == priority and section.progress == tracking.Progress.NOT_STARTED
    home = partner_client.get("/partners/").content.decode()
    assert home.count("You have not started an update on this section.") == 2
    response = partner_client.post(f"/partners/updates/new/{priority.slug}/", form_data(next="draft"))
    assert response.status_code == 302
    assert DeliveryUpdate.objects.get().status == Status.DRAFT


@needs_postgres
def test_the_audit_trail_keeps_the_deleted_draft_and_who_deleted_it(partner_client, partner_user, draft):
    path = f"/partners/updates/{draft.pk}/delete/"
    partner_client.post(path, {"version": draft.version})
    event = DeliveryUpdateEvent.objects.select_related("pgh_context").get()
    assert (event.pgh_label, event.pgh_obj_id, event.title, event.body, event.organisation_id) == (
        "delete", draft.pk, "Breaking the Cycle project", draft.body, draft.organisation_id,
    )
    assert event.pgh_context.metadata == {
        "user": partner_user.pk, "username": "partner-a", "url": path, "route": "delete draft",
    }


@needs_postgres
def test_the_audit_trail_records_deletions_only(partner_user, draft, staff_user):
    # Every other step is a Transition; an event per save would only repeat them.
    services.update_save(update=draft, editor=partner_user, expected_version=draft.version,
                         content=UpdateContent(title="Changed", body="Changed body"))
    draft.refresh_from_db()
    submitted = services.update_submit(update=draft, user=partner_user, expected_version=draft.version)
    services.update_return(update=submitted, reviewer=staff_user, comment="More, please.")
    assert not DeliveryUpdateEvent.objects.exists()


@pytest.mark.parametrize("fixture", ["submitted", "returned", "approved"])
def test_an_update_that_was_ever_submitted_cannot_be_deleted(fixture, request, partner_client, partner_user):
    update = request.getfixturevalue(fixture)
    page = partner_client.get(f"/partners/updates/{update.pk}/").content.decode()
    assert "Delete draft" not in page
    before = state()
    refusal = (
        f"This update is {fixture}, so it cannot be deleted. "
        "Only a draft that has never been submitted can be deleted."
    )
    for response in (
        partner_client.get(f"/partners/updates/{update.pk}/delete/", follow=True),
        partner_client.post(f"/partners/updates/{update.pk}/delete/", {"version": update.version}, follow=True),
    ):
        assert response.redirect_chain == [(f"/partners/updates/{update.pk}/", 302)]
        assert refusal in response.content.decode()
    with pytest.raises(services.NotDeletable):
        services.update_delete(update=update, user=partner_user, expected_version=update.version)
    assert state() == before


def test_a_draft_changed_after_the_confirmation_page_opened_is_not_deleted(partner_client, partner_user, draft):
    opened_at = draft.version
    services.update_save(update=draft, editor=partner_user, expected_version=opened_at,
                         content=UpdateContent(title="A colleague's newer words", body="Newer."))
    before = state()
    response = partner_client.post(f"/partners/updates/{draft.pk}/delete/", {"version": opened_at})
    assert response["Location"] == f"/partners/updates/{draft.pk}/"
    assert _messages(response) == [
        "This update was changed after you opened it, so it has not been deleted. "
        "Check it again before you delete it."
    ]
    assert partner_client.post(f"/partners/updates/{draft.pk}/delete/", {"version": "nonsense"}).status_code == 302
    assert state() == before


def test_saving_submitting_or_deleting_a_draft_a_colleague_deleted_is_refused_plainly(partner_user, draft):
    # The page was opened before the colleague deleted the draft; the request arrives after.
    opened = DeliveryUpdate.objects.get(pk=draft.pk)
    services.update_delete(update=draft, user=partner_user, expected_version=draft.version)
    before = state()
    with pytest.raises(services.UpdateGone, match="This update has been deleted since you opened it, so nothing has been changed"):
        services.update_save(update=opened, editor=partner_user, expected_version=opened.version,
                             content=UpdateContent(title="Too late", body="Too late."))
    with pytest.raises(services.UpdateGone):
        services.update_submit(update=opened, user=partner_user, expected_version=opened.version)
    with pytest.raises(services.UpdateGone):
        services.update_delete(update=opened, user=partner_user, expected_version=opened.version)
    assert state() == before
