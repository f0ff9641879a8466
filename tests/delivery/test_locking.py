"""Two people editing the same draft: the second save is refused and loses nothing."""

import pytest
from django.test import Client

from delivery import services
from delivery.models import DeliveryUpdate
from delivery.services import UpdateContent
from organisations import roles
from tests.delivery.test_workflow import form_data
from tests.factories import UserFactory


@pytest.fixture
def colleague_client(organisation):
    colleague = UserFactory(username="colleague", first_name="Cara", last_name="Colleague",
                            role=roles.PARTNER, organisation=organisation)
    client = Client()
    client.force_login(colleague)
    return client


def test_the_second_of_two_saves_gets_a_conflict_and_keeps_both_texts(partner_client, colleague_client, draft):
    # Both opened the form at version 1.
    first = colleague_client.post(
        f"/partners/updates/{draft.pk}/edit/", form_data(body="Cara's words.", version="1", next="draft")
    )
    assert first.status_code == 302
    second = partner_client.post(
        f"/partners/updates/{draft.pk}/edit/", form_data(body="Bilal's words.", version="1", next="draft")
    )
    assert second.status_code == 409
    page = second.content.decode()
    assert "govuk-error-summary" in page
    assert "Cara Colleague saved this update after you opened it" in page
    assert "Bilal&#x27;s words." in page  # their text, back in the form
    assert "<p class=\"govuk-body\">Cara's words.</p>" in page  # and the saved version, under it
    assert 'name="version" value="2"' in page  # saving again is now a deliberate overwrite
    draft.refresh_from_db()
    assert (draft.body, draft.version) == ("Cara's words.", 2)

    third = partner_client.post(
        f"/partners/updates/{draft.pk}/edit/", form_data(body="Bilal's merged words.", version="2", next="draft")
    )
    assert third.status_code == 302
    draft.refresh_from_db()
    assert (draft.body, draft.version) == ("Bilal's merged words.", 3)


def test_the_service_refuses_a_stale_version_and_changes_nothing(draft, partner_user):
    content = UpdateContent(title="New", body="New body")
    services.update_save(update=draft, editor=partner_user, expected_version=1, content=content)
    before = list(DeliveryUpdate.objects.values())
    with pytest.raises(services.EditConflict):
        services.update_save(update=draft, editor=partner_user, expected_version=1,
                             content=UpdateContent(title="Stale", body="Stale body"))
    assert list(DeliveryUpdate.objects.values()) == before


def test_a_save_after_a_colleague_submitted_is_refused_as_not_editable(draft, partner_user):
    services.update_submit(update=draft, user=partner_user, expected_version=1)
    with pytest.raises(services.NotEditable):
        services.update_save(update=draft, editor=partner_user, expected_version=2,
                             content=UpdateContent(title="Late", body="Late body"))
