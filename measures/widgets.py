"""Reading and writing one spreadsheet cell of the exchange format (docs: data-format.md).

django-import-export's default widgets raise tracebacks on what analysts really send: ``1,234``,
``12.5%``, ``n/a``, Excel's ``13.499999999999998``, a period code Excel turned into a date. The
rules live here once, as plain functions the importer calls in its hot loop (a function call per
cell, no object per cell), and as import-export widgets for the resources that export.

Every error is a :class:`CellError` whose message is written for the analyst who typed the cell.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_EVEN, Decimal

from import_export import widgets

from measures import periods

__all__ = [
    "CellError",
    "FigureWidget",
    "Formula",
    "NeutralisedTextWidget",
    "format_figure",
    "neutralise",
    "normalise_newlines",
    "parse_figure",
    "parse_flag",
    "parse_period_code",
    "unneutralise",
]

# Excel keeps 15 significant digits; anything beyond is binary floating-point noise
# (13.499999999999998 is 13.5), so numbers are rounded to 15 significant digits first.
SIGNIFICANT_DIGITS = 15
# Value.value is DecimalField(max_digits=20, decimal_places=6).
DECIMAL_PLACES = 6
_QUANTUM = Decimal(1).scaleb(-DECIMAL_PLACES)
_LIMIT = Decimal(10) ** (20 - DECIMAL_PLACES)

NOT_AVAILABLE = frozenset({"", "n/a", "na", "not available"})

# One pattern for the whole number: a sign, digits with or without thousands commas, decimals,
# an exponent (Excel writes 1.2E+15 for long numbers). Nothing else, so "1,23" (a decimal comma)
# or "12 345" is refused rather than misread.
_NUMBER = re.compile(
    r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?", re.ASCII
)
_DIGIT = re.compile(r"\d", re.ASCII)

# Formula injection: a spreadsheet evaluates a cell starting with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in the analyst's terms."""


class Formula(str):
    """A spreadsheet formula cell (``=B2*100``). Never evaluated: the importer refuses it."""


# Numbers ---------------------------------------------------------------------------------------


def parse_figure(text: str) -> tuple[Decimal | None, bool]:
    """Read a figure: ``258882``, ``258,882``, ``-33,188``, ``11.4%``, ``n/a``.

    Returns the number (None for "not available", never zero) and whether it carried a % sign.
    Rounds away float noise (15 significant digits) and keeps at most 6 decimal places, as stored.
    """
    cleaned = text.strip()
    if cleaned.lower() in NOT_AVAILABLE:
        return None, False
    if isinstance(text, Formula):
        raise CellError(f"“{_shown(text)}” is a spreadsheet formula: paste the values instead")
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1].rstrip()
    # A real minus sign, and non-breaking or thin spaces between thousands, come with text copied
    # from reports: "12 345" with one of those spaces is 12,345 (the pattern then checks the groups).
    cleaned = cleaned.replace("\u2212", "-").replace("\u00a0", ",").replace("\u202f", ",")
    if not cleaned or not _NUMBER.fullmatch(cleaned) or not _DIGIT.search(cleaned):
        raise CellError(_not_a_number(text))
    try:
        number = Decimal(cleaned.replace(",", ""))
        number = clean_decimal(number)
    except ArithmeticError:  # InvalidOperation or Overflow: an exponent such as 1e999999999
        raise CellError(_too_large(text)) from None
    if number.copy_abs() >= _LIMIT:
        raise CellError(_too_large(text))
    if not number:
        number = number.copy_abs()  # "-0" is 0
    return number, percent


def _too_large(text: str) -> str:
    return f"“{_shown(text)}” is too large: figures must be below 100,000,000,000,000"


def _shown(text: str, length: int = 40) -> str:
    """The typed text as a message quotes it: a 400-digit number is not quoted whole."""
    shown = text.strip()
    return shown if len(shown) <= length else shown[: length - 1] + "…"


def clean_decimal(number: Decimal) -> Decimal:
    """15 significant digits, then the 6 decimal places the database keeps."""
    digits = number.as_tuple()
    if len(digits.digits) > SIGNIFICANT_DIGITS:
        exponent = number.adjusted() - SIGNIFICANT_DIGITS + 1
        number = number.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)
    if digits.exponent < -DECIMAL_PLACES:
        number = number.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
    return number


def _not_a_number(text: str) -> str:
    shown = _shown(text)
    if re.fullmatch(r"[+-]?\d+,\d{1,2}", shown, re.ASCII):
        return f"“{shown}” is not a number: use a full stop for decimals (commas only between thousands)"
    if re.fullmatch(r"\(\s*[\d.,]+\s*\)", shown, re.ASCII):
        return f"“{shown}” is not a number: write a negative figure with a minus sign, -{shown.strip('() ')}"
    if any(character.isdigit() and not character.isascii() for character in shown):
        return f"“{shown}” is not a number: it has characters that look like digits but are not 0 to 9"
    return f"“{shown}” is not a number"


def format_figure(number: Decimal | None) -> str:
    """A stored figure as exported text: ``258882``, ``13.5``, ``-0.25``; empty when not available.

    Plain digits, no exponent and no trailing zeros, so that it reads back exactly.
    """
    if number is None:
        return ""
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def number_for_spreadsheet(number: Decimal | None) -> int | Decimal | None:
    """A figure for an XLSX cell: a number, so Excel sums it (int when whole, to avoid ``258882.0``)."""
    if number is None:
        return None
    if number == number.to_integral_value():
        return int(number)
    return number.normalize()


def format_float(number: float) -> str:
    """A spreadsheet's float as text without its binary noise: 258882.0 → 258882, 13.4999… → 13.5."""
    return format(number, f".{SIGNIFICANT_DIGITS}g")


# Text ------------------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe.

    Unlike django-import-export's escaping, nothing is deleted: ``=A1`` exports as ``'=A1`` and
    :func:`unneutralise` gives ``=A1`` back on import, so a round trip changes nothing.
    """
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    # "\n" too: XLSX is XML, which turns the "\r" of a neutralised "'\r…" into "\n".
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r\n":
        return text[1:]
    return text


def normalise_newlines(text: str) -> str:
    """Line ends as "\n": browsers send "\r\n" and XLSX (XML) reads any of them back as "\n"."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0", ""})


def parse_flag(text: str) -> bool:
    word = text.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellError(f"“{text.strip()}” is not yes or no")


# Periods ---------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            (),
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}
# What Excel shows (and writes to CSV) after turning a typed 2020-12 into a date: "Dec-20",
# "Dec 2020", "December 2020"; and a typed 2020-12-31 as a UK date, "31/12/2020".
_MONTH_NAME_YEAR = re.compile(r"([a-z]+)[-\s]+(\d{2}|\d{4})", re.ASCII)
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def parse_period_code(text: str) -> str:
    """The canonical period code of a cell, accepting what Excel did to the code typed.

    Raises :class:`CellError` with the period rules' own message.
    """
    if isinstance(text, Formula):
        raise CellError(f"“{_shown(text)}” is a spreadsheet formula: type the period code instead")
    try:
        return periods.parse_period(text).code
    except periods.InvalidPeriod as error:
        typed = text.strip().lower()
        if match := _MONTH_NAME_YEAR.fullmatch(typed):
            month = _MONTHS.get(match[1])
            year = int(match[2]) + (2000 if len(match[2]) == 2 else 0)
            if month:
                return periods.month(year, month).code
        if match := _UK_DATE.fullmatch(typed):
            day, month, year = int(match[1]), int(match[2]), int(match[3])
            try:
                return periods.snapshot(datetime.date(year, month, day)).code
            except (ValueError, periods.InvalidPeriod):
                pass
        raise CellError(str(error)) from None


def spreadsheet_date_as_code(value: datetime.date, number_format: str) -> str:
    """A date cell in an XLSX file, read back as the period code the analyst typed.

    Excel turns a typed ``2020-12`` into 1 December 2020 shown without a day (``mmm-yy``), and a
    typed ``2020-12-31`` into a date shown with one. The number format tells them apart.
    """
    if isinstance(value, datetime.datetime):
        value = value.date()
    shows_day = "d" in number_format.lower().replace("[", "").split(";")[0]
    if shows_day or number_format.lower() == "general":
        return value.isoformat()
    return f"{value.year:04d}-{value.month:02d}"


# django-import-export widgets, for the resources ------------------------------------------------


class FigureWidget(widgets.Widget):
    """A figure: numbers stay numbers in XLSX, text without exponent or trailing zeros in CSV."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return None
        if isinstance(value, float):
            value = format_float(value)
        return parse_figure(str(value))[0]

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return number_for_spreadsheet(value)
        return format_figure(value)


class NeutralisedTextWidget(widgets.Widget):
    """Text that no spreadsheet will evaluate: see :func:`neutralise`."""

    def clean(self, value, row=None, **kwargs):
        return unneutralise("" if value is None else str(value))

    def render(self, value, obj=None, **kwargs):
        return neutralise("" if value is None else str(value))
