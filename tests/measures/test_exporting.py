"""Exports in the exchange format: what the app exports, it imports again unchanged."""

import csv
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from measures.importing import VALUE_COLUMNS, import_measures, import_values
from measures.models import Measure, Period, Value
from measures.resources import MeasureResource, ValueResource, export_file
from tests.measures.importing_data import csv_file, good_rows, make_framework

pytestmark = pytest.mark.django_db

DANGEROUS_NOTES = ["=HYPERLINK(\"http://x\")", "+1", "-minus", "@SUM(A1)", "\tTabbed", "\rReturn", "plain"]


@pytest.fixture
def framework():
    framework = make_framework()
    import_values(source=csv_file(good_rows()), filename="figures.csv")
    return framework


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def read_xlsx(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def snapshot():
    return sorted(Value.objects.values_list(
        "measure_id", "area_id", "breakdown_id", "period_id", "value", "numerator", "denominator",
        "note", "entered_by_id", "updated_at",
    ))


def test_figures_export_in_the_exchange_layout_with_plain_numbers(framework):
    rows = read_csv(export_file(ValueResource(), None, "csv"))
    assert rows[0] == list(VALUE_COLUMNS)
    # Framework order: these measures share an objective and order, so by code.
    assert rows[1:] == [
        ["feeling-safe", "west-yorkshire", "", "2020-06", "86", "", "1039", ""],
        ["iom-reoffending-rate", "west-yorkshire", "cohort-1", "12M-2020-12", "1.2", "", "", ""],
        ["total-recorded-crime", "west-yorkshire", "", "12M-2019-12", "292070", "", "", ""],
        ["total-recorded-crime", "west-yorkshire", "", "12M-2020-12", "258882", "", "", "as published"],
        ["total-recorded-crime", "bradford", "", "12M-2020-12", "", "", "", "not yet published"],
    ]


def test_in_xlsx_figures_are_numbers_and_codes_are_text(framework):
    rows = read_xlsx(export_file(ValueResource(), None, "xlsx"))
    assert rows[3][:5] == ["total-recorded-crime", "west-yorkshire", None, "12M-2019-12", 292070]
    assert rows[2][4] == 1.2
    assert rows[5][4] is None  # not available stays empty, never 0


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(framework, file_format):
    Value.objects.filter(measure=framework.crime, period__code="12M-2019-12").update(
        value=D("-33188"), numerator=D("12.5"), denominator=D("0.000001"),
    )
    before = snapshot()
    data = export_file(ValueResource(), None, file_format)
    summary = import_values(source=data, filename=f"figures.{file_format}")
    assert summary.errors == []
    assert summary.counts == f"0 new, 0 changed, {len(before)} unchanged"
    assert snapshot() == before


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_text_that_a_spreadsheet_would_run_is_neutralised_and_numbers_are_not(framework, file_format):
    for month, note in enumerate(DANGEROUS_NOTES, start=1):
        Value.objects.create(
            measure=framework.crime, area=framework.force, period=Period.objects.for_codes([f"2019-{month:02d}"])[f"2019-{month:02d}"],
            value=D(-5), note=note,
        )
    data = export_file(ValueResource(), Value.objects.filter(period__kind="month", measure=framework.crime), file_format)
    rows = read_csv(data) if file_format == "csv" else read_xlsx(data)
    notes = [row[7] for row in rows[1:]]
    expected = ["'" + note for note in DANGEROUS_NOTES[:-1]] + ["plain"]
    if file_format == "xlsx":
        expected[5] = "'\nReturn"  # XML reads a carriage return back as a line feed
    assert notes == expected
    figures = {row[4] for row in rows[1:]}
    assert figures == ({"-5"} if file_format == "csv" else {-5})
    if file_format == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    before = snapshot()
    summary = import_values(source=data, filename=f"figures.{file_format}")
    assert summary.changed == 0
    assert snapshot() == before


def test_export_values_writes_csv_to_standard_output(framework, capsys):
    call_command("export_values")
    rows = read_csv(capsys.readouterr().out.encode())
    assert rows[0] == list(VALUE_COLUMNS)
    assert len(rows) == 6


def test_export_values_can_export_one_period(framework, capsys):
    call_command("export_values", "--period", "12m-2020-12")
    rows = read_csv(capsys.readouterr().out.encode())
    assert {row[3] for row in rows[1:]} == {"12M-2020-12"}
    assert len(rows) == 4


def test_export_values_refuses_a_bad_period_code(framework):
    with pytest.raises(CommandError, match="month 13 does not exist"):
        call_command("export_values", "--period", "2020-13")


def test_the_framework_exports_in_the_layout_of_the_demo_file_and_imports_back_unchanged(framework, capsys):
    framework.reoffending.numerator = framework.crime
    framework.reoffending.denominator = framework.crime
    framework.reoffending.factor = D(1000)
    framework.reoffending.band = D("0.5")
    framework.reoffending.definition = "=not a formula"
    framework.reoffending.save()
    call_command("export_measures")
    out = capsys.readouterr().out
    rows = read_csv(out.encode())
    assert rows[0][:4] == ["priority", "objective", "code", "name"]
    reoffending = next(row for row in rows if row[2] == "iom-reoffending-rate")
    assert reoffending[11] == "0.5"
    assert reoffending[4] == "'=not a formula"
    assert reoffending[15:] == ["cohort-1=Cohort 1; cohort-2=Cohort 2", "total-recorded-crime", "total-recorded-crime", "1000"]
    before = list(Measure.objects.order_by("pk").values())
    summary = import_measures(source=out.encode(), filename="framework.csv")
    assert summary.counts == "0 new, 0 changed, 3 unchanged"
    assert list(Measure.objects.order_by("pk").values()) == before


def test_the_framework_round_trips_through_xlsx(framework):
    before = list(Measure.objects.order_by("pk").values())
    data = export_file(MeasureResource(), None, "xlsx")
    summary = import_measures(source=data, filename="framework.xlsx")
    assert summary.errors == []
    assert summary.counts == "0 new, 0 changed, 3 unchanged"
    assert list(Measure.objects.order_by("pk").values()) == before


# The import commands -------------------------------------------------------------------------------------


def test_import_values_dry_run_prints_the_counts_and_writes_nothing(framework, tmp_path, capsys):
    path = tmp_path / "figures.csv"
    rows = good_rows()
    rows[0][4] = "1"
    path.write_bytes(csv_file(rows))
    call_command("import_values", str(path), "--dry-run")
    assert "would import 0 new, 1 changed, 4 unchanged" in capsys.readouterr().out
    assert Value.objects.get(measure=framework.crime, area=framework.force, period__code="12M-2019-12").value == D(292070)


def test_import_values_prints_every_row_error_and_fails(framework, tmp_path, capsys):
    path = tmp_path / "figures.csv"
    path.write_bytes(csv_file([
        ["total-recorded-crime", "york", "", "2020-12", "1", "", "", ""],
        ["total-recorded-crime", "west-yorkshire", "", "2020-12", "lots", "", "", ""],
    ]))
    with pytest.raises(CommandError, match="2 errors: nothing was imported"):
        call_command("import_values", str(path))
    err = capsys.readouterr().err
    assert "Row 2, column area: Unknown area “york”" in err
    assert "Row 3, column value: “lots” is not a number" in err
    assert not Value.objects.filter(period__code="2020-12").exists()


def test_the_import_commands_write_and_name_the_user(framework, tmp_path, capsys, django_user_model):
    analyst = django_user_model.objects.create(username="analyst")
    path = tmp_path / "figures.csv"
    path.write_bytes(csv_file([["total-recorded-crime", "west-yorkshire", "", "2021-01", "7", "", "", ""]]))
    call_command("import_values", str(path), "--user", "analyst")
    assert "Imported 1 new, 0 changed, 0 unchanged" in capsys.readouterr().out
    value = Value.objects.get(period__code="2021-01")
    assert value.entered_by == analyst


def test_import_commands_refuse_an_unknown_user_or_a_missing_file(framework, tmp_path):
    path = tmp_path / "figures.csv"
    path.write_bytes(csv_file(good_rows()))
    with pytest.raises(CommandError, match="There is no user called nobody"):
        call_command("import_values", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_measures", str(tmp_path / "missing.csv"))


def test_import_measures_reads_the_demo_framework(db, capsys):
    call_command("import_measures", "demo/framework.csv", "--dry-run")
    assert "would import 58 new, 0 changed, 0 unchanged; 4 new priorities; 19 new objectives" in capsys.readouterr().out
    assert not Measure.objects.exists()


def test_a_note_typed_in_the_admin_with_windows_line_ends_round_trips_through_xlsx(framework):
    Value.objects.filter(measure=framework.crime, period__code="12M-2019-12").update(note="line 1\r\nline 2")
    before = snapshot()
    summary = import_values(source=export_file(ValueResource(), None, "xlsx"), filename="figures.xlsx")
    assert summary.changed == 0
    assert snapshot() == before
