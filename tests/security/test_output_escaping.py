"""Text people type is shown as text: on every page, in the published report and its PDF, and in
every CSV and XLSX download, where a cell that a spreadsheet would run as a formula starts with `'`.

One report holds a hostile string in every field staff or partners write: measure names,
definitions, sources and notes, breakdown labels, glossary terms, comments, the report's title,
section titles, block headings, commentary, table captions and chart titles, survey names, wave
labels, question text, option labels and notes, and a partner's update (title, body, KPI label,
quotation). Already covered elsewhere, and not repeated here:

- tests/delivery/test_sanitising.py: update text and review comments in the portal, the review
  pages and the report block; the Markdown subset and its sanitiser.
- tests/reports/test_blocks.py, tests/reports/test_pages.py: commentary Markdown is sanitised.
- tests/reports/test_exports.py, tests/measures/test_exporting.py: `neutralise` itself, and the
  measures table and figures exports.
- tests/reports/test_pdf.py: the PDF's URL fetcher, called directly, refuses all but static files.
"""

import csv
import io
import logging

import pytest
from openpyxl import load_workbook

from tests.security.test_role_matrix import walk

pytestmark = pytest.mark.usefixtures("access_fast_passwords")

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example/","x")'
HOSTILE = FORMULA + SCRIPT + IMAGE
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile_report(organisation, staff_user, monkeypatch):
    """The report of tests/reports/conftest.py, published with HOSTILE in every text field; and
    the HTML that WeasyPrint was given for its PDF."""
    from delivery.models import Status
    from measures.models import Breakdown, Measure, Value
    from reports import services as report_services
    from reports.models import Block, GlossaryTerm, MeasureComment, Section
    from tests.delivery.factories import KpiFactory, QuotationFactory, UpdateFactory
    from tests.factories import AreaFactory
    from tests.reports.conftest import make_framework, make_report
    from tests.surveys.factories import OptionFactory, QuestionFactory, SurveyFactory, WaveFactory, result

    framework = make_framework()
    report = make_report(framework)
    Measure.objects.filter(code="total-recorded-crime").update(name=HOSTILE, definition=HOSTILE, source=HOSTILE)
    Breakdown.objects.filter(code="victim-under-25").update(label=HOSTILE)
    Value.objects.filter(measure__code="total-recorded-crime").update(note=HOSTILE)
    GlossaryTerm.objects.create(term=HOSTILE, definition=HOSTILE)
    MeasureComment.objects.filter(report=report).update(text=HOSTILE)
    report.title = report.subtitle = HOSTILE
    report.save()
    Section.objects.filter(report=report, number="2").update(title=HOSTILE)
    Block.objects.filter(section__report=report, kind=Block.Kind.COMMENTARY).update(heading=HOSTILE, text=HOSTILE)
    tables_and_charts = [Block.Kind.MEASURE_TABLE, Block.Kind.CHART]
    for block in Block.objects.filter(section__report=report, kind__in=tables_and_charts):
        block.config = {**block.config, "caption": HOSTILE, "title": HOSTILE, "row_heading": HOSTILE}
        block.save()

    update = UpdateFactory(organisation=organisation, period=report.period, priority=framework["crime"],
                           status=Status.APPROVED, title=HOSTILE, body=HOSTILE, key_facts=HOSTILE)
    KpiFactory(update=update, label=HOSTILE)
    QuotationFactory(update=update, text=HOSTILE, attribution=HOSTILE)

    survey = SurveyFactory(name=HOSTILE, slug="hostile-survey")
    wave = WaveFactory(survey=survey, code="2020-10", label=HOSTILE)
    question = QuestionFactory(survey=survey, code="feel-safe", text=HOSTILE)
    OptionFactory(question=question, code="safe", label=HOSTILE)
    entered = result(wave, question, AreaFactory(code="west-yorkshire"), "safe", "60", base=300)
    entered.note = HOSTILE
    entered.save()

    given_to_weasyprint = []
    real_render_pdf = report_services.render_pdf

    def render_and_keep_the_html(html, *, slug):
        given_to_weasyprint.append(html)
        return real_render_pdf(html, slug=slug)

    monkeypatch.setattr(report_services, "render_pdf", render_and_keep_the_html)
    version = report_services.report_publish(report=report, user=staff_user)
    return {"report": report, "version": version, "pdf_html": given_to_weasyprint[0], "survey": survey,
            "wave": wave, "question": question, "update": update}


def assert_shown_as_text(html: str, where: str, *, shown: bool = True):
    assert SCRIPT not in html and "<script>alert" not in html, f"{where}: a script survived"
    assert "<img src=x" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", ""), (
        f"{where}: an image with a handler survived"
    )
    if shown:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, f"{where}: the text typed is not shown"


def test_hostile_text_is_text_on_every_page_that_shows_it(hostile_report, anonymous_client, staff_client):
    report, survey, wave, question = (hostile_report[k] for k in ("report", "survey", "wave", "question"))
    public = ["/", "/reports/", f"/reports/{report.slug}/", f"/reports/{report.slug}/v1/", "/measures/",
              "/measures/total-recorded-crime/", "/measures/total-recorded-crime/chart.svg",
              "/measures/knife-crime/"]
    staff = [
        f"/reports/{report.slug}/preview/",
        "/surveys/", f"/surveys/{survey.slug}/{wave.code}/",
        f"/surveys/{survey.slug}/{wave.code}/{question.code}/",
        "/admin/measures/measure/",
        f"/admin/measures/measure/{report.measure_comments.first().measure_id}/change/",
        "/admin/measures/value/", "/admin/reports/glossaryterm/", "/admin/reports/report/",
        f"/admin/reports/report/{report.pk}/change/", "/admin/reports/section/", "/admin/surveys/question/",
        "/admin/delivery/deliveryupdate/", f"/admin/delivery/deliveryupdate/{hostile_report['update'].pk}/change/",
        f"/review/updates/{hostile_report['update'].pk}/",
    ]
    for client, paths in [(anonymous_client, public), (staff_client, staff)]:
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert_shown_as_text(response.content.decode(), path)


def test_hostile_text_is_text_in_the_published_report_and_the_html_its_pdf_is_made_from(hostile_report):
    version = hostile_report["version"]
    for where, html in [("published page", version.body_html), ("PDF", hostile_report["pdf_html"])]:
        assert_shown_as_text(html, where)
        # Every kind of field reached the page: the glossary, a comment, a commentary heading,
        # a caption, the partner's words and the survey-free title.
        assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 8, where
    # The PDF's own head: title and subtitle escaped there too, and no stylesheet but ours.
    assert "<title>" in hostile_report["pdf_html"]
    assert "https://report.invalid/static/" in hostile_report["pdf_html"]


def test_the_pdf_shows_the_hostile_text_as_letters(hostile_report):
    import pypdf

    with hostile_report["version"].pdf.open("rb") as stored:
        text = "".join(page.extract_text() for page in pypdf.PdfReader(stored).pages)
    assert "<script>alert(1)</script>" in text.replace("\n", "")


def _export_paths(hostile_report) -> dict[str, list[tuple[str, str]]]:
    """Every route that downloads CSV or XLSX -> (method, path) tried for it."""
    from reports.models import Block

    report, survey, wave = hostile_report["report"], hostile_report["survey"], hostile_report["wave"]
    r = report.slug
    tables = [block.pk for block in Block.objects.filter(section__report=report, kind=Block.Kind.MEASURE_TABLE)]
    both = ("csv", "xlsx")
    return {
        "reports/<slug:slug>/measures.<fmt:fmt>": [("get", f"/reports/{r}/measures.{f}") for f in both],
        "reports/<slug:slug>/v<int:number>/measures.<fmt:fmt>": [
            ("get", f"/reports/{r}/v1/measures.{f}") for f in both],
        "reports/<slug:slug>/preview/measures.<fmt:fmt>": [
            ("get", f"/reports/{r}/preview/measures.{f}") for f in both],
        "reports/<slug:slug>/tables/<slug:key>.<fmt:fmt>": [
            ("get", f"/reports/{r}/tables/{key}.{f}") for key in tables for f in both],
        "reports/<slug:slug>/v<int:number>/tables/<slug:key>.<fmt:fmt>": [
            ("get", f"/reports/{r}/v1/tables/{key}.{f}") for key in tables for f in both],
        "reports/<slug:slug>/preview/tables/<slug:key>.<fmt:fmt>": [
            ("get", f"/reports/{r}/preview/tables/{key}.{f}") for key in tables for f in both],
        "surveys/<slug:survey>/results.<str:file_format>": [
            ("get", f"/surveys/{survey.slug}/results.{f}") for f in both],
        "surveys/<slug:survey>/<slug:wave>/results.<str:file_format>": [
            ("get", f"/surveys/{survey.slug}/{wave.code}/results.{f}") for f in both],
        "admin/measures/value/export/": [("post", "/admin/measures/value/export/")],
        "admin/measures/measure/export/": [("post", "/admin/measures/measure/export/")],
    }


def _cells(response) -> list[tuple[str, object, str]]:
    """(where, value, openpyxl data type or "csv") for every cell of a CSV or XLSX download."""
    content_type = response["Content-Type"]
    if content_type.startswith("text/csv"):
        rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
        return [(f"row {n}", value, "csv") for n, row in enumerate(rows, 1) for value in row]
    workbook = load_workbook(io.BytesIO(response.content))
    return [(f"{sheet.title}!{cell.coordinate}", cell.value, cell.data_type)
            for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_every_export_writes_text_that_a_spreadsheet_will_not_run(hostile_report, staff_client):
    exports = _export_paths(hostile_report)
    downloads = {route for route in walk() if route.endswith((".<fmt:fmt>", ".<str:file_format>", "export/"))}
    assert downloads == set(exports), "a new download: add it to _export_paths"
    wrong, neutralised = [], set()
    for route, requests in exports.items():
        for method, path in requests:
            if method == "get":
                response = staff_client.get(path)
                formats = [path.rsplit(".", 1)[1]]
            else:
                formats = ["csv", "xlsx"]
            for file_format in formats:
                if method == "post":
                    response = staff_client.post(path, {"format": file_format})
                assert response.status_code == 200, f"{path} {file_format}"
                for where, value, data_type in _cells(response):
                    if data_type == "f":
                        wrong.append(f"{path} {where}: a formula, {value!r}")
                    elif isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
                        wrong.append(f"{path} {where}: {value[:40]!r} would run")
                    elif isinstance(value, str) and value.startswith("'" + FORMULA):
                        neutralised.add(route)
                    if isinstance(value, str) and value.startswith(FORMULA[1:]):
                        wrong.append(f"{path} {where}: the = was deleted, not neutralised: {value[:40]!r}")
    assert wrong == [], "\n".join(wrong)
    # The hostile text really was in the downloads that carry names, notes or captions.
    assert neutralised >= {
        "reports/<slug:slug>/measures.<fmt:fmt>", "reports/<slug:slug>/v<int:number>/measures.<fmt:fmt>",
        "reports/<slug:slug>/preview/measures.<fmt:fmt>", "surveys/<slug:survey>/results.<str:file_format>",
        "admin/measures/value/export/", "admin/measures/measure/export/",
    }, neutralised


def test_the_pdf_renderer_refuses_to_fetch_from_the_network_or_the_disk(caplog):
    """Through WeasyPrint itself: whatever the HTML names, only the app's static files are read."""
    from reports.pdf import pdf_html, render_pdf

    html = pdf_html(
        title="T", subtitle="S", slug="x", version=1,
        body_html='<p>Hello</p><img src="http://example.org/x.png" alt="">'
        '<img src="file:///etc/passwd" alt=""><link rel="stylesheet" href="file:///etc/passwd">'
        '<p style="background: url(https://example.org/track.png)">x</p>',
    )
    with caplog.at_level(logging.INFO, logger="reports.pdf"):
        assert render_pdf(html, slug="x").startswith(b"%PDF-")
    refused = {record.args[0] for record in caplog.records if record.name == "reports.pdf"}
    assert {"http://example.org/x.png", "file:///etc/passwd", "https://example.org/track.png"} <= refused
    assert not any(url.startswith("https://report.invalid/static/") for url in refused)
