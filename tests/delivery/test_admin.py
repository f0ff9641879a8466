"""Staff set rounds and obligations in the admin; the workflow itself cannot be bypassed there."""

from delivery.models import DeliveryUpdate, Obligation, Status
from tests.delivery.factories import PriorityFactory
from tests.factories import OrganisationFactory
from organisations.models import Organisation


def test_the_delivery_admin_pages_open_for_staff(staff_client, draft, open_round):
    for path in [
        "/admin/delivery/round/", f"/admin/delivery/round/{open_round.pk}/change/",
        "/admin/delivery/deliveryupdate/", f"/admin/delivery/deliveryupdate/{draft.pk}/change/",
        "/admin/delivery/reminder/", "/admin/delivery/deliveryupdate/add/",
    ]:
        assert staff_client.get(path).status_code == 200, path


def test_staff_can_ask_every_partner_for_every_section(staff_client, open_round, priority, other_priority):
    OrganisationFactory(name="Police", slug="police", kind=Organisation.Kind.POLICE_FORCE)
    OrganisationFactory(name="Calderdale CSP", slug="calderdale")
    OrganisationFactory(name="Victim Support", slug="vs", kind=Organisation.Kind.COMMISSIONED_SERVICE)
    response = staff_client.post("/admin/delivery/round/", {
        "action": "ask_every_partner", "_selected_action": [open_round.pk],
    })
    assert response.status_code == 302
    assert Obligation.objects.filter(round=open_round).count() == 2 * 2  # police, Calderdale × 2 sections
    staff_client.post("/admin/delivery/round/", {"action": "ask_every_partner", "_selected_action": [open_round.pk]})
    assert Obligation.objects.filter(round=open_round).count() == 4


def test_a_submitted_update_is_read_only_in_the_admin(staff_client, submitted):
    page = staff_client.get(f"/admin/delivery/deliveryupdate/{submitted.pk}/change/").content.decode()
    assert 'name="body"' not in page and 'name="kpis-0-label"' not in page


def test_staff_submit_the_opccs_own_drafts_with_the_admin_action(staff_client, draft):
    response = staff_client.post("/admin/delivery/deliveryupdate/", {
        "action": "submit_for_review", "_selected_action": [draft.pk],
    })
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert draft.transitions.last().action == "submitted"


def test_staff_cannot_delete_a_submitted_update_in_the_admin(staff_client, submitted):
    assert staff_client.get(f"/admin/delivery/deliveryupdate/{submitted.pk}/delete/").status_code == 403
    assert staff_client.post(f"/admin/delivery/deliveryupdate/{submitted.pk}/delete/", {"post": "yes"}).status_code == 403
    assert DeliveryUpdate.objects.filter(pk=submitted.pk).exists()
    assert "delete_selected" not in staff_client.get("/admin/delivery/deliveryupdate/").content.decode()


def test_staff_can_delete_a_draft_that_was_never_submitted_in_the_admin(staff_client, draft):
    assert staff_client.get(f"/admin/delivery/deliveryupdate/{draft.pk}/delete/").status_code == 200
    staff_client.post(f"/admin/delivery/deliveryupdate/{draft.pk}/delete/", {"post": "yes"})
    assert not DeliveryUpdate.objects.filter(pk=draft.pk).exists()
