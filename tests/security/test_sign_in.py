"""Signing in and out: throttled, telling nobody which user names exist, and sessions that end.

Which URL each role reaches is tests/security/test_role_matrix.py; CSRF on the sign-in form (and
every other POST) is tests/security/test_headers.py.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from organisations import roles
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.usefixtures("access_fast_passwords")


def _sign_in(client, username, password=PASSWORD):
    return client.post("/sign-in/", {"username": username, "password": password})


def _as_seen_by_anyone(response, username: str) -> str:
    """The page with what differs between any two requests taken out: the CSRF token and the
    user name typed (echoed back into the form)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return html.replace(f'value="{username}"', 'value="…"')


def test_sign_in_with_the_right_password_signs_in(client, partner_user):
    response = _sign_in(client, "partner-a")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(partner_user.pk)


def test_a_wrong_password_and_an_unknown_user_get_exactly_the_same_answer(partner_user):
    client = Client()
    wrong_password = _sign_in(client, "partner-a", "wrong")
    unknown_user = _sign_in(Client(), "nobody-here", "wrong")
    assert wrong_password.status_code == unknown_user.status_code == 200
    html = wrong_password.content.decode()
    assert "Please enter a correct username and password" in html
    assert "govuk-error-summary" in html and "<title>Error: Sign in" in html
    assert "_auth_user_id" not in client.session
    assert _as_seen_by_anyone(wrong_password, "partner-a") == _as_seen_by_anyone(unknown_user, "nobody-here")


def test_a_deactivated_user_gets_the_same_answer_as_a_wrong_password(partner_user):
    partner_user.is_active = False
    partner_user.save()
    inactive = _sign_in(Client(), "partner-a")  # the right password
    wrong = _sign_in(Client(), "partner-a", "wrong")
    assert inactive.status_code == wrong.status_code == 200
    assert _as_seen_by_anyone(inactive, "partner-a") == _as_seen_by_anyone(wrong, "partner-a")


def test_sign_in_is_throttled_after_repeated_failures_without_saying_whether_the_user_exists(
    client, partner_user, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "partner-a", "wrong").status_code == 200
    locked = _sign_in(client, "partner-a", "wrong")
    assert locked.status_code == 429
    assert b"Too many attempts to sign in" in locked.content
    # Even the right password is refused while locked out, and no session starts.
    assert _sign_in(client, "partner-a").status_code == 429
    assert "_auth_user_id" not in client.session
    # An unknown user name gets exactly the same treatment: nothing to enumerate.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        unknown = _sign_in(client, "nobody-here", "wrong")
    assert unknown.status_code == 429
    assert _as_seen_by_anyone(unknown, "nobody-here") == _as_seen_by_anyone(locked, "partner-a")


def test_a_lockout_holds_for_that_user_name_only_and_a_success_elsewhere_does_not_lift_it(
    client, partner_user, other_partner_user, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "partner-a", "wrong")
    assert _sign_in(Client(), "partner-b").status_code == 302  # someone else signs in as usual
    assert _sign_in(client, "partner-a").status_code == 429


def test_sign_out_needs_a_post_and_ends_the_session(partner_client):
    key = partner_client.session.session_key
    assert partner_client.get("/sign-out/").status_code == 405
    assert partner_client.get("/partners/").status_code == 200
    assert partner_client.post("/sign-out/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert "_auth_user_id" not in partner_client.session
    response = partner_client.get("/partners/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(("role", "path"), [(roles.PARTNER, "/partners/"), (roles.OPCC_STAFF, "/review/"),
                                            (roles.OPCC_STAFF, "/admin/")])
def test_deactivating_a_user_ends_their_session_at_the_next_request(db, role, path, organisation):
    user = UserFactory(username="leaving", role=role, organisation=organisation)
    client = Client()
    client.force_login(user)
    assert client.get(path).status_code == 200
    user.is_active = False
    user.save()
    response = client.get(path)
    assert response.wsgi_request.user.is_anonymous
    assert response.status_code == 302
    assert response["Location"].startswith(("/sign-in/", "/admin/login/"))
    assert b"Sign in</a>" in client.get("/").content


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Xq7#pLm2", "too short"),
        ("password1234", "too common"),
        ("482910375561", "entirely numeric"),
        ("partner-a@example", "too similar"),
    ],
)
def test_weak_passwords_are_refused(partner_user, password, reason):
    with pytest.raises(ValidationError, match=reason):
        validate_password(password, user=partner_user)
    form = PasswordChangeForm(partner_user, {
        "old_password": PASSWORD, "new_password1": password, "new_password2": password,
    })
    assert not form.is_valid()
    assert reason in str(form.errors["new_password2"])


def test_a_long_uncommon_password_is_accepted(partner_user):
    validate_password("violet-harbour-lantern-41", user=partner_user)


def test_staff_changing_their_password_to_a_weak_one_are_refused_and_keep_the_old_one(staff_client, staff_user):
    response = staff_client.post("/admin/password_change/", {
        "old_password": PASSWORD, "new_password1": "password", "new_password2": "password",
    })
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    staff_user.refresh_from_db()
    assert staff_user.check_password(PASSWORD)


# Production settings, in a process of their own ------------------------------------------------

PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client

host = "quarterly.example.org"
client = Client(HTTP_HOST=host)
plain = client.get("/accessibility/")
form = client.get("/sign-in/", secure=True)
signed_in = client.post("/sign-in/", {"username": "prod-user", "password": "correct-horse-battery-staple"},
                        secure=True)
page = client.get("/accessibility/", secure=True)

def cookie(response, name):
    morsel = response.cookies[name]
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"]}

print(json.dumps({
    "settings": {name: getattr(settings, name) for name in [
        "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_AGE", "X_FRAME_OPTIONS",
        "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
    ]},
    "plain": [plain.status_code, plain.get("Location", "")],
    "signed_in": signed_in.status_code,
    "session_cookie": cookie(signed_in, settings.SESSION_COOKIE_NAME),
    "csrf_cookie": cookie(form, settings.CSRF_COOKIE_NAME),
    "headers": {name: page.get(name, "") for name in [
        "Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options",
        "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy",
    ]},
}))
"""


def production(script: str) -> dict:
    """What `script` prints as JSON, run with the production environment against this test's
    database (so a user made here can sign in there)."""
    database = connection.settings_dict
    env = {key: value for key, value in os.environ.items() if key not in {
        "DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY", "SECURE", "ALLOWED_HOSTS",
        "DJANGO_SETTINGS_MODULE",
    }}
    env.update(
        DEBUG="0",
        SECURE="1",
        SECRET_KEY="a-long-and-random-production-secret-3f9a8c7e6d5b4a3928171615",
        ALLOWED_HOSTS="quarterly.example.org",
        DATABASE_URL="postgres://{USER}@{HOST}:{port}/{NAME}".format(**database, port=database["PORT"] or 5432),
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        STATIC_MANIFEST="0",  # the manifest needs collectstatic, which is not what is tested here
        DJANGO_SETTINGS_MODULE="pccsite.settings",
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def production_user(transactional_db):
    # Committed (transactional_db), so the other process sees it; hashed as production hashes.
    user = UserFactory(username="prod-user", role=roles.PARTNER)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save()
    return user


def test_in_production_cookies_are_secure_http_only_and_same_site_and_https_is_enforced(production_user):
    seen = production(PRODUCTION_PROBE)
    print(json.dumps(seen, indent=2))  # what production runs with, for the record (pytest -s)
    settings = seen["settings"]
    assert settings["DEBUG"] is False
    assert settings["SESSION_COOKIE_SECURE"] and settings["CSRF_COOKIE_SECURE"]
    assert settings["SESSION_COOKIE_HTTPONLY"] and settings["CSRF_COOKIE_HTTPONLY"]
    assert settings["SESSION_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert settings["SESSION_COOKIE_AGE"] <= 12 * 60 * 60  # a working day, not weeks
    # Plain HTTP is sent to HTTPS.
    assert seen["plain"] == [301, "https://quarterly.example.org/accessibility/"]
    # A real sign-in: the session cookie it sets carries every flag.
    assert seen["signed_in"] == 302
    assert seen["session_cookie"] == {
        "secure": True, "httponly": True, "samesite": settings["SESSION_COOKIE_SAMESITE"],
    }
    assert seen["csrf_cookie"]["secure"] and seen["csrf_cookie"]["httponly"]
    assert seen["csrf_cookie"]["samesite"] in {"Lax", "Strict"}
    # HSTS for a year at least, on every subdomain (test_headers.py checks the rest of the headers).
    hsts = seen["headers"]["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    assert "includeSubDomains" in hsts
    assert seen["headers"]["X-Frame-Options"] == "DENY"
