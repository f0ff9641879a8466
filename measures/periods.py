"""Period codes: what a figure's period means, how it prints, and what it is compared with.

Pure Python on purpose: importers, models, presenters and tests all share these rules, and none
of them needs a database to know that ``YTD-2021-02`` runs from April 2020 to February 2021.
The rules are written down in ``docs/adr/0003-periods-and-comparisons.md``.
"""

from __future__ import annotations

import calendar
import datetime
import enum
import functools
import re
from dataclasses import dataclass

__all__ = [
    "Basis",
    "InvalidPeriod",
    "Period",
    "PeriodKind",
    "comparison_period",
    "financial_year",
    "headline_period",
    "month",
    "parse_period",
    "quarter",
    "snapshot",
    "twelve_months_to",
    "year_to_date",
]

MIN_YEAR = 1900
MAX_YEAR = 2100

# Fixed English abbreviations: strftime("%b") follows the server locale, a report must not.
_MONTH_ABBR = ("", *"Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())
# Error messages only: "29 February 2021 does not exist" reads better than "29 Feb 2021".
_MONTH_NAME = (
    "",
    *"January February March April May June July August September October November December".split(),
)
_EN_DASH = "\u2013"

_EXAMPLES = (
    "use a month (2020-12), a financial year (2019-20), a quarter (2020-21-Q3), "
    "12 months (12M-2020-12), a year to date (YTD-2020-12) or a date (2020-12-31)"
)


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    FINANCIAL_YEAR = "financial-year"
    QUARTER = "quarter"
    TWELVE_MONTHS = "12-months"
    YEAR_TO_DATE = "year-to-date"
    SNAPSHOT = "snapshot"


class Basis(enum.StrEnum):
    """How a measure is compared with an earlier figure; a measure stores one of these values."""

    TWELVE_MONTHS = "12-months"
    YEAR_TO_DATE = "year-to-date"
    QUARTER = "quarter"
    FINANCIAL_YEAR = "financial-year"
    SNAPSHOT = "snapshot"
    PREVIOUS_WAVE = "previous-wave"


class InvalidPeriod(ValueError):
    """A period code that cannot be read. The message is written for the analyst who typed it."""


@dataclass(frozen=True, order=True)
class Period:
    """One period a figure can belong to.

    Build it with :func:`parse_period` or the constructors below, never directly: they check the
    code and keep ``code``, ``start`` and ``end`` consistent, so that ``parse_period(p.code) == p``
    for every period but the twelve months January 2000, February 2001 … December 2011, whose
    codes read as financial years (ADR 0003).
    Ordering compares the code first, which is chronological within one kind (codes are
    zero-padded); across kinds, sort by ``(end, start)`` instead.
    """

    code: str
    kind: PeriodKind
    start: datetime.date
    end: datetime.date  # inclusive: the last day the period covers

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        """The period as a report's prose and table captions print it."""
        match self.kind:
            case PeriodKind.MONTH:
                return _month_year(self.end)
            case PeriodKind.FINANCIAL_YEAR:
                return _fy_label(self.start.year)
            case PeriodKind.TWELVE_MONTHS:
                return f"12 months to {_month_year(self.end)}"
            case PeriodKind.SNAPSHOT:
                return f"{self.end.day} {_MONTH_ABBR[self.end.month]} {self.end.year}"
            case _:  # quarter, year to date: a span of months
                return _span_label(self.start, self.end)

    @property
    def short_label(self) -> str:
        """The period as a narrow table column heading prints it (the seed's "Dec-15 … Dec-20")."""
        match self.kind:
            case PeriodKind.MONTH | PeriodKind.SNAPSHOT:
                return _short_month(self.end)
            case PeriodKind.FINANCIAL_YEAR:
                return _fy_label(self.start.year)
            case PeriodKind.QUARTER:
                return f"{_fy_label(_fy_start_year(self.start))} Q{_quarter_number(self.start)}"
            case PeriodKind.TWELVE_MONTHS:
                return f"12m to {_short_month(self.end)}"
            case PeriodKind.YEAR_TO_DATE:
                return f"YTD {_short_month(self.end)}"
        raise AssertionError(self.kind)  # pragma: no cover - every kind is matched above

    @property
    def is_additive_total(self) -> bool:
        """True when the period is made of whole months, so monthly values add up to it."""
        return self.kind is not PeriodKind.SNAPSHOT

    @property
    def financial_year(self) -> str:
        """The financial year the period ends in, as a code ("2020-21").

        For a snapshot this is the financial year containing the date.
        """
        return _fy_code(_fy_start_year(self.end))

    def year_earlier(self) -> Period:
        """The same kind of period one year earlier: what a year-on-year comparison uses.

        A snapshot on 29 February moves to 28 February.
        """
        match self.kind:
            case PeriodKind.MONTH:
                return month(self.end.year - 1, self.end.month)
            case PeriodKind.FINANCIAL_YEAR:
                return financial_year(self.start.year - 1)
            case PeriodKind.QUARTER:
                return quarter(_fy_start_year(self.start) - 1, _quarter_number(self.start))
            case PeriodKind.TWELVE_MONTHS:
                return twelve_months_to(self.end.year - 1, self.end.month)
            case PeriodKind.YEAR_TO_DATE:
                return year_to_date(self.end.year - 1, self.end.month)
            case PeriodKind.SNAPSHOT:
                day = self.end
                if day.month == 2 and day.day == 29:
                    return snapshot(datetime.date(day.year - 1, 2, 28))
                return snapshot(day.replace(year=day.year - 1))
        raise AssertionError(self.kind)  # pragma: no cover

    def previous(self) -> Period:
        """The immediately preceding period of the same kind.

        A year to date and a snapshot have no natural "previous" within the year (YTD-2020-11 is
        not comparable with YTD-2020-12), so for them this is the same period a year earlier.
        """
        match self.kind:
            case PeriodKind.MONTH:
                return month(*_shift_month(self.end.year, self.end.month, -1))
            case PeriodKind.FINANCIAL_YEAR:
                return financial_year(self.start.year - 1)
            case PeriodKind.QUARTER:
                year, number = _fy_start_year(self.start), _quarter_number(self.start)
                return quarter(year, number - 1) if number > 1 else quarter(year - 1, 4)
            case PeriodKind.TWELVE_MONTHS:
                return twelve_months_to(*_shift_month(self.end.year, self.end.month, -1))
            case _:
                return self.year_earlier()

    def months(self) -> tuple[Period, ...]:
        """The month periods this period covers, in order; empty for a snapshot."""
        if self.kind is PeriodKind.SNAPSHOT:
            return ()
        first = self.start.year * 12 + self.start.month - 1
        last = self.end.year * 12 + self.end.month - 1
        return tuple(month(index // 12, index % 12 + 1) for index in range(first, last + 1))


# Constructors ---------------------------------------------------------------------------------


def month(year: int, month: int) -> Period:
    code = f"{year:04d}-{month:02d}"
    _check_year(code, year)
    _check_month(code, month)
    return Period(code, PeriodKind.MONTH, datetime.date(year, month, 1), _last_day(year, month))


def twelve_months_to(year: int, month: int) -> Period:
    """The 12 months ending with ``month``: the rolling-year basis most crime figures use."""
    code = f"12M-{year:04d}-{month:02d}"
    _check_year(code, year)
    _check_month(code, month)
    start_year, start_month = _shift_month(year, month, -11)
    return Period(
        code,
        PeriodKind.TWELVE_MONTHS,
        datetime.date(start_year, start_month, 1),
        _last_day(year, month),
    )


def year_to_date(year: int, month: int) -> Period:
    """From 1 April of the financial year containing ``month`` to the end of ``month``."""
    code = f"YTD-{year:04d}-{month:02d}"
    _check_year(code, year)
    _check_month(code, month)
    start_year = year if month >= 4 else year - 1
    return Period(
        code, PeriodKind.YEAR_TO_DATE, datetime.date(start_year, 4, 1), _last_day(year, month)
    )


def financial_year(start_year: int) -> Period:
    """The financial year starting on 1 April of ``start_year``."""
    code = _fy_code(start_year)
    _check_year(code, start_year)
    return Period(
        code,
        PeriodKind.FINANCIAL_YEAR,
        datetime.date(start_year, 4, 1),
        datetime.date(start_year + 1, 3, 31),
    )


def quarter(start_year: int, n: int) -> Period:
    """Quarter ``n`` of the financial year starting in ``start_year`` (Q1 is April to June)."""
    code = f"{_fy_code(start_year)}-Q{n}"
    _check_year(code, start_year)
    if not 1 <= n <= 4:
        raise InvalidPeriod(
            f"“{code}” is not a period code: a financial year has quarters Q1 to Q4"
        )
    first_year, first_month = _shift_month(start_year, 4, 3 * (n - 1))
    last_year, last_month = _shift_month(first_year, first_month, 2)
    return Period(
        code,
        PeriodKind.QUARTER,
        datetime.date(first_year, first_month, 1),
        _last_day(last_year, last_month),
    )


def snapshot(date: datetime.date) -> Period:
    """A figure that is a stock at one date (workforce at 31 December), not a total over months."""
    code = date.isoformat()
    _check_year(code, date.year)
    return Period(code, PeriodKind.SNAPSHOT, date, date)


# Parsing --------------------------------------------------------------------------------------

_ROLLING = re.compile(r"(12M|YTD)-(\d{4})-(\d{2})", re.ASCII)
_QUARTER = re.compile(r"(\d{4})-(\d{2})-Q(\d)", re.ASCII)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_YEAR_PAIR = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


@functools.lru_cache(maxsize=8192)
def parse_period(code: str) -> Period:
    """Read a period code, as typed in a spreadsheet, into a :class:`Period`.

    Surrounding spaces and lower case are accepted; the result's ``code`` is the canonical form.
    Cached because an import parses the same few codes on every one of ~100,000 rows, and a
    Period is immutable. ``YYYY-YY`` whose second part is the next year (``2011-12``) is always a
    financial year, never December 2011: see ADR 0003.

    Raises :class:`InvalidPeriod` with a message an analyst can act on.
    """
    if not isinstance(code, str):
        raise InvalidPeriod(f"“{code}” is not a period code: it must be text, for example 2020-12")
    typed = code.strip()
    if not typed:
        raise InvalidPeriod(f"The period code is empty: {_EXAMPLES}")
    text = typed.upper()

    if match := _ROLLING.fullmatch(text):
        prefix, year, month_number = match[1], int(match[2]), int(match[3])
        _check_year(typed, year)
        _check_month(typed, month_number)
        constructor = twelve_months_to if prefix == "12M" else year_to_date
        return constructor(year, month_number)

    if match := _QUARTER.fullmatch(text):
        year, end_part, number = int(match[1]), int(match[2]), int(match[3])
        _check_year(typed, year)
        if end_part != (year + 1) % 100:
            raise InvalidPeriod(
                f"“{typed}” is not a quarter: the financial year should be {_fy_code(year)}"
            )
        if not 1 <= number <= 4:
            raise InvalidPeriod(
                f"“{typed}” is not a period code: a financial year has quarters Q1 to Q4"
            )
        return quarter(year, number)

    if match := _DATE.fullmatch(text):
        year, month_number, day = int(match[1]), int(match[2]), int(match[3])
        _check_year(typed, year)
        _check_month(typed, month_number)
        if not 1 <= day <= calendar.monthrange(year, month_number)[1]:
            if day == 0:
                raise InvalidPeriod(f"“{typed}” is not a period code: day 0 does not exist")
            raise InvalidPeriod(
                f"“{typed}” is not a period code: "
                f"{day} {_MONTH_NAME[month_number]} {year} does not exist"
            )
        return snapshot(datetime.date(year, month_number, day))

    if match := _YEAR_PAIR.fullmatch(text):
        year, second = int(match[1]), int(match[2])
        _check_year(typed, year)
        # The financial-year reading wins: 2011-12 is 2011/12, never December 2011 (ADR 0003).
        if second == (year + 1) % 100:
            return financial_year(year)
        if 1 <= second <= 12:
            return month(year, second)
        if (second - year) % 100 <= 5:
            # Close to the next year: most likely a mistyped financial year such as 2019-21.
            raise InvalidPeriod(f"“{typed}” is not a financial year: it should be {_fy_code(year)}")
        _check_month(typed, second)

    raise InvalidPeriod(f"“{typed}” is not a period code: {_EXAMPLES}")


# Comparisons ----------------------------------------------------------------------------------


def comparison_period(period: Period, basis: Basis | str) -> Period | None:
    """The period a figure for ``period`` is compared with, for a measure with this basis.

    Every basis but survey waves compares with the same period a year earlier, which removes
    seasonality. Survey waves are irregular, so for ``previous-wave`` this returns None and the
    caller looks for the latest earlier period that actually has a value.
    """
    if Basis(basis) is Basis.PREVIOUS_WAVE:
        return None
    return period.year_earlier()


def headline_period(report_quarter: Period, basis: Basis | str) -> Period:
    """The period a measure with this basis reports on in the report for ``report_quarter``.

    For ``previous-wave`` this is the month the quarter ends in; the caller then takes the latest
    wave on or before that month. For ``financial-year`` it is the last complete financial year,
    so that a Q3 report shows 2019/20 rather than a year three quarters done.
    """
    if report_quarter.kind is not PeriodKind.QUARTER:
        raise InvalidPeriod(
            f"“{report_quarter.code}” is not a quarter: "
            "a report covers a quarter such as 2020-21-Q3"
        )
    end = report_quarter.end
    match Basis(basis):
        case Basis.TWELVE_MONTHS:
            return twelve_months_to(end.year, end.month)
        case Basis.YEAR_TO_DATE:
            return year_to_date(end.year, end.month)
        case Basis.QUARTER:
            return report_quarter
        case Basis.FINANCIAL_YEAR:
            containing = _fy_start_year(end)
            complete = end == datetime.date(containing + 1, 3, 31)
            return financial_year(containing if complete else containing - 1)
        case Basis.SNAPSHOT:
            return snapshot(end)
        case Basis.PREVIOUS_WAVE:
            return month(end.year, end.month)
    raise AssertionError(basis)  # pragma: no cover


# Private helpers ------------------------------------------------------------------------------


def _check_year(code: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidPeriod(
            f"“{code}” is not a period code: years must be between {MIN_YEAR} and {MAX_YEAR}"
        )


def _check_month(code: str, month_number: int) -> None:
    if not 1 <= month_number <= 12:
        raise InvalidPeriod(f"“{code}” is not a period code: month {month_number} does not exist")


def _shift_month(year: int, month_number: int, by: int) -> tuple[int, int]:
    index = year * 12 + month_number - 1 + by
    return index // 12, index % 12 + 1


def _last_day(year: int, month_number: int) -> datetime.date:
    return datetime.date(year, month_number, calendar.monthrange(year, month_number)[1])


def _fy_start_year(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _fy_code(start_year: int) -> str:
    return f"{start_year:04d}-{(start_year + 1) % 100:02d}"


def _fy_label(start_year: int) -> str:
    return f"{start_year:04d}/{(start_year + 1) % 100:02d}"


def _quarter_number(start: datetime.date) -> int:
    return (start.month - 4) % 12 // 3 + 1


def _month_year(day: datetime.date) -> str:
    return f"{_MONTH_ABBR[day.month]} {day.year}"


def _short_month(day: datetime.date) -> str:
    return f"{_MONTH_ABBR[day.month]}-{day.year % 100:02d}"


def _span_label(start: datetime.date, end: datetime.date) -> str:
    if (start.year, start.month) == (end.year, end.month):
        return _month_year(end)
    if start.year == end.year:
        return f"{_MONTH_ABBR[start.month]} {_EN_DASH} {_month_year(end)}"
    return f"{_month_year(start)} {_EN_DASH} {_month_year(end)}"
