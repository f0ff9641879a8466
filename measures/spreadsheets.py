"""Reading an uploaded CSV or XLSX file as rows of text, whatever the file really holds.

Every import (figures, the framework, survey results) reads its file here, through the admin's
preview and confirm, the survey import pages, the Celery task and the management commands. A
file is whatever someone uploaded: a PNG renamed .csv, UTF-16 text, a workbook that unpacks to
gigabytes, XML that declares entities. Each is refused with one plain sentence (naming the row and
column where there is one) before it can take more than seconds or bounded memory:

- the upload's size, its row count and, for a workbook, the size of what it unpacks to are
  limited by settings (``IMPORT_MAX_UPLOAD_BYTES``, ``IMPORT_MAX_ROWS``,
  ``IMPORT_MAX_UNCOMPRESSED_BYTES``);
- a workbook's parts are checked before openpyxl opens it: the sizes its zip directory declares,
  then the parts themselves read through a stream that stops at the limit (a directory can lie),
  and any XML document type declaration refuses the file (Excel never writes one; entities are
  how "billion laughs" and external-file tricks work). defusedxml, which openpyxl uses when it is
  installed, refuses them again inside the parser;
- rows are read one at a time and counted as they come, so a flood of blank lines or a row
  numbered 2,000,000,000 stops at the limit instead of being padded out.

Nothing is evaluated: a formula cell is marked (:class:`measures.widgets.Formula`) so that the
checks refuse it, whatever value the workbook cached for it.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from measures.widgets import (
    Formula,
    clean_decimal,
    format_figure,
    format_float,
    spreadsheet_date_as_code,
)

__all__ = ["Table", "UnreadableFile", "check_size", "column_letter", "extra_cell", "read_table"]

MB = 1024 * 1024
# Our layouts have at most 19 columns; a cell far to the right (XFD is column 16,384) would make
# every row that wide, so a file with one is refused rather than padded out.
MAX_COLUMNS = 1000
# A workbook from Excel has a dozen or so parts; a zip directory of thousands of entries (each
# becomes an object in memory) is not a workbook.
MAX_PARTS = 1000
MAX_DIRECTORY_BYTES = 1 * MB
_READ_CHUNK = 1 * MB

_SIGNATURES = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Control characters never typed in a spreadsheet cell (tab, line feed and carriage return are).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class UnreadableFile(Exception):
    """The file as a whole cannot be read; ``row`` and ``column`` say where, when known."""

    def __init__(self, message: str, *, row: int = 0, column: str = ""):
        super().__init__(message)
        self.row = row
        self.column = column


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells as text)
    # (row, column, message): rows that are not data, such as the header repeated, for the
    # importer to report with the rest of its errors.
    problems: list[tuple[int, str, str]] = field(default_factory=list)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def extra_cell(cells: list[str], width: int) -> tuple[str, str] | None:
    """The first filled cell to the right of the named columns: (its letter, its text)."""
    for index in range(width, len(cells)):
        if cells[index].strip():
            return column_letter(index), cells[index].strip()
    return None


def read_table(content: bytes, filename: str = "") -> Table:
    """The first sheet of an XLSX file or a CSV file, every cell as text.

    Numbers Excel stored as numbers become their text (without float noise), percent-formatted
    cells gain their % sign, dates become the period code they were typed as, and formula cells
    are marked so that the checks refuse them. Raises :class:`UnreadableFile`.
    """
    name = filename.lower()
    check_size(len(content))
    if content[:8] == _OLE:
        if name.endswith((".xlsx", ".xlsm")):
            # Excel saves a password-protected workbook inside an OLE container, like an .xls.
            raise UnreadableFile(
                "This workbook is protected with a password: remove the password and upload it again"
            )
        raise UnreadableFile("This is an old Excel .xls file: save it as .xlsx or CSV and upload that")
    for signature, what in _SIGNATURES:
        if content.startswith(signature):
            raise UnreadableFile(f"This is {what}, not a CSV or Excel (.xlsx) file")
    if content[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        rows = _xlsx_rows(content)
    elif name.endswith((".xlsx", ".xlsm")):
        raise UnreadableFile("This file is not a readable .xlsx workbook: save it again from Excel")
    else:
        rows = _csv_rows(content)
    with closing(rows):
        return _collect(rows)


def check_size(size: int) -> None:
    """Refuse a file over ``IMPORT_MAX_UPLOAD_BYTES``; upload forms call it before reading one."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if size > limit:
        raise UnreadableFile(
            f"The file is {_megabytes(size)}, more than the {_megabytes(limit)} an import reads: "
            "split it into smaller files"
        )


def _megabytes(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= MB else f"{size / 1024:,.0f} KB"


def _collect(rows: Iterator[tuple[int, list[str]]]) -> Table:
    """Skip blank rows, take the header, count rows as they come and set aside repeated headers."""
    limit = settings.IMPORT_MAX_ROWS + 1  # the header row, then at most IMPORT_MAX_ROWS rows
    headers: list[str] | None = None
    kept: list[tuple[int, list[str]]] = []
    problems: list[tuple[int, str, str]] = []
    first = ""
    for number, cells in rows:
        if number > limit:
            raise UnreadableFile(
                f"The file has more than {settings.IMPORT_MAX_ROWS:,} rows: split it into smaller files",
                row=number,
            )
        if not "".join(cells).strip():  # blank: one join instead of a strip per cell
            continue
        if headers is None:
            if number != 1:
                raise UnreadableFile("The first row must name the columns; it is empty", row=1)
            headers = [cell.strip().lstrip("\ufeff").strip().lower() for cell in cells]
            while headers and not headers[-1]:
                headers.pop()
            first = headers[0] if headers else ""
            continue
        # A header pasted again under the first (two files joined): one error, not one per cell.
        if cells[0].strip().lower() == first and _is_header(cells, headers):
            problems.append((number, "", "This row repeats the header row: delete it"))
            continue
        kept.append((number, cells))
    if headers is None:
        raise UnreadableFile("The file is empty: the first row must name the columns")
    return Table(headers=headers, rows=kept, problems=problems)


def _is_header(cells: list[str], headers: list[str]) -> bool:
    named = [cell.strip().lower() for cell in cells[: len(headers)]]
    return named == headers and not any(cell.strip() for cell in cells[len(headers):])


# CSV -------------------------------------------------------------------------------------------------


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(content)
    if match := _BINARY.search(text):
        row = text.count("\n", 0, match.start()) + 1
        if match.group() == "\x00" and content[1::2].count(0) > len(content) // 4:
            raise UnreadableFile(
                "This looks like UTF-16 text without a byte order mark: save it from Excel as "
                "“CSV UTF-8” and upload that", row=row,
            )
        raise UnreadableFile(
            f"The file has binary content (the control character {ord(match.group()):#04x}), so it "
            "is not a CSV text file: save it from Excel as “CSV UTF-8”", row=row,
        )
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = ","
    if "," not in first_line:
        # Excel's "Unicode Text" is tab-separated; its CSV in some locales uses semicolons.
        delimiter = "\t" if "\t" in first_line else ";" if ";" in first_line else ","
    return _csv_records(text, delimiter)


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise UnreadableFile(
                f"A cell is longer than {csv.field_size_limit():,} characters", row=number + 1
            ) from None
        raise UnreadableFile(f"The CSV file cannot be read: {error}", row=number + 1) from None


def _decode(content: bytes) -> str:
    """UTF-8 (with or without Excel's byte order mark), UTF-16 with one, or Windows-1252."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                "The file starts as UTF-16 text but is not: save it from Excel as “CSV UTF-8”",
                row=_row_at(content, error.start),
            ) from None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV" (not "CSV UTF-8") on Windows saves in Windows-1252 (£, é, curly quotes).
        return content.decode("cp1252")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"The file is not text in UTF-8 or Windows-1252 (byte {content[error.start]:#04x} "
            "cannot be read): save it from Excel as “CSV UTF-8”",
            row=_row_at(content, error.start),
        ) from None


def _row_at(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


# XLSX ------------------------------------------------------------------------------------------------


def _check_workbook_archive(content: bytes) -> None:
    """Refuse a workbook that unpacks too large, holds too many parts or declares XML entities."""
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    unreadable = "This file is not a readable .xlsx workbook: save it again from Excel"
    # The zip directory's own size, from its end record, before zipfile builds an object per entry.
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or len(content) - end < 22:
        raise UnreadableFile(unreadable)
    entries, directory_bytes = struct.unpack("<HI", content[end + 10:end + 16])
    # A ZIP64 locator just before the end record: never needed by a workbook within the limits.
    zip64 = content[max(0, end - 20):end].startswith(b"PK\x06\x07")
    if entries > MAX_PARTS or directory_bytes > MAX_DIRECTORY_BYTES or zip64:
        raise UnreadableFile(f"This file has more than {MAX_PARTS:,} parts: it is not an Excel workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            declared = sum(part.file_size for part in parts)
            if declared > limit:
                raise UnreadableFile(
                    f"The workbook unpacks to {_megabytes(declared)}, more than the "
                    f"{_megabytes(limit)} an import reads: it was not opened"
                )
            unpacked = 0
            for part in parts:
                with archive.open(part) as stream:
                    tail = b""
                    start = True
                    while chunk := stream.read(_READ_CHUNK):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            raise UnreadableFile(
                                f"The workbook unpacks to more than the {_megabytes(limit)} an "
                                "import reads: it was not opened"
                            )
                        if start and chunk[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                            # Excel writes UTF-8 XML; UTF-16 would hide a declaration from the scan below.
                            raise UnreadableFile(f"{unreadable} (its part {part.filename} is UTF-16)")
                        start = False
                        if b"<!DOCTYPE" in tail + chunk or b"<!ENTITY" in tail + chunk:
                            raise UnreadableFile(
                                "The workbook declares XML entities (a document type declaration), "
                                "which Excel never writes: it was not opened"
                            )
                        tail = chunk[-16:]
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as error:
        raise UnreadableFile(f"{unreadable} ({error})") from None


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _check_workbook_archive(content)
    # What a damaged or hostile workbook makes openpyxl raise (it does not wrap its errors).
    # SyntaxError covers XML ParseError; ValueError covers defusedxml's refusals.
    failures = (
        zipfile.BadZipFile, zlib.error, InvalidFileException, KeyError, IndexError, ValueError,
        TypeError, AttributeError, OSError, EOFError, SyntaxError, NotImplementedError,
        RuntimeError, OverflowError,
    )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
    except failures as error:
        raise UnreadableFile(f"This file is not a readable .xlsx workbook ({error})") from None
    # The size a sheet declares (<dimension ref="A1:XFD1048576">) is not trusted: without it,
    # each row is as wide as its last cell and missing rows come as empty tuples.
    sheet.reset_dimensions()
    number = 0
    try:
        for number, row in enumerate(sheet.iter_rows(), start=1):
            if len(row) > MAX_COLUMNS:
                raise UnreadableFile(
                    f"A cell in column {column_letter(len(row) - 1)} is beyond the {MAX_COLUMNS:,} "
                    "columns an import reads: delete the columns after the table",
                    row=number, column=column_letter(len(row) - 1),
                )
            yield number, [_xlsx_cell(cell) for cell in row]
    except failures as error:
        raise UnreadableFile(
            f"The workbook cannot be read from row {number + 1} ({error})", row=number + 1
        ) from None
    finally:
        workbook.close()


def _xlsx_cell(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f":
        # Plain, array and data-table formulas alike, whatever value Excel cached (or not).
        return Formula(value if isinstance(value, str) else getattr(value, "text", None) or "=")
    kind = type(value)
    if kind is str:
        return value
    if kind is int or kind is float:
        if kind is float and not math.isfinite(value):
            return str(value)  # "nan", "inf": refused as not a number
        if "%" in cell.number_format and abs(value) < 1e15:
            # A cell formatted as a percentage holds 0.114 for 11.4%.
            return format_figure(clean_decimal(Decimal(format_float(value)) * 100)) + "%"
        return str(value) if kind is int else format_float(value)
    if kind is bool:
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return spreadsheet_date_as_code(value, cell.number_format or "")
    return str(value)
