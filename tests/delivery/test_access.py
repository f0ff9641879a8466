"""Each role reaches exactly what it may on every delivery URL, and refused requests change nothing.

`partner` is Bradford Partnership (owner of the update under test), `other-partner` is Leeds
Partnership: for Leeds, Bradford's update does not exist (404), never "forbidden" (403).
"""

import pytest
from django.core import mail
from django.urls import URLPattern, get_resolver

from delivery import urls as delivery_urls
from delivery.models import DeliveryUpdate, KpiLine, Quotation, Status, Transition
from jobs.models import Job

ROLES = ("anonymous", "partner", "other-partner", "panel", "staff")


def _expect(anonymous, partner, other_partner, panel, staff):
    return dict(zip(ROLES, (anonymous, partner, other_partner, panel, staff), strict=True))


# route → (GET expectations per role). 302 = sent to sign in.
GET_EXPECTATIONS = {
    "partners/": _expect(302, 200, 200, 403, 403),
    "partners/updates/new/<slug:priority_slug>/": _expect(302, 200, 200, 403, 403),
    "partners/updates/<int:pk>/": _expect(302, 200, 404, 403, 403),
    "partners/updates/<int:pk>/edit/": _expect(302, 200, 404, 403, 403),
    "partners/updates/<int:pk>/preview/": _expect(302, 200, 404, 403, 403),
    "partners/updates/<int:pk>/submit/": _expect(302, 405, 405, 403, 403),
    "partners/updates/<int:pk>/delete/": _expect(302, 200, 404, 403, 403),
    "review/": _expect(302, 403, 403, 403, 200),
    "review/updates/<int:pk>/": _expect(302, 403, 403, 403, 200),
    "review/updates/<int:pk>/return/": _expect(302, 403, 403, 403, 405),
    "review/updates/<int:pk>/approve/": _expect(302, 403, 403, 403, 405),
}


def _path(route: str, *, pk: int, slug: str) -> str:
    return "/" + route.replace("<int:pk>", str(pk)).replace("<slug:priority_slug>", slug)


def test_every_delivery_url_has_an_expectation_for_every_role():
    routes = {str(p.pattern) for p in delivery_urls.urlpatterns if isinstance(p, URLPattern)}
    assert routes == set(GET_EXPECTATIONS)
    # And the project serves them at the root (pccsite/urls.py includes delivery.urls at "").
    resolver = get_resolver()
    assert resolver.resolve("/partners/").url_name == "partner-home"
    assert resolver.resolve("/review/").url_name == "review"


def state():
    """Everything a refused request must leave as it was."""
    return (
        list(DeliveryUpdate.objects.order_by("pk").values()),
        list(KpiLine.objects.order_by("pk").values()),
        list(Quotation.objects.order_by("pk").values()),
        list(Transition.objects.order_by("pk").values()),
        Job.objects.count(),
        len(mail.outbox),
    )


@pytest.mark.parametrize("route", GET_EXPECTATIONS)
def test_each_role_gets_what_it_may_from_each_delivery_url(route, role_clients, draft, priority):
    before = state()
    path = _path(route, pk=draft.pk, slug=priority.slug)
    for role, client in role_clients.items():
        response = client.get(path)
        assert response.status_code == GET_EXPECTATIONS[route][role], f"{role} GET {path}"
        if role == "anonymous":
            assert response["Location"].startswith("/sign-in/?next=")
    assert state() == before


def _valid_form(**overrides):
    data = {
        "title": "Changed title", "body": "Changed body", "key_facts": "", "version": "1",
        "kpis-TOTAL_FORMS": "1", "kpis-INITIAL_FORMS": "0",
        "quotations-TOTAL_FORMS": "1", "quotations-INITIAL_FORMS": "0",
        "quotations-0-kind": "partner",
    }
    data.update(overrides)
    return data


# route → POST expectations per role, for Bradford's draft. The owner's own successful posts are
# tested in the workflow tests; here every role but the owner is refused.
REFUSED_POSTS = {
    "partners/updates/<int:pk>/edit/": _expect(302, None, 404, 403, 403),
    "partners/updates/<int:pk>/submit/": _expect(302, None, 404, 403, 403),
    # The owner's refused deletion of a submitted update is in test_deleting.py.
    "partners/updates/<int:pk>/delete/": _expect(302, None, 404, 403, 403),
    "review/updates/<int:pk>/return/": _expect(302, 403, 403, 403, None),
    "review/updates/<int:pk>/approve/": _expect(302, 403, 403, 403, None),
}


@pytest.mark.parametrize("route", REFUSED_POSTS)
def test_refused_posts_change_nothing(route, role_clients, submitted, priority):
    # On the submitted update the reviewer's actions would work, so refusing them matters.
    before = state()
    path = _path(route, pk=submitted.pk, slug=priority.slug)
    data = {**_valid_form(version=str(submitted.version)), "return-comment": "No", "approve-comment": ""}
    for role, client in role_clients.items():
        expected = REFUSED_POSTS[route][role]
        if expected is None:
            continue
        response = client.post(path, data)
        assert response.status_code == expected, f"{role} POST {path}"
    assert state() == before


def test_leeds_gets_404_on_bradfords_update_for_view_edit_preview_submit_and_delete(other_partner_client, draft):
    before = state()
    for path in [f"/partners/updates/{draft.pk}/", f"/partners/updates/{draft.pk}/edit/",
                 f"/partners/updates/{draft.pk}/preview/", f"/partners/updates/{draft.pk}/delete/"]:
        assert other_partner_client.get(path).status_code == 404
    assert other_partner_client.post(f"/partners/updates/{draft.pk}/edit/", _valid_form()).status_code == 404
    assert other_partner_client.post(
        f"/partners/updates/{draft.pk}/submit/", {"version": draft.version}
    ).status_code == 404
    assert other_partner_client.post(
        f"/partners/updates/{draft.pk}/delete/", {"version": draft.version}
    ).status_code == 404
    assert state() == before
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.title == "Breaking the Cycle project"


def test_only_its_own_organisation_can_delete_a_draft(role_clients, draft):
    # On a draft the owner's deletion would work, so refusing everyone else matters.
    before = state()
    expected = {"anonymous": 302, "other-partner": 404, "panel": 403, "staff": 403}
    for role, status in expected.items():
        response = role_clients[role].post(f"/partners/updates/{draft.pk}/delete/", {"version": draft.version})
        assert response.status_code == status, role
    assert state() == before


def test_a_partner_cannot_create_an_update_for_a_section_it_does_not_owe(partner_client, obligations):
    before = state()
    assert partner_client.get("/partners/updates/new/no-such-section/").status_code == 404
    response = partner_client.post("/partners/updates/new/no-such-section/", _valid_form())
    assert response.status_code == 404
    assert state() == before


def test_a_partner_cannot_write_when_no_quarter_is_open(partner_client, obligations, open_round, priority):
    open_round.is_open = False
    open_round.save()
    before = state()
    response = partner_client.post(f"/partners/updates/new/{priority.slug}/", _valid_form())
    assert response.status_code == 404
    assert state() == before


def test_a_submitted_update_cannot_be_edited_by_its_partner(partner_client, submitted):
    before = state()
    response = partner_client.get(f"/partners/updates/{submitted.pk}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"/partners/updates/{submitted.pk}/"
    response = partner_client.post(
        f"/partners/updates/{submitted.pk}/edit/", _valid_form(version=str(submitted.version)), follow=True
    )
    assert "it cannot be changed" in response.content.decode()
    response = partner_client.post(f"/partners/updates/{submitted.pk}/submit/", {"version": submitted.version})
    assert response.status_code == 302
    assert state() == before


def test_a_partner_without_an_organisation_is_refused(db, client):
    from organisations import roles
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="loose", role=roles.PARTNER))
    assert client.get("/partners/").status_code == 403


def test_navigation_offers_your_updates_to_partners_and_review_to_staff(partner_client, staff_client, panel_client):
    assert b'href="/partners/"' in partner_client.get("/").content
    assert b'href="/review/"' not in partner_client.get("/").content
    assert b'href="/review/"' in staff_client.get("/").content
    assert b'href="/partners/"' not in staff_client.get("/").content
    home = panel_client.get("/").content
    assert b'href="/partners/"' not in home and b'href="/review/"' not in home
