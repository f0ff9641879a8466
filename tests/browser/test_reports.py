"""A reader opens the published demo report, reads it, downloads it; staff preview a draft."""

import csv
import io
import re

import pytest

from reports.models import Report
from tests.browser.conftest import axe_violations, sign_in
from tests.reports.test_demo_report import SECTION_HEADINGS, load_seed_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seed_report(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    load_seed_report()
    return Report.objects.get(slug="2020-21-q3")


def test_a_reader_opens_the_published_report_reads_it_and_downloads_it(page, seed_report):
    page.goto("/reports/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Delivery Quarterly Report: October to December 2020").click()
    page.wait_for_load_state()
    assert page.url.endswith("/reports/2020-21-q3/")

    # Every section of the seed, in order, as headings and in the contents list.
    headings = page.locator("h2.app-report-section__heading").all_inner_texts()
    assert [" ".join(h.split()) for h in headings] == SECTION_HEADINGS
    contents = page.get_by_role("navigation", name="Contents")
    for heading in SECTION_HEADINGS:
        assert contents.get_by_role("link", name=heading).is_visible()

    # The section 1 table: a row per measure, with computed figures and arrows in words.
    crime = page.locator("#section-1 tr", has_text="Total recorded crime").first
    assert "258,882" in crime.inner_text() and "−33,188 (−11.4%)" in crime.inner_text()
    assert "down: better" in crime.inner_text()
    knife = page.locator("#section-1 tr", has_text="Volume of knife-enabled crime").first
    assert "−250 (−10.1%)" in knife.inner_text()
    screened = page.locator("#section-1 tr", has_text="Liaison and Diversion").first
    assert "−200 (−8.3%)" in screened.inner_text()
    rows = page.locator("#section-1 tbody tr:not(.app-table__group-row)")
    assert rows.count() >= 25
    assert page.locator("#section-1 caption").first.inner_text().startswith("Current measures")

    # A district table further on: the domestic abuse positive outcome rate, in points.
    outcome = page.locator("table", has_text="Domestic abuse positive outcome rate")
    assert "−0.4 points" in outcome.locator("tr", has_text="West Yorkshire").inner_text()

    # A chart is an image with a text alternative, and its data is one click away.
    chart = page.get_by_role("img", name=re.compile(r"^Line chart: BAME representation"))
    assert chart.is_visible()
    details = page.locator("details", has_text="Show the data for this chart").first
    details.locator("summary").click()
    assert details.locator("table").is_visible()

    assert axe_violations(page) == []

    # The contents list works from the keyboard.
    link = contents.get_by_role("link", name="3 Safeguarding vulnerable people")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#section-3'")

    # Downloads: the measures as CSV and the report as PDF.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the current measures as CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    total = next(row for row in rows if row["Measure code"] == "total-recorded-crime" and row["Area"] == "West Yorkshire")
    assert (total["Figure"], total["Difference"], total["Percentage change"]) == ("258882", "-33188", "-11.4")
    response = page.request.get("/reports/2020-21-q3.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def test_staff_preview_a_draft_that_nobody_else_can_see(page, seed_report):
    from reports.services import report_copy_structure

    report_copy_structure(report=seed_report, period="2020-21-Q4", user=None)
    assert page.goto("/reports/2020-21-q4/").status == 404

    sign_in(page, "opcc", "demo-password-for-tests")
    page.goto("/reports/2020-21-q4/")
    page.wait_for_load_state()
    assert page.url.endswith("/reports/2020-21-q4/preview/")
    assert page.get_by_role("heading", name="Draft preview").is_visible()
    assert page.locator("h2.app-report-section__heading").count() == len(SECTION_HEADINGS)
    assert axe_violations(page) == []
