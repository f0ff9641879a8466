"""axe-core on every page the app serves, in its normal and its error states, and at 400% zoom.

PAGES lists, by URL pattern, how each page is reached and by whom; the first test walks the URL
conf and fails on a pattern that is neither in PAGES nor in NOT_PAGES (downloads, JSON, POST-only
endpoints), so a new page cannot be forgotten. The browser test then visits PAGES on the demo
data (the seed quarter with its report, surveys and delivery updates) and also checks that every
page template in templates/ was rendered on the way.

The app's own admin pages are in PAGES: the views a ModelAdmin adds through get_urls (imports
with their previews, exports, publishing, copying a structure, recalculating), found by comparing
each ModelAdmin's URLs with ModelAdmin's own; and the admin templates the app overrides (the
figures and measures change lists, a figure's history, a survey wave's form). Django's own admin
pages, the change list and a change form of every model of the app that OPCC staff may open, are
checked against the WCAG rules (templates/admin/, static/css/admin.css, static/js/admin.js and
pccsite/admin_inlines.py make them pass); axe's best-practice rules are left out there only,
because Django's inline tables have a heading cell with nothing in it.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from django.contrib import admin
from django.template.loader import render_to_string
from django.test.signals import template_rendered
from django.urls import URLPattern, URLResolver, get_resolver

from tests.browser.conftest import AXE, axe_violations, sign_in

pytestmark = [pytest.mark.browser]

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DEMO_PASSWORD = "demo-password-for-tests"
NARROW = {"width": 320, "height": 640}  # 1280 CSS px at 400% zoom

# Patterns that do not serve an HTML page of their own.
NOT_PAGES = {
    "healthz": "JSON for the load balancer",
    "sign-out/": "POST only; redirects home",
    "measures/<slug:code>/chart.svg": "an SVG image; its text alternative is checked on the measure page",
    "surveys/import/confirm/": "POST only; on errors it renders import_preview.html, checked through surveys/import/",
    "surveys/<slug:survey>/results.<str:file_format>": "a CSV or XLSX download",
    "surveys/<slug:survey>/<slug:wave>/results.<str:file_format>": "a CSV or XLSX download",
    "reports/<slug:slug>.pdf": "a PDF",
    "reports/<slug:slug>/measures.<fmt:fmt>": "a CSV or XLSX download",
    "reports/<slug:slug>/tables/<slug:key>.<fmt:fmt>": "a CSV or XLSX download",
    "reports/<slug:slug>/preview/measures.<fmt:fmt>": "a CSV or XLSX download",
    "reports/<slug:slug>/preview/tables/<slug:key>.<fmt:fmt>": "a CSV or XLSX download",
    "reports/<slug:slug>/v<int:number>/report.pdf": "a PDF",
    "reports/<slug:slug>/v<int:number>/measures.<fmt:fmt>": "a CSV or XLSX download",
    "reports/<slug:slug>/v<int:number>/tables/<slug:key>.<fmt:fmt>": "a CSV or XLSX download",
    "partners/updates/<int:pk>/submit/": "POST only; redirects to the update or its preview",
    "review/updates/<int:pk>/approve/": "POST only; on errors it renders review_update.html, checked through review/updates/<int:pk>/",
    "admin/measures/value/import/confirm/": "POST only; on errors it renders admin/measures/import.html, checked through the import page",
    "admin/measures/measure/import/confirm/": "POST only; on errors it renders admin/measures/import.html, checked through the import page",
}

# Pages checked on the same demo data by another test module: counted, not repeated.
CHECKED_ELSEWHERE = {
    "reports/<slug:slug>/": "tests/browser/test_reports.py, the published seed report",
    "reports/<slug:slug>/preview/": "tests/browser/test_reports.py, a draft's preview",
}

# Page templates that are not web pages (the PDF's) or are rendered only by a server fault.
NOT_PAGE_TEMPLATES = {"reports/pdf.html"}


def _walk(resolver: URLResolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.name


def _custom_admin_names() -> set[str]:
    """URL names that the app's ModelAdmins add to Django's own."""
    names = set()
    for model_admin in admin.site._registry.values():
        if type(model_admin).__module__.startswith("django."):
            continue  # Django's own, such as the user admin's change-password page
        own = {pattern.name for pattern in admin.ModelAdmin.get_urls(model_admin)}
        names |= {pattern.name for pattern in model_admin.get_urls()} - own
    return names


def page_routes() -> set[str]:
    custom_admin = _custom_admin_names()
    return {
        route for route, name in _walk(get_resolver())
        if not route.startswith("admin/") or name in custom_admin
    }


# What the browser visits ------------------------------------------------------------------------


@dataclass
class Demo:
    """Ids of demo objects that the page paths name."""

    draft_update: int  # Bradford's draft for the open quarter
    submitted_update: int  # Leeds's, submitted for review
    priority_slug: str  # a section Bradford owes an update on
    report: int  # the published seed report
    value: int  # one figure
    wave: int  # a survey wave


@dataclass
class Check:
    route: str | None  # the URL pattern it covers; None for an error page
    role: str  # anonymous, partner, panel or staff
    name: str  # what the page is, in failures
    visit: Callable  # (page, demo, tmp_path) -> None: brings the page into the state checked
    within: tuple[str, ...] = ()  # only these parts, on Django's admin pages: the app's additions


def go(path_of):
    def visit(page, demo, tmp_path):
        page.goto(path_of(demo) if callable(path_of) else path_of)
    return visit


def _sign_in_wrong_password(page, demo, tmp_path):
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("bradford")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.locator(".govuk-error-summary").wait_for()


def _locked_out(page, demo, tmp_path):
    for _ in range(8):
        page.goto("/sign-in/")
        page.get_by_label("Username").fill("nobody-at-all")
        page.get_by_label("Password").fill("guess")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if page.get_by_role("heading", name="Too many attempts to sign in").count():
            return
    raise AssertionError("never locked out")


def _csrf_refused(page, demo, tmp_path):
    page.goto("/sign-in/")
    page.context.clear_cookies()  # the CSRF cookie goes: the POST is refused
    page.get_by_label("Username").fill("bradford")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_response(lambda response: response.request.method == "POST") as response:
        page.get_by_role("button", name="Sign in").click()
    assert response.value.status == 403


def _server_error(page, demo, tmp_path):
    """500.html as Django's handler would send it (no view can be made to fail on purpose)."""
    body = render_to_string("500.html")
    page.route("**/a-server-error/", lambda route: route.fulfill(status=500, body=body, content_type="text/html"))
    page.goto("/a-server-error/")


def _update_without_content(page, demo, tmp_path):
    page.goto(f"/partners/updates/new/{demo.priority_slug}/")
    page.get_by_label("Q2").fill("about half")
    page.get_by_role("button", name="Save and check").click()
    page.locator(".govuk-error-summary").wait_for()


def _edit_with_missing_fields(page, demo, tmp_path):
    page.goto(f"/partners/updates/{demo.draft_update}/edit/")
    page.get_by_label("Title").fill("")
    page.get_by_label("Update", exact=True).fill("")
    page.get_by_role("button", name="Save and check").click()
    page.locator(".govuk-error-summary").wait_for()


def _return_without_comment(page, demo, tmp_path):
    page.goto(f"/review/updates/{demo.submitted_update}/")
    page.get_by_role("button", name="Return update").click()
    page.locator(".govuk-error-summary").wait_for()


def _survey_grid_with_a_bad_cell(page, demo, tmp_path):
    page.goto("/surveys/community-conversation/2020-10/feel-safe/")
    cell = page.locator("table input[type=text]").first
    cell.fill("8l")
    page.get_by_role("button", name="Save results").click()
    page.locator(".govuk-error-summary").wait_for()


def _survey_import_with_row_errors(page, demo, tmp_path):
    bad = tmp_path / "survey-results.csv"
    bad.write_text("survey,wave,question,area,option,percentage\n"
                   "community-conversation,2020-10,feel-safe,leeds,safe,181\n"
                   "community-conversation,2020-10,no-such-question,leeds,safe,50\n")
    page.goto("/surveys/import/")
    page.get_by_label("File of survey results").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("181% is not a percentage").wait_for()


def _figures_import_with_row_errors(page, demo, tmp_path):
    bad = tmp_path / "figures.csv"
    bad.write_text("measure,area,breakdown,period,value,numerator,denominator,note\n"
                   "total-recorded-crime,west-yorkshire,,12M-2020-12,lots,,,\n"
                   "no-such-measure,west-yorkshire,,12M-2020-12,5,,,\n"
                   "total-recorded-crime,atlantis,,2020-13,5,,,\n")
    page.goto("/admin/measures/value/import/")
    page.get_by_label("File").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("nothing has been imported").wait_for()


def _figures_import_preview(page, demo, tmp_path):
    good = tmp_path / "figures-good.csv"
    good.write_text("measure,area,breakdown,period,value,numerator,denominator,note\n"
                    "total-recorded-crime,west-yorkshire,,12M-2020-12,258883,,,\n")
    page.goto("/admin/measures/value/import/")
    page.get_by_label("File").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import:").wait_for()


def _framework_import_with_row_errors(page, demo, tmp_path):
    bad = tmp_path / "framework.csv"
    bad.write_text("code,name\nnot a code,\n")
    page.goto("/admin/measures/measure/import/")
    page.get_by_label("File").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.locator(".errornote").wait_for()


def _publish_without_a_note(page, demo, tmp_path):
    page.goto(f"/admin/reports/report/{demo.report}/publish/")
    page.get_by_role("button", name="Publish version 2").click()
    page.locator(".errorlist").wait_for()


def _copy_structure_to_a_bad_quarter(page, demo, tmp_path):
    page.goto(f"/admin/reports/report/{demo.report}/copy-structure/")
    page.get_by_label("The new report's quarter").fill("2021-22-Q9")
    page.get_by_role("button", name="Create the new draft").click()
    page.locator(".errorlist").wait_for()


PAGES = [
    Check("", "anonymous", "home", go("/")),
    Check("accessibility/", "anonymous", "accessibility statement", go("/accessibility/")),
    Check("privacy/", "anonymous", "privacy notice", go("/privacy/")),
    Check("sign-in/", "anonymous", "sign in", go("/sign-in/")),
    Check("sign-in/", "anonymous", "sign in with a wrong password", _sign_in_wrong_password),
    Check("sign-in/", "anonymous", "sign in locked out", _locked_out),
    Check("sign-in/", "anonymous", "a POST refused for its CSRF token", _csrf_refused),
    Check(None, "anonymous", "404", go("/no-such-page/")),
    Check(None, "anonymous", "500", _server_error),
    Check("measures/", "anonymous", "measures", go("/measures/")),
    Check("measures/<slug:code>/", "anonymous", "a measure", go("/measures/total-recorded-crime/")),
    Check("measures/<slug:code>/", "anonymous", "a survey measure", go("/measures/feeling-safe/")),
    Check("reports/", "anonymous", "reports", go("/reports/")),
    Check("reports/<slug:slug>/v<int:number>/", "anonymous", "a report version", go("/reports/2020-21-q3/v1/")),
    Check("partners/", "partner", "partner portal", go("/partners/")),
    Check("partners/updates/new/<slug:priority_slug>/", "partner", "new update form",
          go(lambda demo: f"/partners/updates/new/{demo.priority_slug}/")),
    Check("partners/updates/new/<slug:priority_slug>/", "partner", "new update form with errors", _update_without_content),
    Check("partners/updates/<int:pk>/", "partner", "a draft update", go(lambda demo: f"/partners/updates/{demo.draft_update}/")),
    Check("partners/updates/<int:pk>/delete/", "partner", "delete a draft: are you sure",
          go(lambda demo: f"/partners/updates/{demo.draft_update}/delete/")),
    Check("partners/updates/<int:pk>/edit/", "partner", "update edit form", go(lambda demo: f"/partners/updates/{demo.draft_update}/edit/")),
    Check("partners/updates/<int:pk>/edit/", "partner", "update edit form with missing fields", _edit_with_missing_fields),
    Check("partners/updates/<int:pk>/preview/", "partner", "preview of a draft",
          go(lambda demo: f"/partners/updates/{demo.draft_update}/preview/")),
    Check("review/", "partner", "403: a partner at the review tracker", go("/review/")),
    Check("review/", "staff", "review tracker", go("/review/")),
    Check("review/updates/<int:pk>/", "staff", "review of a submitted update",
          go(lambda demo: f"/review/updates/{demo.submitted_update}/")),
    Check("review/updates/<int:pk>/return/", "staff", "return without a comment", _return_without_comment),
    Check("surveys/", "staff", "surveys", go("/surveys/")),
    Check("surveys/<slug:survey>/<slug:wave>/", "staff", "a survey wave", go("/surveys/community-conversation/2020-10/")),
    Check("surveys/<slug:survey>/<slug:wave>/<slug:question>/", "staff", "survey entry grid",
          go("/surveys/community-conversation/2020-10/feel-safe/")),
    Check("surveys/<slug:survey>/<slug:wave>/<slug:question>/", "staff", "survey entry grid with a bad cell",
          _survey_grid_with_a_bad_cell),
    Check("surveys/import/", "staff", "survey import", go("/surveys/import/")),
    Check("surveys/import/", "staff", "survey import preview with row errors", _survey_import_with_row_errors),
    Check("admin/measures/value/import/", "staff", "figures import", go("/admin/measures/value/import/")),
    Check("admin/measures/value/import/", "staff", "figures import preview with row errors", _figures_import_with_row_errors),
    Check("admin/measures/value/import/", "staff", "figures import preview of a change", _figures_import_preview),
    Check("admin/measures/value/export/", "staff", "figures export", go("/admin/measures/value/export/")),
    Check("admin/measures/measure/import/", "staff", "framework import with row errors", _framework_import_with_row_errors),
    Check("admin/measures/measure/export/", "staff", "framework export", go("/admin/measures/measure/export/")),
    Check("admin/measures/measure/recalculate-all/", "staff", "recalculate everything",
          go("/admin/measures/measure/recalculate-all/")),
    Check("admin/reports/report/<int:report_id>/publish/", "staff", "publish v2 without a note", _publish_without_a_note),
    Check("admin/reports/report/<int:report_id>/copy-structure/", "staff", "copy structure to a bad quarter",
          _copy_structure_to_a_bad_quarter),
    # The app's templates over Django's admin pages: only what they add is checked.
    Check(None, "staff", "figures change list", go("/admin/measures/value/"), within=(".object-tools",)),
    Check(None, "staff", "a figure with its history", go(lambda demo: f"/admin/measures/value/{demo.value}/change/"),
          within=("#value-history",)),
    Check(None, "staff", "measures change list", go("/admin/measures/measure/"), within=(".object-tools",)),
    Check(None, "staff", "a survey wave's form", go(lambda demo: f"/admin/surveys/wave/{demo.wave}/change/"),
          within=(".object-tools",)),
]


def test_every_page_route_is_checked():
    checked = {check.route for check in PAGES} | set(CHECKED_ELSEWHERE)
    assert page_routes() - checked - set(NOT_PAGES) == set(), "add the new pages to PAGES or NOT_PAGES"
    assert set(NOT_PAGES) <= page_routes(), "NOT_PAGES names a route that no longer exists"


# The browser test -------------------------------------------------------------------------------


@pytest.fixture
def demo(settings):
    from delivery.models import DeliveryUpdate, Obligation, Status
    from measures.models import Value
    from reports.models import Report
    from reports.services import report_copy_structure
    from surveys.models import Wave
    from tests.reports.test_demo_report import load_seed_report

    settings.DEMO_PASSWORD = DEMO_PASSWORD
    load_seed_report()
    report = Report.objects.get(slug="2020-21-q3")
    report_copy_structure(report=report, period="2020-21-Q4", user=None)
    draft = DeliveryUpdate.objects.get(organisation__slug="bradford-csp", status=Status.DRAFT)
    return Demo(
        draft_update=draft.pk,
        submitted_update=DeliveryUpdate.objects.get(organisation__slug="leeds-csp", status=Status.SUBMITTED).pk,
        priority_slug=Obligation.objects.filter(organisation__slug="bradford-csp", round__is_open=True)
        .values_list("priority__slug", flat=True).first(),
        report=report.pk,
        value=Value.objects.get(measure__code="total-recorded-crime", area__code="west-yorkshire",
                                period__code="12M-2020-12", breakdown=None).pk,
        wave=Wave.objects.get(survey__slug="community-conversation", code="2020-10").pk,
    )


USERS = {"partner": "bradford", "panel": "panel", "staff": "opcc"}


class Pages:
    """One browser context per role, signed in once and reused."""

    def __init__(self, browser, base_url):
        self.browser, self.base_url, self.pages = browser, base_url, {}

    def __call__(self, role: str, *, fresh: bool = False, viewport=None):
        if fresh or role not in self.pages:
            context = self.browser.new_context(base_url=self.base_url, bypass_csp=True,
                                               viewport=viewport or {"width": 1024, "height": 768})
            page = context.new_page()
            page.set_default_timeout(15_000)
            if role != "anonymous":
                sign_in(page, USERS[role], DEMO_PASSWORD)
            if fresh:
                return page
            self.pages[role] = page
        return self.pages[role]

    def close(self):
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def pages(browser, live_server):
    pages = Pages(browser, live_server.url)
    yield pages
    pages.close()


@pytest.fixture
def rendered_templates():
    """The names of the templates rendered while the test runs (the live server runs in-process)."""
    names = set()

    def record(sender, template, context, **kwargs):
        names.add(template.name)

    template_rendered.connect(record)
    try:
        yield names
    finally:
        template_rendered.disconnect(record)


def page_templates() -> set[str]:
    return {
        str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
        if '{% extends "base.html" %}' in path.read_text() or '{% extends "admin/' in path.read_text()
    } - NOT_PAGE_TEMPLATES


def axe_violations_within(page, selectors) -> list[str]:
    assert page.locator(", ".join(selectors)).count(), f"nothing on {page.url} matches {selectors}"
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (selectors) => {
            const result = await axe.run({include: selectors.map(s => [s])}, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
            return result.violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`);
        }""",
        list(selectors),
    )


@pytest.mark.django_db(transaction=True)
def test_every_page_has_no_axe_violations_and_reflows_at_400_percent_zoom(pages, demo, tmp_path, rendered_templates):
    """One test, so that the demo is loaded once (about ten seconds)."""
    found = {}
    for check in PAGES:
        # Anonymous checks that change the session (lock-outs, cleared cookies) get their own context.
        page = pages(check.role, fresh=check.role == "anonymous")
        check.visit(page, demo, tmp_path)
        violations = axe_violations_within(page, check.within) if check.within else axe_violations(page)
        if violations:
            found[check.name] = violations
        if check.role == "anonymous":
            page.context.close()
    assert found == {}, "\n".join(f"{name}: {violations}" for name, violations in found.items())
    assert page_templates() - rendered_templates == set(), "page templates that no check rendered"
    reflow_problems = narrow_layout_problems(pages, demo)
    assert reflow_problems == {}, "\n".join(f"{path}: {layout}" for path, layout in reflow_problems.items())
    admin_problems = django_admin_problems(pages)
    assert admin_problems == {}, "\n".join(f"{path}: {violations}" for path, violations in admin_problems.items())


# Django's own admin pages -------------------------------------------------------------------------

APP_LABELS = {"organisations", "jobs", "measures", "reports", "delivery", "surveys"}
WCAG_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def django_admin_problems(pages) -> dict:
    """Axe's WCAG findings on each app model's change list and first change form, as staff see them."""
    page = pages("staff")
    found, opened = {}, 0
    for model in admin.site._registry:
        if model._meta.app_label not in APP_LABELS:
            continue
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        for path in [base] + ([f"{base}{first}/change/"] if first is not None else []):
            if page.goto(path).status != 200:
                continue  # not for staff (the role matrix says who may)
            opened += 1
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                """async (rules) => (await axe.run(document, {runOnly: {type: 'tag', values: rules}}))
                    .violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)""",
                WCAG_RULES,
            )
            if violations:
                found[path] = violations
    assert opened >= 40, f"only {opened} admin pages opened: is the demo loaded?"
    return found


# 400% zoom --------------------------------------------------------------------------------------

NARROW_PAGES = [
    ("anonymous", "/"),
    ("anonymous", "/accessibility/"),
    ("anonymous", "/sign-in/"),
    ("anonymous", "/reports/"),
    ("anonymous", "/reports/2020-21-q3/"),
    ("anonymous", "/measures/"),
    ("anonymous", "/measures/total-recorded-crime/"),
    ("anonymous", "/measures/feeling-safe/"),
    ("partner", "/partners/"),
    ("partner", "/partners/updates/{draft_update}/"),
    ("partner", "/partners/updates/{draft_update}/edit/"),
    ("partner", "/partners/updates/{draft_update}/preview/"),
    ("staff", "/review/"),
    ("staff", "/review/updates/{submitted_update}/"),
    ("staff", "/surveys/"),
    ("staff", "/surveys/community-conversation/2020-10/"),
    ("staff", "/surveys/community-conversation/2020-10/feel-safe/"),
    ("staff", "/surveys/import/"),
]

# Wide content that may scroll inside itself: a table in a focusable, labelled region.
OVERFLOW = """() => {
    const root = document.documentElement;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.right > root.clientWidth + 1 && !el.closest('.app-table-scroll')) {
            wide.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
        }
    }
    const scrollers = [...document.querySelectorAll('.app-table-scroll')]
        .filter(el => el.scrollWidth > el.clientWidth)
        .filter(el => el.tabIndex !== 0 || !el.getAttribute('aria-label') || el.getAttribute('role') !== 'region')
        .map(el => el.querySelector('caption') ? el.querySelector('caption').textContent.trim() : el.outerHTML.slice(0, 80));
    return {scrollWidth: root.scrollWidth, wide: wide.slice(0, 5), unlabelled: scrollers};
}"""


def narrow_layout_problems(pages, demo) -> dict:
    """Pages wider than the viewport, or with a wide table in an unlabelled or unfocusable region."""
    problems = {}
    narrow = {role: pages(role, fresh=True, viewport=NARROW) for role in ("anonymous", "partner", "staff")}
    for role, path in NARROW_PAGES:
        page = narrow[role]
        path = path.format(**vars(demo))
        page.goto(path)
        layout = page.evaluate(OVERFLOW)
        if layout["scrollWidth"] > NARROW["width"] + 1 or layout["unlabelled"]:
            problems[path] = layout
    for page in narrow.values():
        page.context.close()
    return problems


# The accessibility statement --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_accessibility_statement_says_what_govuks_sample_statement_says(client):
    response = client.get("/accessibility/")
    text = " ".join(response.content.decode().split())
    for heading in ["How accessible this service is", "Reporting accessibility problems with this service",
                    "Enforcement procedure", "Compliance status", "Non-accessible content",
                    "Preparation of this accessibility statement"]:
        assert f">{heading}</h" in text, heading
    assert "fully compliant with the" in text and "version 2.2</a> AA standard" in text
    assert "tagged PDF (PDF/UA)" in text  # tests/reports/test_pdf.py checks that it is
    assert "Equality and Human Rights Commission" in text
    assert 'href="https://www.equalityadvisoryservice.com/"' in text
    assert "within 10 working days" in text
