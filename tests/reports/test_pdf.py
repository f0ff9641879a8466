"""The PDF: a real PDF with the report's sections, rendered from nothing but the app's own files."""

import io

import pypdf
import pytest

from reports.pdf import RefusedFetch, _make_fetcher, pdf_html, render_pdf
from reports.services import report_publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_text(data: bytes) -> str:
    """The PDF's text, as a reader's PDF viewer would extract it."""
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_the_published_pdf_is_a_pdf_with_every_section_and_the_computed_figures(report, anonymous_client):
    report_publish(report=report, user=None)
    data = b"".join(anonymous_client.get("/reports/2020-21-q3.pdf").streaming_content)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    text = pdf_text(data)
    for title in ["Current measures", "Tackling crime and anti-social", "Supporting victims and witnesses", "Glossary"]:
        assert title in text
    assert "258,882" in text and "−33,188" in text and "down: better" in text
    assert "Download this table" not in text  # links for the web only


def test_the_pdf_fetcher_serves_static_files_and_refuses_anything_else():
    fetcher = _make_fetcher()
    response = fetcher.fetch("https://report.invalid/static/css/report.css")
    assert b".app-contents-list" in response.read()
    for url in [
        "https://example.org/tracker.png", "http://127.0.0.1:6379/", "file:///etc/passwd",
        "https://report.invalid/static/../../etc/passwd", "https://report.invalid/media/secret.pdf",
        "https://report.invalid/static/no-such-file.css",
    ]:
        with pytest.raises(RefusedFetch):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_an_external_image_in_the_html_is_not_fetched_and_the_pdf_still_renders(tmp_path):
    html = pdf_html(
        title="T", subtitle="S", slug="x", version=1,
        body_html='<p>Hello</p><img src="http://127.0.0.1:9/never" alt="x">'
        '<link rel="stylesheet" href="https://example.org/evil.css">',
    )
    assert render_pdf(html, slug="x").startswith(b"%PDF-")


def _structure(node, found):
    """The roles of a tagged PDF's structure tree, and each figure's text alternative."""
    node = node.get_object()
    if isinstance(node, pypdf.generic.DictionaryObject):
        if "/S" in node:
            found.setdefault(str(node["/S"]), []).append(node.get("/Alt"))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pypdf.generic.ArrayObject) else [kids] if kids is not None else []:
            _structure(kid, found)
    return found


def test_the_pdf_is_tagged_for_screen_readers_with_its_tables_headings_and_chart_texts(report, anonymous_client):
    report_publish(report=report, user=None)
    data = b"".join(anonymous_client.get("/reports/2020-21-q3.pdf").streaming_content)
    catalogue = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert bool(catalogue["/MarkInfo"]["/Marked"])
    assert catalogue["/Lang"] == "en"
    assert bool(catalogue["/ViewerPreferences"]["/DisplayDocTitle"])
    roles = _structure(catalogue["/StructTreeRoot"], {})
    assert {"/Table", "/TH", "/TD", "/Caption", "/H2", "/L", "/LI"} <= set(roles), sorted(roles)
    assert roles.get("/Figure"), "the charts are figures"
    assert all(alt and alt.startswith(("Bar chart", "Line chart")) for alt in roles["/Figure"]), roles["/Figure"]
