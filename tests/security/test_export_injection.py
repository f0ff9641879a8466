"""Every CSV and XLSX export neutralises formula injection, and leaves numbers as numbers.

Text a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
typed into measure names, definitions, priorities, area names, notes, survey questions, options
and waves, report block titles and column headings and comments; then every export is fetched:
the report's downloads (published and preview, CSV and XLSX), the admin's figures and framework
exports, the survey results export, and the export commands. Every text cell of every file must
start with something a spreadsheet keeps as text, each hostile text must be there (with its
apostrophe, not cut), and negative figures must still be numbers.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from measures.models import Area, Measure, Objective, Priority, Value
from measures.widgets import FORMULA_STARTS, neutralise
from reports.models import Block, MeasureComment
from reports.services import report_publish
from surveys.models import Option, Question, Wave
from tests.reports.conftest import make_framework, make_report
from tests.surveys.factories import SurveyFactory, WaveFactory, rating_question, result

pytestmark = pytest.mark.django_db

HOSTILE = {
    "measure": '=HYPERLINK("http://evil.example/","Total recorded crime")',
    "definition": "+44 20 7946 0000",
    "source": "@SUM(A1:A9)",
    "priority": "-2+3 Tackle crime",
    "objective": "\tReduce crime",
    "area": "=1+1 Leeds",
    "note": "\r=cmd|' /C calc'!A0",
    "comment": "+cmd comment",
    "caption": "@Recorded crime by district",
    "row_heading": "=Recorded crime",
    "question": "=WEBSERVICE(\"http://evil.example/\")",
    "option": "+Good or very good",
}
# A number as text: the only kind of cell that may start with a minus sign unprefixed.
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


@pytest.fixture
def hostile_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    framework = make_framework()
    report = make_report(framework)
    Measure.objects.filter(code="total-recorded-crime").update(
        name=HOSTILE["measure"], definition=HOSTILE["definition"], source=HOSTILE["source"],
    )
    Priority.objects.filter(slug="tackle-crime").update(name=HOSTILE["priority"])
    Objective.objects.filter(name="Reduce the volume of crimes").update(name=HOSTILE["objective"])
    Area.objects.filter(code="leeds").update(name=HOSTILE["area"])
    Value.objects.filter(measure__code="total-recorded-crime", area__code="west-yorkshire").update(
        note=HOSTILE["note"]
    )
    MeasureComment.objects.filter(measure__code="total-recorded-crime").update(text=HOSTILE["comment"])
    grid = Block.objects.get(config__caption="Recorded crime by district")
    grid.config = {**grid.config, "caption": HOSTILE["caption"], "row_heading": HOSTILE["row_heading"]}
    grid.save()

    survey = SurveyFactory(name="Community Conversation", slug="community-conversation")
    wave = WaveFactory(survey=survey, code="2020-10", label="October 2020")
    question = rating_question(survey)
    Question.objects.filter(pk=question.pk).update(text=HOSTILE["question"])
    Option.objects.filter(question=question, code="good").update(label=HOSTILE["option"])
    for area in Area.objects.all():
        result(wave, question, area, "good", 40, base=500)
        result(wave, question, area, "very-good", 10)
    from surveys.models import Result

    Result.objects.filter(area__code="west-yorkshire", option__code="good").update(note=HOSTILE["note"])
    section = grid.section
    survey_block = Block.objects.create(section=section, order=60, kind=Block.Kind.SURVEY, config={
        "survey": "community-conversation", "question": "police-work", "columns": ["good", "very-good"],
        "waves": ["2020-10"], "chart": "none",
    })
    return {"report": report, "grid": grid, "survey_block": survey_block, "wave": wave}


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                cells.append(cell.value)
    return cells


def assert_neutralised(cells: list, *, expected: list[str], file_format: str) -> None:
    for cell in cells:
        if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
            assert file_format == "csv" and _NUMBER.fullmatch(cell), f"not neutralised: {cell!r}"
    texts = [cell for cell in cells if isinstance(cell, str)]
    for name in expected:
        shown = neutralise(HOSTILE[name])
        if file_format == "xlsx":
            shown = shown.replace("\r", "\n")  # XML reads a carriage return back as a line feed
        assert any(shown in text for text in texts), f"{name}: {shown!r} is missing"


def fetch(client, url: str, file_format: str) -> list:
    response = client.get(url)
    assert response.status_code == 200, url
    assert "attachment" in response["Content-Disposition"]
    return csv_cells(response.content) if file_format == "csv" else xlsx_cells(response.content)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_reports_downloads_neutralise_every_hostile_text(hostile_world, staff_client, anonymous_client,
                                                             file_format):
    grid, survey_block = hostile_world["grid"], hostile_world["survey_block"]
    measure_texts = ["measure", "priority", "objective", "area", "comment"]
    base = "/reports/2020-21-q3"
    previews = {
        f"{base}/preview/measures.{file_format}": measure_texts,
        f"{base}/preview/tables/{grid.pk}.{file_format}": ["caption", "row_heading", "area"]
        if file_format == "xlsx" else ["row_heading", "area"],
        f"{base}/preview/tables/{survey_block.pk}.{file_format}": ["area", "option"] + (
            ["question"] if file_format == "xlsx" else []
        ),
    }
    for url, expected in previews.items():
        assert_neutralised(fetch(staff_client, url, file_format), expected=expected, file_format=file_format)
    report_publish(report=hostile_world["report"], user=None)
    for url, expected in previews.items():
        published = url.replace("/preview/", "/")
        cells = fetch(anonymous_client, published, file_format)
        assert_neutralised(cells, expected=expected, file_format=file_format)
        versioned = cells if "/tables/" not in url else fetch(
            anonymous_client, published.replace(f"{base}/", f"{base}/v1/"), file_format,
        )
        assert_neutralised(versioned, expected=expected, file_format=file_format)


def test_negative_figures_stay_numbers_in_the_reports_downloads(hostile_world, anonymous_client):
    report_publish(report=hostile_world["report"], user=None)
    rows = list(csv.DictReader(io.StringIO(
        anonymous_client.get("/reports/2020-21-q3/measures.csv").content.decode()
    )))
    force = next(row for row in rows if row["Measure code"] == "total-recorded-crime" and row["Area"] == "West Yorkshire")
    assert force["Difference"] == "-33188"
    workbook = load_workbook(io.BytesIO(anonymous_client.get("/reports/2020-21-q3/measures.xlsx").content))
    values = [cell.value for row in workbook["Table_1"].iter_rows() for cell in row]
    assert -33188 in values


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("kind, expected", [
    ("value", ["note"]),
    ("measure", ["measure", "definition", "source", "priority", "objective"]),
])
def test_the_admin_exports_neutralise_every_hostile_text(hostile_world, staff_client, kind, expected, file_format):
    response = staff_client.post(f"/admin/measures/{kind}/export/", {"format": file_format})
    assert response.status_code == 200
    cells = csv_cells(response.content) if file_format == "csv" else xlsx_cells(response.content)
    assert_neutralised(cells, expected=expected, file_format=file_format)
    if kind == "measure" and file_format == "xlsx":
        assert D("1.5") in [D(str(cell)) for cell in cells if isinstance(cell, (int, float))]


def test_a_negative_figure_exported_by_the_admin_is_a_number(hostile_world, staff_client):
    Value.objects.filter(measure__code="total-recorded-crime", area__code="bradford",
                         period__code="12M-2020-12").update(value=D("-12.5"))
    cells = xlsx_cells(staff_client.post("/admin/measures/value/export/", {"format": "xlsx"}).content)
    assert -12.5 in cells and "'-12.5" not in cells
    cells = csv_cells(staff_client.post("/admin/measures/value/export/", {"format": "csv"}).content)
    assert "-12.5" in cells and "'-12.5" not in cells


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_survey_results_export_neutralises_notes(hostile_world, staff_client, file_format):
    for url in (f"/surveys/community-conversation/results.{file_format}",
                f"/surveys/community-conversation/2020-10/results.{file_format}"):
        assert_neutralised(fetch(staff_client, url, file_format), expected=["note"], file_format=file_format)


@pytest.mark.parametrize("command, expected", [
    ("export_values", ["note"]),
    ("export_measures", ["measure", "definition", "source", "priority", "objective"]),
])
def test_the_export_commands_neutralise_every_hostile_text(hostile_world, command, expected):
    out = io.StringIO()
    call_command(command, stdout=out)
    assert_neutralised(csv_cells(out.getvalue().encode()), expected=expected, file_format="csv")


def test_an_export_imports_back_to_the_same_text(hostile_world, staff_client):
    """The apostrophe is taken off again on import: neutralising loses nothing."""
    from measures.importing import import_measures

    # (An import strips spaces and tabs around every text, so a leading tab is not kept.)
    Objective.objects.filter(name=HOSTILE["objective"]).update(name=HOSTILE["objective"].strip())
    content = staff_client.post("/admin/measures/measure/export/", {"format": "xlsx"}).content
    summary = import_measures(source=content, filename="framework.xlsx", dry_run=True)
    assert summary.errors == [] and (summary.new, summary.changed) == (0, 0)
    assert Wave.objects.count() == 1
