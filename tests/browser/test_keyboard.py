"""A partner writes and submits a delivery update with the keyboard alone.

After the start page (the partner portal) the test only presses keys: Tab, Shift+Tab, Enter,
Space and typing; no click and no page.goto. At every stop it checks that the focused element
shows GOV.UK's focus style, and on a validation error that the error summary takes the focus and
its link moves the focus to the field at fault.
"""

import datetime

import pytest
from django.utils import timezone

from delivery.models import DeliveryUpdate, Obligation, Round, Status
from measures.models import Period, Priority
from organisations import roles
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTION = "Keeping people safe and supporting victims"

# GOV.UK Frontend shows focus as a yellow outline, or as a yellow-and-black box shadow with a
# transparent outline (links, buttons): either counts, an element with neither does not.
FOCUS_SHOWN = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return {element: 'body', shown: true};
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
        && style.outlineColor !== 'rgba(0, 0, 0, 0)' && style.outlineColor !== 'transparent';
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + (el.textContent || '').trim().slice(0, 40);
    return {element: name, shown: outline || shadow};
}"""


@pytest.fixture
def quarter_open():
    period = Period.objects.for_codes(["2020-21-Q4"])["2020-21-Q4"]
    priority = Priority.objects.create(name=SECTION, slug="keeping-people-safe", order=1)
    organisation = OrganisationFactory(name="Calderdale Community Safety Partnership", slug="calderdale-csp")
    round = Round.objects.create(period=period, due_on=timezone.localdate() + datetime.timedelta(days=10),
                                 is_open=True)
    Obligation.objects.create(round=round, organisation=organisation, priority=priority)
    UserFactory(username="calderdale", role=roles.PARTNER, organisation=organisation)
    return organisation


class Keyboard:
    """Presses keys on a page, checking after each that the focus can be seen."""

    def __init__(self, page):
        self.page = page
        self.unseen = []

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        focus = self.page.evaluate(FOCUS_SHOWN)
        if not focus["shown"]:
            self.unseen.append(focus["element"])

    def focused(self, predicate: str) -> bool:
        return self.page.evaluate(f"(el => {predicate})(document.activeElement)")

    def tab_to(self, description: str, predicate: str, *, key: str = "Tab", limit: int = 80) -> None:
        for _ in range(limit):
            self.press(key)
            if self.focused(predicate):
                return
        raise AssertionError(f"could not reach {description} with {key}")

    def follow(self, key: str = "Enter") -> None:
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


def test_a_partner_submits_an_update_with_the_keyboard_alone(page, quarter_open):
    sign_in(page, "calderdale", PASSWORD)
    page.goto("/partners/")  # the start page; from here on, keys only
    keys = Keyboard(page)

    keys.tab_to("Add an update", "el.textContent.includes('Add an update')")
    keys.follow()
    assert page.url.endswith("/partners/updates/new/keeping-people-safe/")
    keys.tab_to("the title", "el.name === 'title'")
    keys.type("Safer Calderdale nights")
    # Past the update itself, leaving it empty, to the first button; then back with Shift+Tab
    # to check the way back works too, and forward again.
    keys.tab_to("Save and check", "el.textContent.trim() === 'Save and check'")
    keys.tab_to("the KPI line before it", "el.name === 'kpis-0-label'", key="Shift+Tab")
    keys.type("Nights with street marshals")
    keys.press("Tab")
    keys.type("7")
    keys.tab_to("Save and check", "el.textContent.trim() === 'Save and check'")
    keys.follow()

    # Refused: the error summary has the focus, and its link takes the focus to the field.
    assert page.title().startswith("Error:")
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.evaluate(FOCUS_SHOWN)["shown"]
    assert DeliveryUpdate.objects.count() == 0
    keys.tab_to("the error's link", "el.closest('.govuk-error-summary') && el.textContent.trim() === 'Enter the update'")
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.name === 'body'")
    assert keys.focused("el.value === ''")
    keys.type("Street marshals worked every Friday and Saturday night in Halifax town centre.")
    assert page.locator("[name=title]").input_value() == "Safer Calderdale nights"  # nothing typed was lost

    # A client's quotation: Tab enters the radio group at its chosen button, an arrow key moves
    # the choice, as in any radio group.
    keys.tab_to("the quotation", "el.name === 'quotations-0-text'")
    keys.type("I feel safe walking home now.")
    keys.tab_to("who is quoted", "el.type === 'radio'")
    keys.press("Space")
    keys.press("ArrowDown")
    assert keys.focused("el.checked && el.value === 'client'")

    keys.tab_to("Save and check", "el.textContent.trim() === 'Save and check'")
    keys.follow()
    assert page.url.endswith("/preview/")
    assert page.get_by_role("heading", name="Check your update before you submit it").is_visible()
    keys.tab_to("Submit update", "el.textContent.trim() === 'Submit update'")
    keys.follow()
    assert page.get_by_text("Update submitted").first.is_visible()

    update = DeliveryUpdate.objects.get()
    assert (update.title, update.status, update.kpis.get().q1) == ("Safer Calderdale nights", Status.SUBMITTED, "7")
    quotation = update.quotations.get()
    assert (quotation.text, quotation.kind) == ("I feel safe walking home now.", "client")
    assert keys.unseen == [], "focused elements without a visible focus style"
