"""Response headers on every page, a strict Content Security Policy, and CSRF on every POST.

Every URL of the URL conf is visited (the cases of tests/security/test_role_matrix.py, which
fail when a URL has none). HSTS, secure cookies and the HTTPS redirect are production settings:
tests/security/test_sign_in.py runs them in a process of their own and checks them there.
"""

import re

import pytest
from django.test import Client

from tests.security.test_role_matrix import every_case  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("access_fast_passwords")
BY_PREFERENCE = ("staff", "partner", "other-partner", "panel", "anonymous")


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_strict_policy(header: str):
    policy = csp_directives(header)
    for kind in ("script-src", "style-src"):
        sources = policy.get(kind, policy["default-src"])
        assert sources == ["'self'"], f"{kind} {sources}: only the app's own files, nothing inline"
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert not any(
        source in {"*", "'unsafe-inline'", "'unsafe-eval'", "http:", "https:"}
        for sources in policy.values() for source in sources
    )


def _inline_code(html: str) -> list[str]:
    """Scripts and styles written into the page, which the policy above would block."""
    found = [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]
    found += re.findall(r"<style\b[^>]*>", html)
    found += re.findall(r"<[^>]+\sstyle=\"[^\"]*\"", html)
    found += re.findall(r"\son[a-z]+=\"", html)  # onclick=, onload=…
    return found


def _reader(case) -> str | None:
    """A role that gets the page itself."""
    return next((role for role in BY_PREFERENCE if case.get[role] == 200), None)


def test_every_page_sends_the_security_headers_and_has_no_inline_script_or_style(every_case, role_clients):
    wrong = []
    pages = 0
    for case in every_case:
        role = _reader(case)
        if role is None:
            continue
        response = role_clients[role].get(case.path)
        pages += 1
        headers = response.headers
        for name, value in [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                            ("Referrer-Policy", "same-origin")]:
            if headers.get(name) != value:
                wrong.append(f"{case.path}: {name} is {headers.get(name)!r}")
        try:
            assert_strict_policy(headers["Content-Security-Policy"])
        except (AssertionError, KeyError) as problem:
            wrong.append(f"{case.path}: Content-Security-Policy {problem!r}")
        # The admin's pages included: Django's admin needs nothing inline either.
        if headers["Content-Type"].startswith("text/html"):
            if inline := _inline_code(response.content.decode()):
                wrong.append(f"{case.path}: inline {inline[:3]}")
    assert pages > 100
    assert wrong == [], "\n".join(wrong)


def test_error_pages_send_the_headers_too(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert_strict_policy(response["Content-Security-Policy"])


def _poster(case) -> str:
    """A role that may POST here (its POST is not one the matrix expects refused), so only the
    missing token stops it."""
    allowed = [role for role in BY_PREFERENCE if case.post.get(role) is None and case.get[role] != 302]
    return allowed[0] if allowed else "staff"


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(
    every_case, access_snapshot, partner_user, other_partner_user, panel_user, staff_user
):
    users = {"partner": partner_user, "other-partner": other_partner_user, "panel": panel_user,
             "staff": staff_user, "anonymous": None}
    clients = {}
    for role, user in users.items():
        clients[role] = Client(enforce_csrf_checks=True)
        if user is not None:
            clients[role].force_login(user)
    wrong = []
    after = access_snapshot()
    for case in every_case:
        role = _poster(case)
        before = after
        response = clients[role].post(case.path, case.data)
        after = access_snapshot()
        if response.status_code != 403 or b"Your form could not be sent" not in response.content:
            wrong.append(f"{role} POST {case.path} without a token: {response.status_code}")
        if before != after:
            wrong.append(f"{role} POST {case.path} without a token changed the database")
    assert wrong == [], "\n".join(wrong)
    for role, user in users.items():  # not even signing out works without the token
        assert clients[role].session.get("_auth_user_id") == (str(user.pk) if user else None)


def test_the_same_post_with_its_token_goes_through(partner_user):
    client = Client(enforce_csrf_checks=True)
    client.get("/sign-in/")
    token = client.cookies["csrftoken"].value
    response = client.post("/sign-in/", {
        "username": "partner-a", "password": "correct-horse-battery-staple", "csrfmiddlewaretoken": token,
    })
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(partner_user.pk)
