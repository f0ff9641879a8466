"""Each role reaches what it may and no more, for every URL that exists.

The URL conf is walked, so a new URL without an expectation here fails the test.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import AreaFactory, MeasureFactory, PeriodFactory, ResultFactory

# path -> expected status per role. 302 means "sent to sign in".
EXPECTATIONS = {
    "/": dict(anonymous=200, partner=200, panel=200, staff=200),
    "/healthz": dict(anonymous=200, partner=200, panel=200, staff=200),
    "/accessibility/": dict(anonymous=200, partner=200, panel=200, staff=200),
    "/privacy/": dict(anonymous=200, partner=200, panel=200, staff=200),
    "/sign-in/": dict(anonymous=200, partner=302, panel=302, staff=302),
    "/admin/": dict(anonymous=302, partner=302, panel=302, staff=200),
    "/measures/": dict(anonymous=200, partner=200, panel=200, staff=200),
    "/measures/total-recorded-crime/": dict(anonymous=200, partner=200, panel=200, staff=200),
    "/measures/total-recorded-crime/chart.svg": dict(anonymous=200, partner=200, panel=200, staff=200),
    "/measures/no-such-measure/": dict(anonymous=404, partner=404, panel=404, staff=404),
}
# URL patterns with parameters -> the concrete path above that exercises them; the objects they
# name are made by the `example_objects` fixture.
EXAMPLE_PATHS = {
    "measures/<slug:code>/": "/measures/total-recorded-crime/",
    "measures/<slug:code>/chart.svg": "/measures/total-recorded-crime/chart.svg",
}
# Patterns owned by included URL confs, checked by their own tests or above through one path.
COVERED_PREFIXES = ("admin/", "reports/", "partners/", "review/", "surveys/",)  # delivery: tests/delivery/test_access.py; surveys: tests/surveys/test_access.py
NOT_GETTABLE = {"sign-out/"}  # POST only; tested below


def _walk(resolver: URLResolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def test_every_url_has_an_access_expectation():
    routes = {route for route in _walk(get_resolver()) if not route.startswith(COVERED_PREFIXES)}
    known = {path.lstrip("/") for path in EXPECTATIONS} | NOT_GETTABLE | set(EXAMPLE_PATHS)
    assert set(EXAMPLE_PATHS.values()) <= set(EXPECTATIONS)
    assert routes - known == set(), "add the new URLs to EXPECTATIONS"


@pytest.fixture
def example_objects(db, everything_published):
    """What the example paths name: a measure with one public result."""
    measure = MeasureFactory(code="total-recorded-crime")
    ResultFactory(measure=measure, area=AreaFactory(code="west-yorkshire"),
                  period=PeriodFactory(code="12M-2020-12"))


@pytest.mark.parametrize("path", EXPECTATIONS)
def test_each_role_gets_what_it_may(path, role_clients, example_objects):
    for role, client in role_clients.items():
        expected = EXPECTATIONS[path][role.replace("other-", "")]
        response = client.get(path)
        assert response.status_code == expected, f"{role} GET {path}"
        if expected == 302 and role == "anonymous":
            assert "/sign-in/" in response["Location"] or "/admin/login/" in response["Location"]


def test_only_staff_reach_the_admin_pages_of_each_model(role_clients):
    for path in ["/admin/organisations/organisation/", "/admin/jobs/job/", "/admin/auth/user/"]:
        assert role_clients["staff"].get(path).status_code in {200, 403}
        for role in ["anonymous", "partner", "panel"]:
            assert role_clients[role].get(path).status_code == 302


def test_staff_can_manage_organisations_but_not_users(staff_client):
    assert staff_client.get("/admin/organisations/organisation/").status_code == 200
    assert staff_client.get("/admin/auth/user/").status_code == 403


def test_sign_out_needs_a_post_and_ends_the_session(partner_client):
    assert partner_client.get("/sign-out/").status_code == 405
    response = partner_client.post("/sign-out/")
    assert response.status_code == 302
    assert partner_client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in partner_client.session


def test_sign_in_with_a_wrong_password_gets_a_govuk_error_and_no_session(client, partner_user):
    response = client.post("/sign-in/", {"username": "partner-a", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Please enter a correct username and password" in html
    assert "<title>Error: Sign in" in html
    assert "_auth_user_id" not in client.session


def test_sign_in_with_the_right_password_signs_in(client, partner_user):
    response = client.post("/sign-in/", {"username": "partner-a", "password": "correct-horse-battery-staple"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(partner_user.pk)


def test_a_deactivated_user_loses_their_session(partner_client, partner_user):
    partner_user.is_active = False
    partner_user.save()
    response = partner_client.get("/")
    assert response.status_code == 200
    assert b"Sign in</a>" in response.content


def test_sign_in_is_throttled_after_repeated_failures_without_saying_whether_the_user_exists(
    client, partner_user, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/sign-in/", {"username": "partner-a", "password": "wrong"})
        assert response.status_code == 200
    locked = client.post("/sign-in/", {"username": "partner-a", "password": "wrong"})
    assert locked.status_code == 429
    assert b"Too many attempts to sign in" in locked.content
    # Even the right password is refused while locked out, and no session starts.
    again = client.post("/sign-in/", {"username": "partner-a", "password": "correct-horse-battery-staple"})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # An unknown user name gets exactly the same treatment: nothing to enumerate.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        unknown = client.post("/sign-in/", {"username": "nobody-here", "password": "wrong"})
    assert unknown.status_code == 429


def test_every_post_needs_a_csrf_token(partner_user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/sign-in/", {"username": "partner-a", "password": "correct-horse-battery-staple"})
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session
