"""Importing figures and the framework: every bad input is a row error and nothing is written."""

import datetime
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.db import connection

from demo import measures as demo_measures
from demo.loading import load_areas
from measures.importing import RowError, import_measures, import_values
from measures.models import Breakdown, Measure, Objective, Period, Priority, Recalculation, Value
from tests.factories import UserFactory
from tests.measures.importing_data import csv_file, good_rows, make_framework, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    return make_framework()


def run(rows, **kwargs):
    return import_values(source=csv_file(rows), filename="figures.csv", **kwargs)


def stored(measure, area, period, breakdown=None):
    return Value.objects.get(measure=measure, area=area, period__code=period, breakdown=breakdown)


# What analysts type ------------------------------------------------------------------------------


def test_a_good_file_imports_every_figure_and_says_how_many(framework):
    summary = run(good_rows())
    assert summary.errors == []
    assert summary.written
    assert (summary.new, summary.changed, summary.unchanged) == (5, 0, 0)
    assert summary.counts == "5 new, 0 changed, 0 unchanged"
    assert stored(framework.crime, framework.force, "12M-2019-12").value == D("292070")
    assert stored(framework.safe, framework.force, "2020-06").denominator == D("1039")
    assert stored(framework.reoffending, framework.force, "12M-2020-12", framework.cohort).value == D("1.2")


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("1,234", D("1234")),
        ("-33,188", D("-33188")),
        ("258882.0", D("258882")),
        ("13.499999999999998", D("13.5")),
        ("  42  ", D("42")),
        ("\u221212", D("-12")),
        ("1.5E+3", D("1500")),
        ("0.1234567", D("0.123457")),
    ],
)
def test_numbers_are_read_as_analysts_and_excel_write_them(framework, typed, expected):
    summary = run([["total-recorded-crime", "west-yorkshire", "", "2020-12", typed, "", "", ""]])
    assert summary.errors == []
    assert stored(framework.crime, framework.force, "2020-12").value == expected


@pytest.mark.parametrize("typed", ["", "n/a", "N/A", "not available"])
def test_not_available_is_stored_as_null_never_as_zero(framework, typed):
    run([["total-recorded-crime", "west-yorkshire", "", "2020-12", typed, "", "", ""]])
    assert stored(framework.crime, framework.force, "2020-12").value is None


def test_a_percentage_with_a_percent_sign_stores_percent(framework):
    run([["feeling-safe", "west-yorkshire", "", "2020-10", "12.5%", "", "", ""]])
    assert stored(framework.safe, framework.force, "2020-10").value == D("12.5")


def test_period_codes_are_stored_in_their_canonical_form(framework):
    run([["total-recorded-crime", "west-yorkshire", "", " ytd-2020-12 ", "5", "", "", ""]])
    assert Value.objects.get().period.code == "YTD-2020-12"


def test_codes_are_matched_whatever_their_case(framework):
    summary = run([["Total-Recorded-Crime", "Bradford", "", "2020-12", "5", "", "", ""]])
    assert summary.errors == []
    assert stored(framework.crime, framework.bradford, "2020-12").value == D("5")


def test_periods_excel_made_into_dates_in_a_csv_are_read_back(framework):
    summary = run([
        ["total-recorded-crime", "west-yorkshire", "", "Dec-20", "1", "", "", ""],
        ["total-recorded-crime", "west-yorkshire", "", "31/12/2020", "2", "", "", ""],
    ])
    assert summary.errors == []
    assert stored(framework.crime, framework.force, "2020-12").value == D("1")
    assert stored(framework.crime, framework.force, "2020-12-31").value == D("2")


def test_a_windows_excel_csv_is_read(framework):
    source = csv_file(
        [["total-recorded-crime", "west-yorkshire", "", "2020-12", "1", "", "", "£4m – est."]],
        encoding="cp1252",
    )
    summary = import_values(source=source, filename="figures.csv")
    assert summary.errors == []
    assert Value.objects.get().note == "£4m – est."


def test_text_cells_are_stored_as_typed_and_never_evaluated(framework):
    run([
        ["total-recorded-crime", "west-yorkshire", "", "2020-11", "1", "", "", "=HYPERLINK(\"x\")"],
        ["total-recorded-crime", "west-yorkshire", "", "2020-12", "1", "", "", "'=1+1"],
    ])
    assert stored(framework.crime, framework.force, "2020-11").note == '=HYPERLINK("x")'
    # The apostrophe our export adds to neutralise a formula is taken off again.
    assert stored(framework.crime, framework.force, "2020-12").note == "=1+1"


# Bad input ---------------------------------------------------------------------------------------

BAD_ROWS = [
    (
        ["total-recorded-crim", "west-yorkshire", "", "2020-12", "1", "", "", ""],
        "measure", "Unknown measure “total-recorded-crim” (did you mean total-recorded-crime?)",
    ),
    (["total-recorded-crime", "york", "", "2020-12", "1", "", "", ""], "area", "Unknown area “york”"),
    (
        ["iom-reoffending-rate", "west-yorkshire", "cohort-3", "2020-12", "1", "", "", ""],
        "breakdown",
        "Measure iom-reoffending-rate has no breakdown “cohort-3”: its breakdowns are cohort-1, cohort-2",
    ),
    (
        ["total-recorded-crime", "west-yorkshire", "cohort-1", "2020-12", "1", "", "", ""],
        "breakdown", "Measure total-recorded-crime has no breakdown “cohort-1”: it has none",
    ),
    (
        ["total-recorded-crime", "west-yorkshire", "", "2019-21", "1", "", "", ""],
        "period", "“2019-21” is not a financial year: it should be 2019-20",
    ),
    (["total-recorded-crime", "west-yorkshire", "", "", "1", "", "", ""], "period", "The period code is empty"),
    (["total-recorded-crime", "west-yorkshire", "", "2020-12", "lots", "", "", ""], "value", "“lots” is not a number"),
    (
        ["total-recorded-crime", "west-yorkshire", "", "2020-12", "1,5", "", "", ""],
        "value", "“1,5” is not a number: use a full stop for decimals (commas only between thousands)",
    ),
    (
        ["feeling-safe", "west-yorkshire", "", "2020-12", "101", "", "", ""],
        "value", "“101” is outside 0–100: measure feeling-safe is a percentage",
    ),
    (
        ["feeling-safe", "west-yorkshire", "", "2020-12", "-0.5%", "", "", ""],
        "value", "“-0.5%” is outside 0–100: measure feeling-safe is a percentage",
    ),
    (
        ["total-recorded-crime", "west-yorkshire", "", "2020-12", "12%", "", "", ""],
        "value", "“12%” has a % sign, but measure total-recorded-crime is a count, not a percentage",
    ),
    (
        ["feeling-safe", "west-yorkshire", "", "2020-12", "50", "many", "", ""],
        "numerator", "“many” is not a number",
    ),
    (
        ["feeling-safe", "west-yorkshire", "", "2020-12", "50", "", "1.039.000", ""],
        "denominator", "“1.039.000” is not a number",
    ),
    (
        ["total-recorded-crime", "west-yorkshire", "", "2020-12", "1" + "0" * 15, "", "", ""],
        "value", "is too large",
    ),
]


@pytest.mark.parametrize("row, column, message", BAD_ROWS, ids=[case[2][:40] for case in BAD_ROWS])
def test_each_bad_input_is_a_row_error_with_its_column_and_nothing_is_written(framework, row, column, message):
    summary = run([good_rows()[0], row])
    assert not summary.written
    assert len(summary.errors) == 1
    error = summary.errors[0]
    assert (error.row, error.column) == (3, column)
    assert message in error.message
    assert Value.objects.count() == 0


def test_a_duplicate_row_names_the_row_it_repeats(framework):
    summary = run([
        ["total-recorded-crime", "west-yorkshire", "", "2020-12", "1", "", "", ""],
        ["total-recorded-crime", "west-yorkshire", "", "2020-12", "2", "", "", ""],
        ["total-recorded-crime", "west-yorkshire", "", "2020-11", "2", "", "", ""],
    ])
    assert summary.errors == [
        RowError(3, "", "Duplicate of row 2: the same measure, area, breakdown and period"),
    ]
    assert Value.objects.count() == 0


def test_the_same_period_written_two_ways_is_a_duplicate(framework):
    summary = run([
        ["total-recorded-crime", "west-yorkshire", "", "2020-12", "1", "", "", ""],
        ["total-recorded-crime", "west-yorkshire", "", "Dec-20", "2", "", "", ""],
    ])
    assert [error.row for error in summary.errors] == [3]


def test_every_error_in_the_file_is_reported_not_just_the_first(framework):
    summary = run([
        ["nope", "nowhere", "", "2020-13", "x", "y", "z", ""],
        ["total-recorded-crime", "west-yorkshire", "", "2020-12", "1", "", "", ""],
    ])
    assert [(error.row, error.column) for error in summary.errors] == [
        (2, "area"), (2, "denominator"), (2, "measure"), (2, "numerator"), (2, "period"), (2, "value"),
    ]
    assert Value.objects.count() == 0


def test_one_bad_row_among_many_good_ones_writes_nothing(framework):
    rows = [
        ["total-recorded-crime", "west-yorkshire", "", f"2019-{month:02d}", str(month), "", "", ""]
        for month in range(1, 13)
    ]
    rows.append(["total-recorded-crime", "west-yorkshire", "", "2020-01", "oops", "", "", ""])
    summary = run(rows)
    assert [error.row for error in summary.errors] == [14]
    assert Value.objects.count() == 0
    assert Period.objects.count() == 0


def test_unknown_and_missing_columns_are_errors_on_the_header_row(framework):
    summary = import_values(
        source=csv_file([["total-recorded-crime", "west-yorkshire", "2020-12", "1", "x"]],
                        header=["measure", "area", "period", "vaule", "notes"]),
        filename="figures.csv",
    )
    messages = {(error.row, error.column, error.message) for error in summary.errors}
    assert (1, "vaule", "Unknown column “vaule”: the columns are measure, area, breakdown, period, "
            "value, numerator, denominator, note") in messages
    assert (1, "value", "The column “value” is missing") in messages
    assert Value.objects.count() == 0


@pytest.mark.parametrize(
    "content, filename, message",
    [
        (b"", "figures.csv", "The file is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "figures.xls", "old Excel .xls file"),
        (b"not a zip", "figures.xlsx", "not a readable .xlsx workbook"),
        (b"PK\x03\x04broken", "figures.xlsx", "not a readable .xlsx workbook"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_clear_error(framework, content, filename, message):
    summary = import_values(source=content, filename=filename)
    assert len(summary.errors) == 1
    assert summary.errors[0].row == 0
    assert message in summary.errors[0].message


def test_a_row_longer_than_the_header_is_an_error(framework):
    source = csv_file([["total-recorded-crime", "west-yorkshire", "", "2020-12", "1", "", "", "", "extra"]])
    summary = import_values(source=source, filename="figures.csv")
    assert summary.errors == [RowError(2, "I", (
        "The row has more cells than there are columns: “extra” is in column I, which has no name "
        "in the header row"
    ))]


# XLSX --------------------------------------------------------------------------------------------


def test_an_xlsx_file_with_numbers_percent_cells_and_dates_excel_made_is_read(framework):
    source = xlsx_file(
        [
            ["total-recorded-crime", "west-yorkshire", None, datetime.datetime(2020, 12, 1), 258882.0],
            ["total-recorded-crime", "west-yorkshire", None, datetime.datetime(2020, 12, 31), 13.499999999999998],
            ["feeling-safe", "west-yorkshire", None, "2020-06", 0.861, None, 1039],
            ["total-recorded-crime", "bradford", None, "12M-2020-12", "1,234"],
        ],
        number_formats={(2, 4): "mmm-yy", (3, 4): "dd/mm/yyyy", (4, 5): "0.0%"},
    )
    summary = import_values(source=source, filename="figures.xlsx")
    assert summary.errors == []
    assert stored(framework.crime, framework.force, "2020-12").value == D("258882")
    assert stored(framework.crime, framework.force, "2020-12-31").value == D("13.5")
    assert stored(framework.safe, framework.force, "2020-06").value == D("86.1")
    assert stored(framework.safe, framework.force, "2020-06").denominator == D("1039")
    assert stored(framework.crime, framework.bradford, "12M-2020-12").value == D("1234")


def test_a_formula_in_an_xlsx_file_is_refused_not_evaluated(framework):
    source = xlsx_file([["total-recorded-crime", "west-yorkshire", None, "2020-12", "=1+1"]])
    summary = import_values(source=source, filename="figures.xlsx")
    assert summary.errors == [
        RowError(2, "value", "“=1+1” is a spreadsheet formula: paste the values instead")
    ]


def test_a_percent_cell_for_a_count_is_refused(framework):
    source = xlsx_file(
        [["total-recorded-crime", "west-yorkshire", None, "2020-12", 0.5]], number_formats={(2, 5): "0%"}
    )
    summary = import_values(source=source, filename="figures.xlsx")
    assert [error.column for error in summary.errors] == ["value"]
    assert "has a % sign" in summary.errors[0].message


# Idempotence, dry runs and updates -------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_the_second_time(framework):
    run(good_rows())
    before = list(Value.objects.order_by("pk").values())
    summary = run(good_rows())
    assert (summary.new, summary.changed, summary.unchanged) == (0, 0, 5)
    assert not summary.written
    assert list(Value.objects.order_by("pk").values()) == before


def test_a_dry_run_counts_new_changed_and_unchanged_and_writes_nothing(framework):
    run(good_rows())
    rows = good_rows()
    rows[0][4] = "292,071"
    rows.append(["total-recorded-crime", "bradford", "", "12M-2019-12", "60000", "", "", ""])
    periods = Period.objects.count()
    summary = run(rows, dry_run=True)
    assert summary.dry_run and not summary.written
    assert summary.counts == "1 new, 1 changed, 4 unchanged"
    assert [(change.row, change.label, change.before, change.after) for change in summary.changes] == [
        (2, "total-recorded-crime west-yorkshire 12M-2019-12", "292070", "292071")
    ]
    assert stored(framework.crime, framework.force, "12M-2019-12").value == D("292070")
    assert Value.objects.count() == 5
    assert Period.objects.count() == periods


def test_a_dry_run_creates_no_periods(framework):
    run([["total-recorded-crime", "west-yorkshire", "", "2031-01", "1", "", "", ""]], dry_run=True)
    assert not Period.objects.filter(code="2031-01").exists()


def test_a_changed_figure_is_updated_with_who_entered_it(framework):
    analyst = UserFactory(username="analyst")
    run(good_rows())
    rows = good_rows()
    rows[1][4] = "258,883"
    rows[1][7] = "revised"
    summary = run(rows, user=analyst)
    assert (summary.new, summary.changed, summary.unchanged) == (0, 1, 4)
    value = stored(framework.crime, framework.force, "12M-2020-12")
    assert (value.value, value.note, value.entered_by) == (D("258883"), "revised", analyst)
    untouched = stored(framework.crime, framework.force, "12M-2019-12")
    assert untouched.entered_by is None


def test_a_figure_that_becomes_not_available_is_changed_to_null(framework):
    run(good_rows())
    rows = good_rows()
    rows[0][4] = "n/a"
    assert run(rows).changed == 1
    assert stored(framework.crime, framework.force, "12M-2019-12").value is None


def test_columns_left_out_leave_what_is_stored_alone(framework):
    run(good_rows())
    source = csv_file(
        [["total-recorded-crime", "west-yorkshire", "12M-2020-12", "258882"]],
        header=["measure", "area", "period", "value"],
    )
    summary = import_values(source=source, filename="figures.csv")
    assert summary.counts == "0 new, 0 changed, 1 unchanged"
    assert stored(framework.crime, framework.force, "12M-2020-12").note == "as published"


def test_a_written_import_asks_for_the_changed_measures_to_be_recalculated(framework):
    summary = run(good_rows()[:2])
    assert set(Recalculation.objects.values_list("measure_id", flat=True)) == {framework.crime.pk}
    assert summary.job_id is not None
    Recalculation.objects.all().delete()
    run(good_rows()[:2])
    assert not Recalculation.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pghistory's triggers need PostgreSQL")
def test_a_figure_changed_by_an_import_has_an_audit_event_naming_the_user(framework):
    analyst = UserFactory(username="analyst")
    run(good_rows())
    rows = good_rows()
    rows[1][4] = "1"
    run(rows, user=analyst)
    value = stored(framework.crime, framework.force, "12M-2020-12")
    ValueEvent = apps.get_model("measures", "ValueEvent")
    event = ValueEvent.objects.filter(pgh_obj=value, pgh_label="update").select_related("pgh_context").get()
    assert event.value == D("1")
    assert event.pgh_context.metadata == {"user": analyst.pk, "username": "analyst", "source": "import"}
    assert ValueEvent.objects.filter(pgh_label="insert").count() == 5


# The framework ---------------------------------------------------------------------------------------

FRAMEWORK_HEADER = [
    "priority", "objective", "code", "name", "definition", "source", "unit", "decimals", "polarity",
    "aggregation", "comparison", "band", "new", "headline", "districts_sum", "breakdowns",
    "numerator", "denominator", "factor",
]


def framework_row(measure_code, **cells):
    row = dict(
        priority="Safeguard vulnerable people", objective="Identify the vulnerable", code=measure_code,
        name=measure_code.replace("-", " ").capitalize(), definition="", source="WYP", unit="count",
        decimals="0", polarity="lower", aggregation="none", comparison="12-months", band="1",
        new="no", headline="no", districts_sum="no", breakdowns="", numerator="", denominator="",
        factor="",
    )
    row.update(cells)
    return [row[name] for name in FRAMEWORK_HEADER]


def run_framework(rows, **kwargs):
    return import_measures(source=csv_file(rows, header=FRAMEWORK_HEADER), filename="framework.csv", **kwargs)


def test_a_framework_file_creates_priorities_objectives_measures_and_breakdowns(db):
    summary = run_framework([
        # The rate names measures that come later in the file.
        framework_row(
            "repeat-missing-rate", unit="percentage", decimals="1", band="0.5",
            numerator="repeat-missing", denominator="missing", factor="100",
        ),
        framework_row("repeat-missing", headline="yes", breakdowns="adults=Adults; children=Children"),
        framework_row("missing", objective="Another objective"),
    ])
    assert summary.errors == []
    assert summary.counts == "3 new, 0 changed, 0 unchanged"
    assert summary.notes == ["1 new priority", "2 new objectives"]
    rate = Measure.objects.get(code="repeat-missing-rate")
    assert (rate.numerator.code, rate.denominator.code, rate.factor) == ("repeat-missing", "missing", D(100))
    assert rate.band == D("0.5") and rate.unit == "percentage"
    assert list(Breakdown.objects.filter(measure__code="repeat-missing").values_list("code", "label", "order")) == [
        ("adults", "Adults", 0), ("children", "Children", 1),
    ]
    assert Priority.objects.get().slug == "safeguard-vulnerable-people"
    assert Objective.objects.count() == 2


def test_importing_the_framework_twice_changes_nothing(db):
    rows = [framework_row("missing", breakdowns="adults=Adults"), framework_row("other")]
    run_framework(rows)
    before = list(Measure.objects.order_by("pk").values()), list(Breakdown.objects.order_by("pk").values())
    summary = run_framework(rows)
    assert summary.counts == "0 new, 0 changed, 2 unchanged"
    assert not summary.written
    after = list(Measure.objects.order_by("pk").values()), list(Breakdown.objects.order_by("pk").values())
    assert after == before


def test_a_changed_measure_is_updated_and_described_in_the_preview(db):
    run_framework([framework_row("missing", breakdowns="adults=Adults")])
    summary = run_framework(
        [framework_row("missing", name="Missing people", breakdowns="adults=Adults; children=Children")],
        dry_run=True,
    )
    assert summary.counts == "0 new, 1 changed, 0 unchanged"
    assert "name Missing people" in summary.changes[0].after
    assert Measure.objects.get().name == "Missing"
    run_framework([framework_row("missing", name="Missing people", breakdowns="adults=Adults; children=Children")])
    assert Measure.objects.get().name == "Missing people"
    assert Breakdown.objects.count() == 2


@pytest.mark.parametrize(
    "cells, column, message",
    [
        (dict(unit="percent"), "unit", "“percent” is not a unit: use one of count, fte, money, percentage, rate, score"),
        (dict(polarity="down"), "polarity", "“down” is not a polarity"),
        (dict(aggregation="mean"), "aggregation", "“mean” is not a way to aggregate"),
        (dict(comparison="monthly"), "comparison", "“monthly” is not a comparison basis"),
        (dict(band="-1"), "band", "is not a band"),
        (dict(decimals="two"), "decimals", "is not a number of decimal places"),
        (dict(headline="maybe"), "headline", "“maybe” is not yes or no"),
        (dict(breakdowns="adults"), "breakdowns", "should be code=Label"),
        (dict(code="has spaces"), "code", "is not a code"),
        (dict(name=""), "name", "The name is empty"),
        (dict(numerator="missing"), "denominator", "A formula needs all three"),
        (dict(numerator="nowhere", denominator="missing", factor="100"), "numerator", "Unknown measure “nowhere”"),
    ],
)
def test_each_bad_framework_cell_is_a_row_error_and_nothing_is_written(db, cells, column, message):
    summary = run_framework([framework_row("missing"), framework_row("new-one", **cells)])
    assert [(error.row, error.column) for error in summary.errors] == [(3, column)]
    assert message in summary.errors[0].message
    assert not Measure.objects.exists()


def test_a_measure_code_used_twice_is_an_error(db):
    summary = run_framework([framework_row("missing"), framework_row("missing")])
    assert summary.errors == [RowError(3, "code", "The code missing is already used on row 2")]


def test_a_breakdown_with_figures_cannot_be_removed(framework):
    run([["iom-reoffending-rate", "west-yorkshire", "cohort-1", "2020-12", "1", "", "", ""]])
    summary = run_framework([framework_row(
        "iom-reoffending-rate", priority="Tackle crime", objective="Reduce crime", unit="rate",
        decimals="1", breakdowns="cohort-2=Cohort 2",
    )])
    assert [(error.column, error.message) for error in summary.errors] == [
        ("breakdowns", "The breakdown cohort-1 has figures, so it cannot be removed: add it back to the list"),
    ]
    assert Breakdown.objects.filter(measure=framework.reoffending).count() == 2


# The demo ------------------------------------------------------------------------------------------------


def test_the_demo_framework_and_figures_import_with_no_errors_and_again_with_no_changes(db):
    load_areas()
    UserFactory(username="opcc")
    demo_measures.load()
    assert Measure.objects.count() == 58
    assert Value.objects.count() == 326
    assert Value.objects.filter(entered_by__username="opcc").count() == 326
    assert Measure.objects.get(code="recorded-crime-change-pct").unit == "rate"
    framework = demo_measures.FRAMEWORK.read_bytes()
    values = demo_measures.VALUES.read_bytes()
    assert import_measures(source=framework, dry_run=True).counts == "0 new, 0 changed, 58 unchanged"
    assert import_values(source=values, dry_run=True).counts == "0 new, 0 changed, 326 unchanged"
