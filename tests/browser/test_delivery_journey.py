"""The whole delivery journey in chromium: write, submit, return, resubmit, approve, publish.

Bradford and the OPCC each have their own browser context, as two people at two desks would.
axe-core checks every portal and review page on the way, including a form showing its errors.
"""

import datetime

import pytest
from django.utils import timezone

from delivery.models import DeliveryUpdate, Obligation, Round, Status
from measures.models import Period, Priority
from organisations import roles
from organisations.models import Organisation
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTION = "Tackle crime and anti-social behaviour"


@pytest.fixture
def quarter_open():
    period = Period.objects.for_codes(["2020-21-Q4"])["2020-21-Q4"]
    priority = Priority.objects.create(name=SECTION, slug="tackle-crime", order=1)
    bradford = OrganisationFactory(name="Bradford Community Safety Partnership", slug="bradford-csp")
    OrganisationFactory(name="Office of the Police and Crime Commissioner", slug="opcc",
                        kind=Organisation.Kind.OPCC)
    round = Round.objects.create(period=period, due_on=timezone.localdate() + datetime.timedelta(days=10),
                                 is_open=True)
    Obligation.objects.create(round=round, organisation=bradford, priority=priority)
    UserFactory(username="bradford", first_name="Bilal", last_name="Partnership",
                role=roles.PARTNER, organisation=bradford)
    UserFactory(username="opcc", first_name="Olivia", last_name="Performance", role=roles.OPCC_STAFF)
    return period, priority


@pytest.fixture
def opcc_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def checked(page, what: str) -> None:
    """Fail with the page named if axe-core finds anything."""
    assert axe_violations(page) == [], what


def _report_with_a_delivery_block(period, priority):
    """A report for the quarter whose section shows the section's delivery updates, or None
    when the reports app has no publish service yet."""
    try:
        from reports.models import Block, Report, Section
        from reports.services import report_publish
    except ImportError:
        return None, None
    report = Report.objects.create(period=period, slug="2020-21-q4", subtitle="January to March 2021")
    section = Section.objects.create(report=report, order=1, number="2", title=SECTION, priority=priority)
    Block.objects.create(section=section, order=1, kind=Block.Kind.DELIVERY_UPDATES, number="2.7",
                         heading="Update on delivery")
    return report, report_publish


def test_a_partner_update_goes_from_draft_to_a_published_report(page, opcc_page, quarter_open):
    period, priority = quarter_open
    report, report_publish = _report_with_a_delivery_block(period, priority)
    if report is not None:
        from django.contrib.auth import get_user_model

        report_publish(report=report, user=get_user_model().objects.get(username="opcc"))

    # Bradford signs in and sees what is owed.
    sign_in(page, "bradford", PASSWORD)
    page.get_by_role("link", name="Your updates").click()
    assert page.get_by_role("heading", name="Your updates on delivery").is_visible()
    assert page.get_by_text("Not started", exact=True).is_visible()
    checked(page, "task list")

    # A first try without the update itself is refused, with an error summary.
    page.get_by_role("link", name=f"Add an update on {SECTION}").click()
    checked(page, "empty form")
    page.get_by_label("Title").fill("MARAC Navigator project")
    page.get_by_label("Q2").fill("about half")
    page.get_by_role("button", name="Save and check").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("link", name="Enter the update").is_visible()
    assert summary.get_by_text("Enter the Q2 value of KPI line 1 as a number or a percentage").is_visible()
    assert page.title().startswith("Error:")
    checked(page, "form with errors")
    assert DeliveryUpdate.objects.count() == 0

    # Written properly: a KPI line and a client's quotation.
    page.get_by_label("Update", exact=True).fill(
        "The MARAC Navigator project targets support at **repeat victims**.\n\n- Caseload of ten\n- Funded by the CSP"
    )
    page.get_by_label("Label").fill("Cases supported")
    page.get_by_label("Q1").fill("8")
    page.get_by_label("Q2").fill("10")
    page.get_by_label("Q3").fill("90%")
    page.get_by_label("Quotation", exact=True).fill("I feel I have a happy future.")
    page.get_by_label("Client").check()
    page.get_by_role("button", name="Save and check").click()
    assert page.get_by_role("heading", name="Check your update before you submit it").is_visible()
    assert page.get_by_role("table", name="Key performance information 2020/21 for MARAC Navigator project").is_visible()
    assert page.get_by_text("Anonymous client").is_visible()
    checked(page, "preview")
    page.get_by_role("button", name="Submit update").click()
    assert page.get_by_text("Update submitted").first.is_visible()
    checked(page, "submitted update")
    update = DeliveryUpdate.objects.get()
    assert update.status == Status.SUBMITTED
    assert not page.get_by_role("link", name="Change").count()  # locked for the partner

    # The OPCC returns it with a comment.
    sign_in(opcc_page, "opcc", PASSWORD)
    opcc_page.get_by_role("link", name="Review updates").click()
    checked(opcc_page, "review tracker and queue")
    opcc_page.get_by_role("row", name="MARAC Navigator project").get_by_role("link").click()
    checked(opcc_page, "review of a submitted update")
    opcc_page.get_by_role("button", name="Return update").click()  # no comment yet: refused
    assert opcc_page.locator(".govuk-error-summary").get_by_text("Enter a comment saying what needs to change").is_visible()
    checked(opcc_page, "return form with errors")
    opcc_page.get_by_label("What needs to change").fill("Please add the figure for referrals avoided.")
    opcc_page.get_by_role("button", name="Return update").click()
    assert opcc_page.get_by_text("Returned to Bradford Community Safety Partnership").is_visible()

    # Bradford sees the comment, changes the update and submits it again.
    page.goto("/partners/")
    assert page.get_by_text("Returned").first.is_visible()
    page.get_by_role("link", name="MARAC Navigator project").click()
    assert page.get_by_text("Please add the figure for referrals avoided.").first.is_visible()
    checked(page, "returned update")
    page.get_by_role("link", name="Change").click()
    checked(page, "edit form of a returned update")
    page.get_by_label("Key facts (optional)").fill("MARAC referrals fell by 84 in six months.")
    page.get_by_role("button", name="Save and check").click()
    page.get_by_role("button", name="Submit update").click()
    assert page.get_by_text("Update submitted").first.is_visible()

    # The OPCC sees what changed, and approves.
    opcc_page.goto(f"/review/updates/{update.pk}/")
    assert opcc_page.get_by_role("heading", name="Changes since it was returned").is_visible()
    assert opcc_page.locator("ins").filter(has_text="MARAC referrals fell by 84").is_visible()
    checked(opcc_page, "review of a resubmission with its diff")
    opcc_page.get_by_role("button", name="Approve update").click()
    assert opcc_page.get_by_text("Approved: “MARAC Navigator project”").is_visible()
    checked(opcc_page, "review after approval")
    update.refresh_from_db()
    assert update.status == Status.APPROVED
    assert [t.action for t in update.transitions.all()] == [
        "started", "submitted", "returned", "submitted", "approved",
    ]

    page.goto(f"/partners/updates/{update.pk}/")
    assert page.get_by_text("The OPCC approved this update for the report.").is_visible()
    checked(page, "approved update")

    # The update appears in a newly published version of the report, and not in the old one.
    if report is None:
        pytest.skip("reports has no publish service yet: the last step is not run")
    from django.contrib.auth import get_user_model

    report_publish(report=report, user=get_user_model().objects.get(username="opcc"),
                   note="Bradford's MARAC Navigator update approved.")
    page.goto("/reports/2020-21-q4/")
    assert page.get_by_role("heading", name="MARAC Navigator project").is_visible()
    assert page.get_by_text("Bradford Community Safety Partnership").first.is_visible()
    page.goto("/reports/2020-21-q4/v1/")
    assert page.get_by_role("heading", name="MARAC Navigator project").count() == 0


def _tab_to(page, description: str, matches: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches the JS predicate (reading, not clicking)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {matches})(document.activeElement)"):
            return
    raise AssertionError(f"could not reach {description} with the Tab key")


def _enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_partner_can_write_and_submit_an_update_with_the_keyboard_alone(page, quarter_open):
    page.goto("/sign-in/")
    _tab_to(page, "the username field", "el.name === 'username'")
    page.keyboard.type("bradford")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    _enter_and_wait(page)

    _tab_to(page, "Your updates", "el.textContent.trim() === 'Your updates'")
    _enter_and_wait(page)
    _tab_to(page, "Add an update", "el.textContent.includes('Add an update')")
    _enter_and_wait(page)
    _tab_to(page, "the title", "el.name === 'title'")
    page.keyboard.type("Breaking the Cycle project")
    _tab_to(page, "the update", "el.name === 'body'")
    page.keyboard.type("The one to one work is still taking place, despite lock down.")
    _tab_to(page, "the KPI label", "el.name === 'kpis-0-label'")
    page.keyboard.type("Families supported")
    page.keyboard.press("Tab")
    page.keyboard.type("12")
    _tab_to(page, "Save and check", "el.textContent.trim() === 'Save and check'")
    _enter_and_wait(page)
    assert page.url.endswith("/preview/")
    _tab_to(page, "Submit update", "el.textContent.trim() === 'Submit update'")
    _enter_and_wait(page)
    assert page.get_by_text("Update submitted").first.is_visible()
    update = DeliveryUpdate.objects.get()
    assert (update.title, update.status, update.kpis.get().q1) == ("Breaking the Cycle project", Status.SUBMITTED, "12")


def test_the_conflict_the_refused_preview_and_the_overdue_tracker_have_no_axe_violations(page, opcc_page, quarter_open):
    from delivery import services
    from delivery.services import KpiData, UpdateContent

    period, priority = quarter_open
    bradford = Organisation.objects.get(slug="bradford-csp")
    from django.contrib.auth import get_user_model

    author = get_user_model().objects.get(username="bradford")
    update = services.update_create(
        organisation=bradford, period=period, priority=priority, author=author,
        content=UpdateContent(title="Breaking the Cycle project", body="Words.",
                              kpis=(KpiData(label="Families", q1="12"),)),
    )
    sign_in(page, "bradford", PASSWORD)
    page.goto(f"/partners/updates/{update.pk}/edit/")
    # A colleague saves first.
    services.update_save(update=update, editor=author, expected_version=1,
                         content=UpdateContent(title="Breaking the Cycle project", body="A colleague's words."))
    page.get_by_label("Update", exact=True).fill("My words.")
    page.get_by_role("button", name="Save as draft").click()
    assert page.locator(".govuk-error-summary").get_by_text("saved this update after you opened it").is_visible()
    assert page.get_by_label("Update", exact=True).input_value() == "My words."
    checked(page, "edit conflict")

    DeliveryUpdate.objects.filter(pk=update.pk).update(body="")
    page.goto(f"/partners/updates/{update.pk}/preview/")
    assert page.locator(".govuk-error-summary").get_by_text("Enter the update").is_visible()
    checked(page, "preview refused")

    Round.objects.update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    page.goto("/partners/")
    assert page.get_by_text("The due date has passed").is_visible()
    checked(page, "overdue task list")
    sign_in(opcc_page, "opcc", PASSWORD)
    opcc_page.goto("/review/")
    assert opcc_page.get_by_text("Overdue", exact=True).is_visible()
    checked(opcc_page, "overdue tracker")
