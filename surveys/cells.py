"""Reading one typed survey cell: a percentage, a number of people, a rank.

The grid and the import read cells the same way, and both read numbers as the figures importer
does (measures/widgets.parse_figure: "79", "79%", "79.0", "1,039", a real minus sign, Excel's
float noise), so a survey file and a figures file follow one set of rules. Each error is a
:class:`CellError` whose message is written for the person who typed the cell.
"""

from __future__ import annotations

from decimal import Decimal

from measures.widgets import CellError, parse_figure

__all__ = ["CellError", "parse_percentage", "parse_people", "parse_rank"]

HUNDRED = Decimal(100)


def parse_percentage(text: str | None) -> Decimal | None:
    """A percentage from 0 to 100: "79", "79%", "79.0"; blank (or "n/a") is None."""
    if text is None:
        return None
    try:
        number, _ = parse_figure(str(text))
    except CellError as error:
        raise CellError(f"{error}: enter a percentage like 79 or 79.5") from None
    if number is None:
        return None
    if number < 0 or number > HUNDRED:
        raise CellError(f"{_plain(number)}% is not a percentage: enter a number from 0 to 100")
    return number


def parse_people(text: str | None) -> int | None:
    """A number of respondents: a whole number of 1 or more, "1039" or "1,039"; blank is None."""
    return _whole(text, minimum=1, what="a whole number of people, like 1039")


def parse_count(text: str | None) -> int | None:
    """A count of respondents: a whole number of 0 or more; blank is None."""
    return _whole(text, minimum=0, what="a whole number of people, like 212")


def parse_rank(text: str | None) -> int | None:
    """A theme's rank: 1 for the most often raised; blank is None."""
    return _whole(text, minimum=1, what="a rank: 1 for the most often raised, 2 for the next")


def _whole(text, *, minimum: int, what: str) -> int | None:
    if text is None:
        return None
    try:
        number, percent = parse_figure(str(text))
    except CellError:
        raise CellError(f"“{str(text).strip()}” is not {what}") from None
    if number is None:
        return None
    if percent or number != number.to_integral_value() or number < minimum:
        raise CellError(f"“{str(text).strip()}” is not {what}")
    return int(number)


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}".replace("-", "\u2212")
