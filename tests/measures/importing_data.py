"""A small framework and file builders shared by the import, export and admin tests."""

import csv
import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl

from measures.importing import VALUE_COLUMNS
from measures.models import Area, Breakdown, Measure, Objective, Priority


def make_framework() -> SimpleNamespace:
    force = Area.objects.create(code="west-yorkshire", name="West Yorkshire", order=0)
    bradford = Area.objects.create(code="bradford", name="Bradford", parent=force, order=1)
    priority = Priority.objects.create(name="Tackle crime", slug="tackle-crime")
    objective = Objective.objects.create(priority=priority, name="Reduce crime")

    def measure(code, **fields):
        defaults = dict(
            name=code.replace("-", " ").capitalize(), unit="count", decimals=0, polarity="lower",
            aggregation="sum", comparison="12-months", band=Decimal(1),
        )
        return Measure.objects.create(objective=objective, code=code, **{**defaults, **fields})

    crime = measure("total-recorded-crime")
    safe = measure(
        "feeling-safe", unit="percentage", polarity="higher", aggregation="none", comparison="previous-wave"
    )
    reoffending = measure("iom-reoffending-rate", unit="rate", decimals=1, aggregation="none")
    cohort = Breakdown.objects.create(measure=reoffending, code="cohort-1", label="Cohort 1", order=0)
    Breakdown.objects.create(measure=reoffending, code="cohort-2", label="Cohort 2", order=1)
    return SimpleNamespace(
        force=force, bradford=bradford, priority=priority, objective=objective,
        crime=crime, safe=safe, reoffending=reoffending, cohort=cohort,
    )


def csv_file(rows, header=VALUE_COLUMNS, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding)


def xlsx_file(rows, header=VALUE_COLUMNS, number_formats=None) -> bytes:
    """An XLSX workbook; ``number_formats`` maps (row, column) 1-based to a number format."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for (row, column), number_format in (number_formats or {}).items():
        sheet.cell(row=row, column=column).number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def good_rows():
    return [
        ["total-recorded-crime", "west-yorkshire", "", "12M-2019-12", "292,070", "", "", ""],
        ["total-recorded-crime", "west-yorkshire", "", "12M-2020-12", "258882", "", "", "as published"],
        ["total-recorded-crime", "bradford", "", "12M-2020-12", "n/a", "", "", "not yet published"],
        ["feeling-safe", "west-yorkshire", "", "2020-06", "86%", "", "1,039", ""],
        ["iom-reoffending-rate", "west-yorkshire", "cohort-1", "12M-2020-12", "1.2", "", "", ""],
    ]
