"""Hostile and broken files: each gets a plain message naming its row and column, and writes nothing.

Every case goes through the three imports (figures, the framework, survey results) by their
services, and the file-level ones also through the real upload pages and the management
commands. After each refused file the database is as it was: figures, their history, the
framework, periods, survey results and bases, jobs.
"""

from __future__ import annotations

import codecs
import io
import random
import re
import struct
import tracemalloc
import zipfile
from dataclasses import dataclass
from decimal import Decimal as D

import openpyxl
import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from measures.importing import VALUE_COLUMNS, import_measures, import_values
from measures.models import Measure, Value
from surveys.importing import COLUMNS as SURVEY_COLUMNS
from surveys.importing import import_results
from surveys.models import Result
from surveys.views import PENDING_IMPORTS
from tests.measures.importing_data import make_framework, xlsx_file
from tests.surveys.factories import SurveyFactory, WaveFactory, rating_question

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


# The three imports, each with a header and one good row -------------------------------------------


@dataclass(frozen=True)
class Kind:
    name: str
    header: list[str]
    good: list[str]
    text_column: int  # a column of free text, to check how text is read
    number_column: int | None  # a column of figures, for formulas and odd numbers

    def run(self, content: bytes, filename: str = "file.csv", **kwargs):
        if self.name == "values":
            return import_values(source=content, filename=filename, **kwargs)
        if self.name == "measures":
            return import_measures(source=content, filename=filename, **kwargs)
        return import_results(source=content, filename=filename, **kwargs)

    def row(self, **changes) -> list[str]:
        row = list(self.good)
        for column, value in changes.items():
            row[self.header.index(column)] = value
        return row

    def stored_text(self) -> str:
        if self.name == "values":
            return Value.objects.get().note
        if self.name == "measures":
            return Measure.objects.get(code="new-measure").name
        return Result.objects.get().note

    def letter(self, column: int) -> str:
        return openpyxl.utils.get_column_letter(column + 1)


KINDS = {
    "values": Kind(
        "values", list(VALUE_COLUMNS),
        ["total-recorded-crime", "west-yorkshire", "", "2020-12", "1", "", "", "as published"],
        text_column=7, number_column=4,
    ),
    "measures": Kind(
        "measures", ["priority", "objective", "code", "name", "unit", "polarity", "aggregation", "comparison"],
        ["Tackle crime", "Reduce crime", "new-measure", "New measure", "count", "lower", "sum", "12-months"],
        text_column=3, number_column=None,
    ),
    "surveys": Kind(
        "surveys", list(SURVEY_COLUMNS),
        ["community-conversation", "2020-10", "police-work", "west-yorkshire", "", "good-very-good",
         "46", "", "", "950", "as published"],
        text_column=10, number_column=6,
    ),
}


@pytest.fixture
def world(db):
    framework = make_framework()
    survey = SurveyFactory(name="Community Conversation", slug="community-conversation")
    WaveFactory(survey=survey, code="2020-10", label="October 2020")
    rating_question(survey)
    return framework


@pytest.fixture(params=list(KINDS))
def kind(request, world) -> Kind:
    return KINDS[request.param]


TABLES = [
    "measures.Value", "measures.ValueEvent", "measures.Measure", "measures.Priority", "measures.Objective",
    "measures.Breakdown", "measures.Period", "surveys.Result", "surveys.ResponseBase", "jobs.Job",
]


def counts() -> dict[str, int]:
    return {name: apps.get_model(name).objects.count() for name in TABLES}


@pytest.fixture
def unchanged(world):
    """Call at the end of a test: the database holds what it held before the test's import."""
    before = counts()
    return lambda: counts() == before


def csv_of(rows, *, delimiter=",", encoding="utf-8") -> bytes:
    lines = [delimiter.join(_quoted(cell, delimiter) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _quoted(cell: str, delimiter: str) -> str:
    if any(character in cell for character in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def only_error(summary):
    assert not summary.written
    assert len(summary.errors) == 1, [str(error) for error in summary.errors]
    return summary.errors[0]


# Encodings -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding, delimiter", [
    ("utf-8-sig", ","),  # Excel's "CSV UTF-8"
    ("utf-16", ","),  # with a byte order mark
    ("utf-16", "\t"),  # Excel's "Unicode Text"
    ("cp1252", ","),  # Excel's plain "CSV" on Windows
    ("latin-1", ","),
])
def test_text_in_every_encoding_excel_writes_is_read_as_typed(kind, encoding, delimiter):
    typed = "£4m – café" if encoding != "latin-1" else "£4m café"
    row = list(kind.good)
    row[kind.text_column] = typed
    summary = kind.run(csv_of([kind.header, row], delimiter=delimiter, encoding=encoding))
    assert summary.errors == [] and summary.written
    assert kind.stored_text() == typed


def test_utf16_without_a_byte_order_mark_is_refused_plainly(kind, unchanged):
    content = csv_of([kind.header, kind.good], encoding="utf-16-le")
    error = only_error(kind.run(content))
    assert error.row == 1
    assert "looks like UTF-16 text without a byte order mark" in error.message
    assert unchanged()


def test_bytes_that_are_neither_utf8_nor_windows_1252_name_their_row(kind, unchanged):
    content = csv_of([kind.header, kind.good]) + csv_of([kind.good]).replace(b"1", b"\x81", 1)
    error = only_error(kind.run(content))
    assert error.row == 3
    assert "not text in UTF-8 or Windows-1252 (byte 0x81" in error.message
    assert unchanged()


# Bytes that are not text -----------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.mark.parametrize("content, filename, message", [
    (PNG, "figures.csv", "This is a PNG image, not a CSV or Excel (.xlsx) file"),
    (PNG, "figures.xlsx", "This is a PNG image, not a CSV or Excel (.xlsx) file"),
    (b"%PDF-1.7\n", "figures.csv", "This is a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "figures.xlsx", "protected with a password"),
    (b"PK\x03\x04" + bytes(100), "figures.xlsx", "not a readable .xlsx workbook"),
])
def test_a_file_that_is_not_a_table_says_what_it_is(kind, unchanged, content, filename, message):
    error = only_error(kind.run(content, filename))
    assert error.row == 0 and message in error.message
    assert unchanged()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_bytes_are_one_plain_message(kind, unchanged, seed):
    content = random.Random(seed).randbytes(4096)
    error = only_error(kind.run(content))
    assert any(phrase in error.message for phrase in (
        "not text in UTF-8 or Windows-1252", "binary content", "UTF-16",
    )), error.message
    assert unchanged()


def test_a_nul_byte_names_its_row(kind, unchanged):
    content = csv_of([kind.header, kind.good]) + csv_of([kind.good]).replace(b",", b",\x00", 1)
    error = only_error(kind.run(content))
    assert (error.row, error.column) == (3, "")
    assert "binary content (the control character 0x00)" in error.message
    assert unchanged()


# Ragged, padded and repeated rows, duplicate keys -----------------------------------------------


def test_a_row_with_too_many_cells_names_the_extra_column(kind, unchanged):
    content = csv_of([kind.header, kind.good, [*kind.good[:1], *kind.good[1:], "", "surplus"]])
    error = only_error(kind.run(content))
    letter = kind.letter(len(kind.header) + 1)
    assert (error.row, error.column) == (3, letter)
    assert f"“surplus” is in column {letter}, which has no name in the header row" in error.message
    assert unchanged()


def test_a_row_with_too_few_cells_is_read_as_empty_cells_and_each_missing_one_is_named(kind, unchanged):
    content = csv_of([kind.header, kind.good[:2]])
    summary = kind.run(content)
    assert not summary.written and summary.errors
    assert all(error.row == 2 and error.column in kind.header for error in summary.errors)
    assert unchanged()


def test_trailing_empty_cells_and_blank_lines_are_ignored(kind):
    content = (
        csv_of([[*kind.header, "", ""], [*kind.good, "", "", ""]])
        + b"\r\n,,,,\r\n\r\n"
    )
    summary = kind.run(content)
    assert summary.errors == [] and summary.written
    assert summary.rows == 1


def test_the_header_repeated_in_the_middle_is_one_error_on_its_row(kind, unchanged):
    if kind.name == "values":
        second = kind.row(period="2020-11")
    elif kind.name == "measures":
        second = kind.row(code="second-measure")
    else:
        second = kind.row(option="poor-very-poor", percentage="10")
    content = csv_of([kind.header, kind.good, [cell.upper() for cell in kind.header], second])
    error = only_error(kind.run(content))
    assert (error.row, error.column) == (3, "")
    assert error.message == "This row repeats the header row: delete it"
    assert unchanged()


@pytest.mark.parametrize("name, column, message", [
    ("values", "", "Duplicate of row 2: the same measure, area, breakdown and period"),
    ("measures", "code", "The code new-measure is already used on row 2"),
    ("surveys", "option", "Duplicate row: row 2 gives the same survey, wave, question, area, segment and option"),
])
def test_the_same_key_twice_in_one_file_names_both_rows(world, unchanged, name, column, message):
    kind = KINDS[name]
    content = csv_of([kind.header, kind.good, kind.good])
    error = only_error(kind.run(content))
    assert (error.row, error.column, error.message) == (3, column, message)
    assert unchanged()


# Formulas --------------------------------------------------------------------------------------------


def rewrite_part(workbook: bytes, part: str, change) -> bytes:
    """The workbook with one part's XML changed (or added, when ``change`` is bytes)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for name in names:
            data = source.read(name)
            if name == part:
                data = change(data) if callable(change) else change
            target.writestr(name, data)
        if part not in names:
            target.writestr(part, change)
    return out.getvalue()


def formula_workbook(kind: Kind, column: int, cached: str | None, array: bool = False) -> bytes:
    row = list(kind.good)
    row[column] = "=1+1"
    workbook = xlsx_file([row], header=kind.header)
    letter = kind.letter(column)

    def change(xml: bytes) -> bytes:
        formula = f'<f t="array" ref="{letter}2">1+1</f>' if array else "<f>1+1</f>"
        value = "<v />" if cached is None else f"<v>{cached}</v>"
        new, count = re.subn(rf'<c r="{letter}2"><f>1\+1</f><v ?/>'.encode(),
                             f'<c r="{letter}2">{formula}{value}'.encode(), xml)
        assert count == 1
        return new

    return rewrite_part(workbook, "xl/worksheets/sheet1.xml", change)


@pytest.mark.parametrize("cached, array", [(None, False), ("2", False), ("2", True)],
                         ids=["no cached value", "cached value", "array formula"])
def test_a_formula_cell_is_refused_whatever_value_excel_cached(kind, unchanged, cached, array):
    column = kind.number_column if kind.number_column is not None else kind.text_column
    summary = kind.run(formula_workbook(kind, column, cached, array), "file.xlsx")
    error = only_error(summary)
    assert (error.row, error.column) == (2, kind.header[column])
    assert "“=1+1” is a spreadsheet formula" in error.message
    assert unchanged()


@pytest.mark.parametrize("name", ["values", "surveys"])
def test_a_formula_typed_in_a_csv_number_cell_is_not_a_number(world, unchanged, name):
    kind = KINDS[name]
    row = list(kind.good)
    row[kind.number_column] = "=1+1"
    error = only_error(kind.run(csv_of([kind.header, row])))
    assert (error.row, error.column) == (2, kind.header[kind.number_column])
    assert "“=1+1” is not a number" in error.message
    assert unchanged()


# Numbers in every odd format ---------------------------------------------------------------------------

ACCEPTED = [
    ("1,234", D("1234")), ("12.5%", None), (" 12 ", D("12")), ("1e3", D("1000")), ("-0", D("0")),
    ("12\u00a0345", D("12345")), ("\u221212", D("-12")), ("+5", D("5")),
]
REFUSED = [
    ("(12)", "“(12)” is not a number: write a negative figure with a minus sign, -12"),
    ("12.345.6", "“12.345.6” is not a number"),
    ("½", "“½” is not a number"),
    ("NaN", "“NaN” is not a number"),
    ("inf", "“inf” is not a number"),
    ("-inf", "“-inf” is not a number"),
    ("1_000", "“1_000” is not a number"),
    ("１２３", "“１２３” is not a number: it has characters that look like digits but are not 0 to 9"),
    ("1 2", "“1 2” is not a number"),
    ("1\u00a02", "is not a number"),
    ("9" * 400, "“999999999999999999999999999999999999999…” is too large"),
    ("1e999999999", "“1e999999999” is too large"),
    ("9" * 30 + "e999990", "is too large"),
    ("0x1F", "“0x1F” is not a number"),
    ("12,5", "use a full stop for decimals"),
]


@pytest.mark.parametrize("typed, expected", ACCEPTED)
def test_numbers_written_in_ways_that_mean_one_number_are_read(world, typed, expected):
    measure = "feeling-safe" if typed.endswith("%") else "total-recorded-crime"
    summary = import_values(source=csv_of([
        list(VALUE_COLUMNS), [measure, "west-yorkshire", "", "2020-12", typed, "", "", ""],
    ]), filename="figures.csv")
    assert summary.errors == []
    assert Value.objects.get().value == (expected if expected is not None else D("12.5"))


@pytest.mark.parametrize("typed, message", REFUSED, ids=[case[0][:12] for case in REFUSED])
@pytest.mark.parametrize("name", ["values", "surveys"])
def test_numbers_that_cannot_be_read_as_one_number_are_refused_with_row_and_column(world, unchanged, name,
                                                                                   typed, message):
    kind = KINDS[name]
    row = list(kind.good)
    row[kind.number_column] = typed
    error = only_error(kind.run(csv_of([kind.header, row])))
    assert (error.row, error.column) == (2, kind.header[kind.number_column])
    assert message in error.message
    assert len(error.message) < 200
    assert unchanged()


def test_numbers_stored_oddly_in_a_workbook_are_refused_or_read_plainly(world, unchanged):
    workbook = xlsx_file([
        ["total-recorded-crime", "west-yorkshire", None, "2020-10", 1e300],
        ["total-recorded-crime", "west-yorkshire", None, "2020-11", 1e300],
        ["total-recorded-crime", "west-yorkshire", None, "2020-12", 5],
    ], number_formats={(3, 5): "0%"})
    infinite = rewrite_part(workbook, "xl/worksheets/sheet1.xml",
                            lambda xml: xml.replace(b'<c r="E4" t="n"><v>5</v>', b'<c r="E4" t="n"><v>1e999</v>'))
    summary = import_values(source=infinite, filename="figures.xlsx")
    assert not summary.written
    assert [(error.row, error.column) for error in summary.errors] == [(2, "value"), (3, "value"), (4, "value")]
    assert "too large" in summary.errors[0].message and "too large" in summary.errors[1].message
    assert "“inf” is not a number" in summary.errors[2].message
    not_a_number = rewrite_part(workbook, "xl/worksheets/sheet1.xml",
                                lambda xml: xml.replace(b'<c r="E4" t="n"><v>5</v>', b'<c r="E4" t="n"><v>NaN</v>'))
    error = only_error(import_values(source=not_a_number, filename="figures.xlsx"))
    assert error.row == 4 and error.message.startswith("The workbook cannot be read from row 4")
    assert unchanged()


# Sizes: uploads, rows, columns, and workbooks that unpack to gigabytes --------------------------------


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(kind, unchanged, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1 * MB
    content = csv_of([kind.header]) + csv_of([kind.good]) * (20 * MB // len(csv_of([kind.good])))
    error = only_error(kind.run(content))
    assert error.row == 0
    assert "The file is 20 MB, more than the 1 MB an import reads: split it into smaller files" == error.message
    assert unchanged()


def test_a_file_over_the_row_limit_is_refused(kind, unchanged, settings):
    settings.IMPORT_MAX_ROWS = 100
    rows = [kind.header] + [kind.good] * 101
    error = only_error(kind.run(csv_of(rows)))
    assert error.row == 102
    assert error.message == "The file has more than 100 rows: split it into smaller files"
    assert unchanged()


def test_millions_of_blank_lines_stop_at_the_row_limit(kind, unchanged):
    content = csv_of([kind.header, kind.good]) + b"\n" * (10 * MB)
    error = only_error(kind.run(content))
    assert "The file has more than 500,000 rows" in error.message
    assert unchanged()


def test_a_sheet_row_numbered_two_billion_stops_at_the_row_limit(kind, unchanged, settings):
    # openpyxl yields each missing row as an empty one: the reading stops at the limit (lowered
    # here so that the test is quick; at the default of 500,000 it takes about a second).
    settings.IMPORT_MAX_ROWS = 10_000
    workbook = rewrite_part(xlsx_file([kind.good], header=kind.header), "xl/worksheets/sheet1.xml",
                            lambda xml: xml.replace(b'<row r="2">', b'<row r="2000000000">')
                            .replace(b' r="A2"', b' r="A2000000000"'))
    tracemalloc.start()
    try:
        error = only_error(kind.run(workbook, "file.xlsx"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.message == "The file has more than 10,000 rows: split it into smaller files"
    assert peak < 20 * MB
    assert unchanged()


def test_a_cell_in_the_last_excel_column_is_refused_not_padded_out(kind, unchanged):
    workbook = rewrite_part(
        xlsx_file([kind.good], header=kind.header), "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"</row></sheetData>", b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'),
    )
    error = only_error(kind.run(workbook, "file.xlsx"))
    assert (error.row, error.column) == (2, "XFD")
    assert "beyond the 1,000 columns an import reads" in error.message
    assert unchanged()


def bomb(size: int, *, lie: bool) -> bytes:
    """A workbook whose sheet XML unpacks to ``size`` bytes of blank rows: a zip bomb.

    With ``lie``, its zip directory declares the sheet a few KB, as a hand-made bomb would.
    """
    header = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>'
    )
    footer = b"</sheetData></worksheet>"
    workbook = xlsx_file([], header=["measure"])
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(workbook))
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name != "xl/worksheets/sheet1.xml":
                target.writestr(name, source.read(name), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=False) as sheet:
            sheet.write(header)
            chunk = b" " * MB
            for _ in range(size // MB):
                sheet.write(chunk)
            sheet.write(footer)
    content = out.getvalue()
    if lie:
        # Both the local header and the central directory say the sheet unpacks to 4,096 bytes.
        content = bytearray(content)
        name = b"xl/worksheets/sheet1.xml"
        for signature, name_offset, size_offset in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
            at = 0
            while (at := content.find(signature, at)) >= 0:
                if bytes(content[at + name_offset:at + name_offset + len(name)]) == name:
                    struct.pack_into("<I", content, at + size_offset, 4096)
                at += 4
        content = bytes(content)
    return content


@pytest.fixture(scope="module")
def bombs():
    # 400 MB of XML in well under 1 MB: built once for the module (it takes a second or two).
    return {"honest": bomb(400 * MB, lie=False), "lying": bomb(400 * MB, lie=True)}


@pytest.mark.parametrize("which, message", [
    ("honest", "The workbook unpacks to 400 MB, more than the 100 MB an import reads: it was not opened"),
    ("lying", "This file is not a readable .xlsx workbook"),
])
def test_a_zip_bomb_is_refused_in_bounded_memory_without_being_unpacked(
    kind, unchanged, settings, bombs, which, message,
):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 100 * MB
    content = bombs[which]
    assert len(content) < MB
    tracemalloc.start()
    try:
        error = only_error(kind.run(content, "file.xlsx"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.row == 0 and message in error.message
    assert peak < 20 * MB
    assert unchanged()


# XML entity tricks -----------------------------------------------------------------------------------

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
        for level in range(1, 10)
    )
    + b"]>"
)
PASSWD = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
SHARED_STRINGS = (
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>&xxe;</t></si></sst>"
)


def with_doctype(workbook: bytes, doctype: bytes, entity: bytes) -> bytes:
    def change(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        return doctype + body.replace(b"<t>as published</t>", b"<t>" + entity + b"</t>", 1)

    return rewrite_part(workbook, "xl/worksheets/sheet1.xml", change)


def passwd_in_shared_strings(workbook: bytes) -> bytes:
    workbook = rewrite_part(workbook, "xl/sharedStrings.xml", PASSWD + SHARED_STRINGS)
    return rewrite_part(workbook, "[Content_Types].xml", lambda xml: xml.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    ))


@pytest.mark.parametrize("trick", ["billion laughs", "external entity in the sheet",
                                   "external entity in shared strings"])
def test_xml_entities_are_never_expanded_nor_files_read(kind, unchanged, trick):
    row = list(kind.good)
    row[kind.text_column] = "as published"
    workbook = xlsx_file([row], header=kind.header)
    if trick == "billion laughs":
        workbook = with_doctype(workbook, LAUGHS, b"&lol9;")
    elif trick == "external entity in the sheet":
        workbook = with_doctype(workbook, PASSWD, b"&xxe;")
    else:
        workbook = passwd_in_shared_strings(workbook)
    tracemalloc.start()
    try:
        error = only_error(kind.run(workbook, "file.xlsx"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.message == (
        "The workbook declares XML entities (a document type declaration), which Excel never "
        "writes: it was not opened"
    )
    assert "root:" not in error.message
    assert peak < 20 * MB
    assert unchanged()


def test_openpyxl_itself_refuses_entities_through_defusedxml():
    """The second guard: were a declaration to pass the scan, the XML parser would refuse it."""
    from defusedxml import EntitiesForbidden

    assert openpyxl.DEFUSEDXML
    workbook = passwd_in_shared_strings(xlsx_file([["x"]], header=["measure"]))
    with pytest.raises(ValueError) as refused:
        openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)
    assert isinstance(refused.value.__cause__, EntitiesForbidden)


def test_an_xml_part_in_utf16_cannot_hide_a_declaration(kind, unchanged):
    def to_utf16(xml: bytes) -> bytes:
        return codecs.BOM_UTF16_LE + xml.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")

    workbook = rewrite_part(xlsx_file([kind.good], header=kind.header), "xl/worksheets/sheet1.xml", to_utf16)
    error = only_error(kind.run(workbook, "file.xlsx"))
    assert "its part xl/worksheets/sheet1.xml is UTF-16" in error.message
    assert unchanged()


# Through the real upload pages and the commands ---------------------------------------------------------

PAGES = {
    "values": "/admin/measures/value/import/",
    "measures": "/admin/measures/measure/import/",
    "surveys": "/surveys/import/",
}

HOSTILE_UPLOADS = [
    ("png", "figures.csv", lambda kind: PNG, "This is a PNG image"),
    ("nul", "figures.csv", lambda kind: csv_of([kind.header, kind.good]).replace(b",", b",\x00", 1),
     "binary content"),
    ("laughs", "figures.xlsx", lambda kind: with_doctype(xlsx_file([kind.good], header=kind.header), LAUGHS,
                                                          b"&lol9;"), "declares XML entities"),
    ("repeated header", "figures.csv", lambda kind: csv_of([kind.header, kind.good, kind.header]),
     "This row repeats the header row"),
]


def stored_uploads() -> list[str]:
    try:
        return default_storage.listdir("imports")[1]
    except FileNotFoundError:
        return []


@pytest.mark.parametrize("case, filename, build, message", HOSTILE_UPLOADS, ids=[c[0] for c in HOSTILE_UPLOADS])
def test_each_upload_page_shows_the_message_offers_no_confirm_and_keeps_nothing(
    kind, unchanged, staff_client, case, filename, build, message,
):
    content = build(kind)
    response = staff_client.post(PAGES[kind.name], {"file": SimpleUploadedFile(filename, content)})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "<title>Error: " in html
    assert response.context.get("pending") is None and response.context.get("confirm") is None
    assert stored_uploads() == []
    assert unchanged()


def test_each_upload_page_refuses_a_file_far_over_the_limit_by_its_size(kind, unchanged, staff_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1 * MB
    content = csv_of([kind.header]) + b"x" * (30 * MB)
    response = staff_client.post(PAGES[kind.name], {"file": SimpleUploadedFile("figures.csv", content)})
    assert response.status_code == 200
    assert "The file is 30 MB, more than the 1 MB an import reads: split it into smaller files" in (
        response.content.decode()
    )
    assert stored_uploads() == []
    assert unchanged()


@pytest.mark.parametrize("command", ["import_values", "import_measures"])
def test_the_commands_print_the_message_and_write_nothing(world, unchanged, tmp_path, command):
    kind = KINDS["values" if command == "import_values" else "measures"]
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(with_doctype(xlsx_file([kind.good], header=kind.header), PASSWD, b"&xxe;"))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 error: nothing was imported"):
        call_command(command, str(path), stderr=errors)
    assert "File: The workbook declares XML entities" in errors.getvalue()
    assert unchanged()


def test_the_commands_read_no_further_than_the_limit(world, unchanged, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1 * MB
    with pytest.raises(CommandError, match="larger than IMPORT_MAX_UPLOAD_BYTES"):
        call_command("import_values", "/dev/zero")
    assert unchanged()


# A file changed between preview and confirm --------------------------------------------------------------


def test_a_framework_file_changed_between_preview_and_confirm_is_refused(world, unchanged, staff_client):
    kind = KINDS["measures"]
    preview = staff_client.post(PAGES["measures"], {
        "file": SimpleUploadedFile("framework.csv", csv_of([kind.header, kind.good])),
    })
    pending = preview.context["pending"]
    stored = staff_client.session["measures_pending_imports"][pending["token"]]["upload"]
    with default_storage.open(stored, "wb") as handle:
        handle.write(csv_of([kind.header, kind.row(name="=HYPERLINK(\"http://evil.example/\")")]))
    response = staff_client.post("/admin/measures/measure/import/confirm/", pending, follow=True)
    assert "The file changed after it was previewed: upload it again" in response.content.decode()
    assert unchanged()


def test_a_survey_file_changed_between_check_and_confirm_is_refused(world, unchanged, staff_client):
    kind = KINDS["surveys"]
    preview = staff_client.post(PAGES["surveys"], {
        "file": SimpleUploadedFile("results.csv", csv_of([kind.header, kind.good])),
    })
    confirm = {"token": preview.context["confirm"]["token"].value(),
               "sha256": preview.context["confirm"]["sha256"].value()}
    response = staff_client.post(reverse("surveys:import-confirm"), {**confirm, "sha256": "0" * 64}, follow=True)
    assert "The file confirmed is not the file checked: upload it again" in response.content.decode()
    stored = staff_client.session[PENDING_IMPORTS][confirm["token"]]["upload"]
    with default_storage.open(stored, "wb") as handle:
        handle.write(csv_of([kind.header, kind.row(percentage="99")]))
    response = staff_client.post(reverse("surveys:import-confirm"), confirm, follow=True)
    assert "The file changed after it was previewed: upload it again" in response.content.decode()
    assert unchanged()
