"""Reading reports: what each role sees, what a page contains, and its fixed query counts."""

import re

import pytest

from measures.models import Measure
from reports.models import Report
from reports.services import report_publish
from tests.reports.conftest import make_framework, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def published(report):
    report_publish(report=report, user=None)
    return report


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# Who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "partner", "other-partner", "panel"])
def test_a_draft_is_not_found_for_everyone_but_staff(report, role_clients, role):
    client = role_clients[role]
    for path in [
        "/reports/2020-21-q3/", "/reports/2020-21-q3.pdf", "/reports/2020-21-q3/v1/",
        "/reports/2020-21-q3/measures.csv", "/reports/2020-21-q3/tables/1.csv",
    ]:
        assert client.get(path).status_code == 404, path
    assert "2020-21-q3" not in client.get("/reports/").content.decode()


def test_staff_are_taken_from_a_draft_to_its_preview(report, staff_client):
    response = staff_client.get("/reports/2020-21-q3/")
    assert response.status_code == 302 and response["Location"] == "/reports/2020-21-q3/preview/"
    page = html_of(staff_client.get("/reports/2020-21-q3/preview/"))
    assert "Draft preview" in page and "Total recorded crime" in page


@pytest.mark.parametrize("role,status", [("anonymous", 302), ("partner", 403), ("panel", 403)])
def test_only_staff_may_preview(report, role_clients, role, status):
    assert role_clients[role].get("/reports/2020-21-q3/preview/").status_code == status
    assert role_clients[role].get("/reports/2020-21-q3/preview/measures.csv").status_code == status


def test_the_list_shows_published_reports_to_everyone_and_drafts_only_to_staff(published, anonymous_client, staff_client):
    framework_quarter = make_draft_of_next_quarter(published)
    public = html_of(anonymous_client.get("/reports/"))
    assert "October to December 2020" in public and framework_quarter not in public
    staff = html_of(staff_client.get("/reports/"))
    assert "Drafts" in staff and "/reports/2021-22-q1/preview/" in staff


def make_draft_of_next_quarter(report) -> str:
    from reports.services import report_copy_structure

    report_copy_structure(report=report, period="2021-22-Q1", user=None)
    return "/reports/2021-22-q1/"


def test_the_home_page_lists_published_reports(published, anonymous_client):
    home = html_of(anonymous_client.get("/"))
    assert 'href="/reports/2020-21-q3/"' in home
    assert '>Reports</a>' in home  # the navigation item


def test_an_unknown_report_or_version_is_not_found(published, anonymous_client):
    for path in ["/reports/2019-20-q1/", "/reports/2020-21-q3/v2/", "/reports/2020-21-q3/tables/999.csv"]:
        assert anonymous_client.get(path).status_code == 404, path


# What a published page shows ------------------------------------------------------------------


def test_the_page_has_a_contents_list_linking_every_section(published, anonymous_client):
    page = html_of(anonymous_client.get("/reports/2020-21-q3/"))
    contents = page.split('id="contents-title"')[1].split("</nav>")[0]
    for anchor, title in [("section-1", "1 Current measures"), ("section-2", "2 Tackling crime"),
                          ("section-5", "5 Supporting victims"), ("section-", "Glossary")]:
        assert f'href="#{anchor}' in contents and title in contents
    for anchor in ["section-1", "section-2", "section-5"]:
        assert f'id="{anchor}"' in page


def test_arrows_have_words_and_judgements_come_from_the_stored_result(published, anonymous_client):
    page = html_of(anonymous_client.get("/reports/2020-21-q3/"))
    assert '<span class="app-arrow app-judgement--better" aria-hidden="true">↓</span> <span class="app-trend-words app-judgement--better">down: better</span>' in page
    assert "up: better" in page  # victim satisfaction rose
    assert "+2.3 points" in page  # a rate moves in points, not per cent
    assert "significant change" in page


def test_new_and_not_available_measures_show_as_such_never_as_zero(published, anonymous_client):
    page = html_of(anonymous_client.get("/reports/2020-21-q3/"))
    csew = page.split("Experience of household crime (CSEW)")[1].split("</tr>")[0]
    assert "not available" in csew and "Not available: the CSEW is a telephone survey now" in csew
    assert ">0<" not in csew
    referrals = page.split("Self-referrals")[1].split("</tr>")[0]
    assert "new measure" in referrals and "360" in referrals


def test_every_table_has_a_caption_and_header_cells_with_scope(published, anonymous_client):
    page = html_of(anonymous_client.get("/reports/2020-21-q3/"))
    tables = re.findall(r"<table.*?</table>", page, flags=re.S)
    assert len(tables) >= 6
    for table in tables:
        assert "<caption" in table
        for header in re.findall(r"<th\b[^>]*>", table):
            assert "scope=" in header, header


def test_charts_are_images_with_a_text_alternative_and_their_data(published, anonymous_client):
    page = html_of(anonymous_client.get("/reports/2020-21-q3/"))
    image = re.search(r'<img class="app-chart-image" src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', page)
    assert image and image.group(1).startswith("Bar chart: Total recorded crime")
    assert "Show the data for this chart" in page
    assert "Data for the chart: Total recorded crime, 12 months to December" in page


def test_commentary_is_markdown_with_its_number_and_no_script(published, anonymous_client):
    page = html_of(anonymous_client.get("/reports/2020-21-q3/"))
    assert '<span class="app-paragraph__number">2.1.2</span>' in page
    assert "<strong>is still reducing</strong>" in page
    assert "<script>alert" not in page and "alert(1)" not in page


def test_the_glossary_and_comments_are_shown(published, anonymous_client):
    page = html_of(anonymous_client.get("/reports/2020-21-q3/"))
    assert "Integrated Offender Management." in page
    assert "Total crime is still reducing." in page


def test_the_pdf_is_served_from_storage(published, anonymous_client):
    response = anonymous_client.get("/reports/2020-21-q3.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert anonymous_client.get("/reports/2020-21-q3/v1/report.pdf").status_code == 200


# Fixed query counts ---------------------------------------------------------------------------


def published_report_of_size(measures: int) -> Report:
    report = make_report(make_framework(extra_measures=measures), extra_tables=measures)
    report_publish(report=report, user=None)
    return report


@pytest.mark.parametrize("measures", [5, 10])
def test_a_published_page_takes_two_queries_however_many_measures(measures, anonymous_client, django_assert_num_queries):
    published_report_of_size(measures)
    assert Measure.objects.filter(code__startswith="extra-").count() == measures
    # 1: the versions' numbers and notes; 2: the shown version's frozen page (not its data).
    with django_assert_num_queries(2):
        response = anonymous_client.get("/reports/2020-21-q3/")
    assert response.status_code == 200
    assert f"Extra measure {measures - 1}" in response.content.decode()
    # Version 1's own address: the list of versions is in memory now, the page is not.
    with django_assert_num_queries(1):
        assert anonymous_client.get("/reports/2020-21-q3/v1/").status_code == 200
    # Again: the page and the list of versions are in memory, so nothing is read.
    with django_assert_num_queries(0):
        again = anonymous_client.get("/reports/2020-21-q3/")
    assert again.content == response.content


def test_a_signed_in_reader_gets_their_own_page_not_the_shared_copy(published, anonymous_client, panel_client):
    anonymous_client.get("/reports/2020-21-q3/")
    page = panel_client.get("/reports/2020-21-q3/").content.decode()
    assert "Sign out" in page  # their own navigation, not the anonymous copy


def test_a_new_version_reaches_other_server_processes_within_seconds(published, anonymous_client, monkeypatch):
    from reports.views import PageCache

    anonymous_client.get("/reports/2020-21-q3/")
    report_publish(report=published, user=None, note="Published by a worker elsewhere.")
    # Another process's copy of the list of versions lapses after VERSIONS_SECONDS.
    monkeypatch.setattr(PageCache, "VERSIONS_SECONDS", 0.0)
    from reports.views import page_cache

    page_cache.keep_versions("2020-21-q3", page_cache.versions("2020-21-q3") or [])
    assert "Published by a worker elsewhere." in anonymous_client.get("/reports/2020-21-q3/").content.decode()


def test_a_new_version_replaces_the_shared_copy_of_the_page(published, anonymous_client, django_capture_on_commit_callbacks):
    first = anonymous_client.get("/reports/2020-21-q3/").content.decode()
    assert "Revised on" not in first
    with django_capture_on_commit_callbacks(execute=True):
        report_publish(report=published, user=None, note="A second look.")
    second = anonymous_client.get("/reports/2020-21-q3/").content.decode()
    assert "A second look." in second
    earlier = anonymous_client.get("/reports/2020-21-q3/v1/").content.decode()
    assert "Read the latest version (version 2)" in earlier


@pytest.mark.parametrize("measures", [5, 10])
def test_a_draft_preview_takes_a_fixed_number_of_queries(measures, staff_client, django_assert_num_queries):
    make_report(make_framework(extra_measures=measures), extra_tables=measures)
    staff_client.get("/reports/2020-21-q3/preview/")  # warm the session
    # session, user, groups (staff check); report; sections; blocks; measures; breakdowns; areas;
    # results; values; comments; glossary; the delivery block's updates (none approved here).
    with django_assert_num_queries(14):
        response = staff_client.get("/reports/2020-21-q3/preview/")
    assert f"Extra measure {measures - 1}" in response.content.decode()


@pytest.mark.parametrize("measures", [5, 10])
def test_the_report_list_takes_one_query(measures, anonymous_client, django_assert_num_queries):
    published_report_of_size(measures)
    with django_assert_num_queries(1):
        assert anonymous_client.get("/reports/").status_code == 200
