"""CSV and XLSX downloads: the computed columns, numbers as numbers, formulas neutralised."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from measures.models import Measure
from reports.exports import neutralise, table_csv, tables_xlsx
from reports.models import MeasureComment
from reports.services import report_publish

pytestmark = pytest.mark.django_db

HOSTILE_NAME = '=HYPERLINK("http://evil.example/","Total recorded crime")'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def published(report):
    Measure.objects.filter(code="total-recorded-crime").update(name=HOSTILE_NAME)
    MeasureComment.objects.filter(measure__code="total-recorded-crime").update(text="+44 calls; @risk")
    report_publish(report=report, user=None)
    return report


def rows_of(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    "text,expected",
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("Leeds", "Leeds"), ("−33,188", "−33,188"), ("", "")],
)
def test_text_that_a_spreadsheet_would_run_is_neutralised(text, expected):
    assert neutralise(text) == expected


def test_measures_csv_has_a_row_per_measure_area_and_breakdown_with_computed_columns(published, anonymous_client):
    rows = rows_of(anonymous_client.get("/reports/2020-21-q3/measures.csv"))
    total = [row for row in rows if row["Measure code"] == "total-recorded-crime"]
    assert [row["Area"] for row in total] == ["West Yorkshire", "Bradford", "Leeds"]
    force = total[0]
    assert force["Figure"] == "258882" and force["Comparison figure"] == "292070"
    assert force["Difference"] == "-33188" and force["Percentage change"] == "-11.4"
    assert (force["Direction"], force["Judgement"]) == ("down", "better")
    assert force["Significance"] == "significant change"
    assert force["Period"] == "12 months to Dec 2020"
    knife = [row for row in rows if row["Measure code"] == "knife-crime"]
    assert [row["Breakdown"] for row in knife] == ["", "Victim under 25"]
    satisfaction = next(row for row in rows if row["Measure code"] == "victim-satisfaction")
    assert satisfaction["Difference in points"] == "2.3" and satisfaction["Percentage change"] == ""
    csew = next(row for row in rows if row["Measure code"] == "csew-household-crime")
    assert csew["Figure"] == "" and csew["Status"] == "not available"
    assert "telephone survey" in csew["Notes"]


def test_formulas_in_names_and_comments_are_neutralised_in_the_csv(published, anonymous_client):
    rows = rows_of(anonymous_client.get("/reports/2020-21-q3/measures.csv"))
    force = next(row for row in rows if row["Measure code"] == "total-recorded-crime")
    assert force["Measure"] == "'" + HOSTILE_NAME
    assert force["Comment"] == "'+44 calls; @risk"
    assert force["Difference"] == "-33188"  # a number is never prefixed


def test_the_xlsx_has_a_cover_sheet_one_table_per_sheet_and_numbers_as_numbers(published, anonymous_client):
    response = anonymous_client.get("/reports/2020-21-q3/measures.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Cover", "Table_1"]
    cover = workbook["Cover"]
    assert cover["A1"].value.startswith("Current measures")
    assert any("[x] means the figure is not available" in str(cell.value) for cell in cover["A"])
    sheet = workbook["Table_1"]
    assert sheet.merged_cells.ranges == set()
    assert list(sheet.tables) == ["Table_1"]
    header = [cell.value for cell in sheet[3]]
    assert header[:4] == ["Priority", "Objective", "Measure code", "Measure"] and "Notes" in header
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    force = next(row for row in rows if row[2] == "total-recorded-crime")
    column = {name: index for index, name in enumerate(header)}
    assert force[column["Figure"]] == 258882 and isinstance(force[column["Figure"]], int)
    assert force[column["Percentage change"]] == pytest.approx(-11.4)
    assert force[column["Measure"]] == "'" + HOSTILE_NAME
    assert sheet.cell(row=4 + rows.index(force), column=column["Figure"] + 1).number_format == "#,##0"
    csew = next(row for row in rows if row[2] == "csew-household-crime")
    assert csew[column["Figure"]] == "[x]"


def test_each_table_block_downloads_as_it_is_shown(published, anonymous_client):
    from reports.models import Block

    grid = Block.objects.get(config__caption="Recorded crime by district")
    rows = rows_of(anonymous_client.get(f"/reports/2020-21-q3/tables/{grid.pk}.csv"))
    assert list(rows[0]) == ["Recorded crime", "West Yorkshire", "Bradford", "Leeds"]
    assert rows[1] == {"Recorded crime": "12 months to Dec 2020", "West Yorkshire": "258882",
                       "Bradford": "63406", "Leeds": "90669"}
    comparison = Block.objects.get(config__caption="Knife crime")
    rows = rows_of(anonymous_client.get(f"/reports/2020-21-q3/v1/tables/{comparison.pk}.csv"))
    assert [(row["Crime type"], row["Figure"], row["Percentage change"]) for row in rows] == [
        ("Total recorded", "2237", "-10.1"), ("Victim under 25", "791", "-13.2"),
    ]
    chart = Block.objects.get(config__title="Total recorded crime, 12 months to December")
    rows = rows_of(anonymous_client.get(f"/reports/2020-21-q3/tables/{chart.pk}.csv"))
    assert rows[0] == {"Category": "West Yorkshire", "2019": "292070", "2020": "258882"}
    xlsx = anonymous_client.get(f"/reports/2020-21-q3/tables/{grid.pk}.xlsx")
    assert load_workbook(io.BytesIO(xlsx.content))["Table_1"]["B5"].value == 258882


def test_staff_can_download_a_drafts_tables_from_the_preview(report, staff_client):
    from reports.models import Block

    grid = Block.objects.get(config__caption="Recorded crime by district")
    response = staff_client.get(f"/reports/2020-21-q3/preview/tables/{grid.pk}.csv")
    assert rows_of(response)[0]["West Yorkshire"] == "292070"
    assert rows_of(staff_client.get("/reports/2020-21-q3/preview/measures.csv"))


def test_repeated_column_labels_still_make_a_valid_xlsx_table():
    table = {
        "title": "=Repeated", "columns": [{"label": "A", "type": "text"}, {"label": "A", "type": "number"}],
        "rows": [["-x", {"number": "1.50", "decimals": 2}], ["y", None]],
    }
    workbook = load_workbook(io.BytesIO(tables_xlsx(title="t", about=[], tables=[table])))
    sheet = workbook["Table_1"]
    assert [cell.value for cell in sheet[3]] == ["A", "A (2)"]
    assert sheet["A1"].value == "'=Repeated"
    assert sheet["A4"].value == "'-x" and sheet["B4"].value == 1.5 and sheet["B4"].number_format == "#,##0.00"
    assert sheet["B5"].value == "[x]"
    assert table_csv(table).splitlines() == ["A,A", "'-x,1.50", "y,"]
    assert Decimal("1.50") == Decimal(table["rows"][0][1]["number"])
