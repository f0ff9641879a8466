"""The demo's published report: the seed quarter, computed, with the seed's errors put right."""

import re

import pytest

from reports.models import Block, GlossaryTerm, Report, ReportVersion

pytestmark = pytest.mark.django_db

SECTION_HEADINGS = [
    "1 Current measures",
    "2 Tackling crime and anti-social behaviour",
    "3 Safeguarding vulnerable people",
    "4 Criminal justice",
    "5 Supporting victims and witnesses",
    "Glossary",
]


def load_seed_report():
    """Everything the report draws on, then the report. Each loader is idempotent."""
    from demo import loading, report

    loading.load_demo()
    for name in ("surveys", "delivery"):  # the other features' demos, where they exist
        try:
            module = __import__(f"demo.{name}", fromlist=["load"])
        except ImportError:
            continue
        module.load()
    report.load()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_demo_publishes_the_seed_quarter_with_every_section_and_correct_figures(
    settings, tmp_path, anonymous_client
):
    settings.MEDIA_ROOT = tmp_path
    load_seed_report()
    report = Report.objects.get(slug="2020-21-q3")
    assert report.status == Report.Status.PUBLISHED
    assert list(report.versions.values_list("number", flat=True)) == [1]

    page = anonymous_client.get("/reports/2020-21-q3/").content.decode()
    text = text_of(page)
    for heading in SECTION_HEADINGS:
        assert heading in text, heading

    # Section 1, as the seed prints it where it is right ...
    assert "Total recorded crime 292,070 12 months to Dec 2019 258,882 12 months to Dec 2020 −33,188 (−11.4%) ↓ down: better" in text
    assert "+7,185 (+15.9%) ↑ up: worse" in text  # ASB
    assert "Officers" in text and "6.3%" in text
    # ... and corrected where it is wrong.
    assert "2,487 12 months to Dec 2019 2,237 12 months to Dec 2020 −250 (−10.1%) ↓ down: better" in text
    assert "2,400 Apr – Dec 2019 2,200 Apr – Dec 2020 −200 (−8.3%)" in text  # Liaison and Diversion
    assert "75.1% 12 months to Dec 2019 77.4% 12 months to Dec 2020 +2.3 points ↑ up: better" in text
    # The district tables: the domestic abuse positive outcome rate and the repeat victim rate.
    assert "West Yorkshire 9.2% 8.8% −0.4 points" in text
    assert "Kirklees 7.9% 7.7% −0.2 points" in text
    assert "Kirklees 49.3% 48.5% −0.8 points" in text and "Leeds 47.9% 48.3% +0.4 points" in text
    # Not available and new measures show as such.
    assert "Experience of household crime (CSEW) not available" in text
    assert "BAME representation" in text or "5.2% (241)" in text
    assert "5.2% (241)" in text and "6.3% (349)" in text and "5.9% (629)" in text

    # Every numbered paragraph of the seed's commentary, and the glossary.
    numbers = set(Block.objects.filter(section__report=report, kind=Block.Kind.COMMENTARY).values_list("number", flat=True))
    assert {"2.1.2", "2.6.5", "3.5", "4.2.12", "5.4.2"} <= numbers
    for number in ["2.1.2", "3.2.5", "4.3.7", "5.4.2"]:
        assert f">{number}</span>" in page
    assert GlossaryTerm.objects.count() == 14 and "Integrated Offender Management (IOM)" in text

    # Charts the seed lost, as images with words and data.
    assert page.count('class="app-chart-image"') >= 10
    assert "Line chart: BAME representation in the workforce" in page

    # Every table has its caption and the downloads work.
    assert page.count("<caption") >= 20
    csv = anonymous_client.get("/reports/2020-21-q3/measures.csv").content.decode()
    assert "total-recorded-crime" in csv and "knife-crime" in csv
    pdf = b"".join(anonymous_client.get("/reports/2020-21-q3.pdf").streaming_content)
    assert pdf.startswith(b"%PDF-")

    # Loading again keeps the published version as it is.
    load_seed_report()
    assert ReportVersion.objects.filter(report=report).count() == 1
