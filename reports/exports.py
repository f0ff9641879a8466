"""Tables as CSV and XLSX, from the data frozen with a version (or built for a preview).

Spreadsheets follow the Government Statistical Service's guidance on releasing statistics in
spreadsheets: a cover sheet, one table per sheet starting at the top left, a single header row,
no merged cells, no blank rows inside a table, numbers stored as numbers, "[x]" for a figure that
is not available (explained on the cover sheet) and a notes column. Written with openpyxl
directly: the ``gptables`` package would bring pandas for the same result.

Any text cell that a spreadsheet could read as a formula (starting with = + - @, a tab or a
carriage return) is prefixed with an apostrophe by measures.widgets.neutralise, the one function
every export uses, so a measure name typed as ``=HYPERLINK(…)`` stays text. Numbers are written
as numbers and are never prefixed.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from measures.widgets import neutralise

NOT_AVAILABLE_MARK = "[x]"


def _cell_value(cell, column_type: str):
    """A cell as Python: Decimal for numbers, neutralised text otherwise, None when missing."""
    if isinstance(cell, dict) and "number" in cell:
        return Decimal(cell["number"])
    if cell is None:
        return None
    if isinstance(cell, (int, Decimal)) and not isinstance(cell, bool):
        return cell
    return neutralise(str(cell))


def _decimals(cell) -> int | None:
    if isinstance(cell, dict) and "number" in cell:
        return int(cell.get("decimals", 0))
    return None


def table_csv(table: dict) -> str:
    """One header row, then the rows; a missing number is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = table["columns"]
    writer.writerow([neutralise(column["label"]) for column in columns])
    for row in table["rows"]:
        values = []
        for cell, column in zip(row, columns, strict=False):
            value = _cell_value(cell, column["type"])
            values.append("" if value is None else (f"{value:f}" if isinstance(value, Decimal) else value))
        writer.writerow(values)
    return out.getvalue()


def _unique(labels: list[str]) -> list[str]:
    """Header cells of a structured table must differ: repeat labels get a number."""
    seen, out = {}, []
    for label in labels:
        label = label or "Column"
        count = seen.get(label.lower(), 0) + 1
        seen[label.lower()] = count
        out.append(label if count == 1 else f"{label} ({count})")
    return out


def _number_format(decimals: int | None) -> str:
    if not decimals:
        return "#,##0"
    return "#,##0." + "0" * decimals


def tables_xlsx(*, title: str, about: list[tuple[str, str]], tables: list[dict]) -> bytes:
    """A workbook: a cover sheet, then each table on its own sheet (named Table_1, Table_2…)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    workbook = Workbook()
    cover = workbook.active
    cover.title = "Cover"
    cover["A1"] = neutralise(title)
    cover["A1"].font = Font(bold=True, size=14)
    row = 2
    for label, text in about:
        cover.cell(row=row, column=1, value=neutralise(label)).font = Font(bold=True)
        cover.cell(row=row + 1, column=1, value=neutralise(text)).alignment = Alignment(wrap_text=True)
        row += 2
    cover.cell(row=row, column=1, value="Contents").font = Font(bold=True)
    row += 1
    for number, table in enumerate(tables, start=1):
        cover.cell(row=row, column=1, value=f"Table_{number}: {neutralise(table['title'])}")
        row += 1
    cover.column_dimensions["A"].width = 100

    for number, table in enumerate(tables, start=1):
        sheet = workbook.create_sheet(f"Table_{number}")
        columns = table["columns"]
        sheet["A1"] = neutralise(table["title"])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet["A2"] = (
            f"This worksheet contains one table of {len(table['rows'])} rows. "
            f"{NOT_AVAILABLE_MARK} means the figure is not available (it is not zero)."
        )
        header_row = 3
        labels = _unique([neutralise(column["label"]) for column in columns])
        for index, (column, label) in enumerate(zip(columns, labels, strict=True), start=1):
            cell = sheet.cell(row=header_row, column=index, value=label)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[get_column_letter(index)].width = 14 if column["type"] == "number" else 28
        for offset, values in enumerate(table["rows"], start=1):
            for index, (cell_data, column) in enumerate(zip(values, columns, strict=False), start=1):
                value = _cell_value(cell_data, column["type"])
                if value is None and column["type"] == "number":
                    value = NOT_AVAILABLE_MARK
                cell = sheet.cell(row=header_row + offset, column=index, value=value)
                if isinstance(value, Decimal):
                    cell.number_format = _number_format(_decimals(cell_data))
        last_row = header_row + max(len(table["rows"]), 1)
        if not table["rows"]:
            sheet.cell(row=header_row + 1, column=1, value="No rows")
        reference = f"A{header_row}:{get_column_letter(len(columns))}{last_row}"
        structured = Table(displayName=f"Table_{number}", ref=reference)
        structured.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
        sheet.add_table(structured)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
