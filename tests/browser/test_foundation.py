import pytest

from organisations import roles
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_opcc_staff_sign_in_and_see_the_admin(page):
    UserFactory(username="opcc", role=roles.OPCC_STAFF)
    sign_in(page, "opcc", PASSWORD)
    assert page.get_by_role("button", name="Sign out").is_visible()
    page.get_by_role("link", name="Admin").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Measures, figures and reports").is_visible()
    assert page.get_by_role("link", name="Organisations", exact=True).is_visible()


@pytest.mark.parametrize("path", ["/", "/sign-in/", "/accessibility/", "/privacy/", "/no-such-page/"])
def test_public_pages_have_no_axe_violations(page, path):
    page.goto(path)
    assert axe_violations(page) == []


def test_the_sign_in_error_state_has_no_axe_violations(page):
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").is_visible()
    assert axe_violations(page) == []


def test_govuk_frontend_javascript_runs_under_the_content_security_policy(browser, live_server):
    context = browser.new_context(base_url=live_server.url)  # CSP enforced here
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/")
    page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
    assert errors == []
    context.close()
