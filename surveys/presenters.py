"""How survey figures read on the page: percentages, intervals, changes, marks and messages.

Display logic lives here, tested without a database; templates only print these strings. Every
number is rounded once, by measures.presenters (and so by measures.arithmetic.round_half_away).
"""

from __future__ import annotations

from decimal import Decimal

from measures.presenters import Unit, format_change, format_value
from surveys.statistics import MIN_BASE, Change, Interval, Mark

__all__ = [
    "INTERVAL_DECIMALS",
    "NOT_ASKED",
    "TOO_FEW",
    "base_text",
    "change_text",
    "interval_text",
    "mark_text",
    "percentage_text",
]

TOO_FEW = "too few responses"
NOT_ASKED = "no result"
# Intervals are printed to one decimal place whatever the figure's own precision: "±0.9" on a
# whole percentage would otherwise round to "±1" and hide how narrow it is.
INTERVAL_DECIMALS = 1

_MARKS = {
    Mark.SIGNIFICANT_INCREASE: "significant increase",
    Mark.SIGNIFICANT_DECREASE: "significant decrease",
    Mark.NO_SIGNIFICANT_CHANGE: "no significant change",
    Mark.NOT_TESTED: "not tested: a base is not known",
}
# Short marks for table cells, each explained in the table's key.
_SYMBOLS = {
    Mark.SIGNIFICANT_INCREASE: "▲",
    Mark.SIGNIFICANT_DECREASE: "▼",
    Mark.NO_SIGNIFICANT_CHANGE: "",
    Mark.NOT_TESTED: "",
}


def percentage_text(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return NOT_ASKED
    return format_value(value, unit=Unit.PERCENTAGE, decimals=decimals)


def figure_text(value: Decimal | None, *, decimals: int, too_few: bool, proportion: bool = True) -> str:
    """A result as a table prints it: "79%", "too few responses", "no result"."""
    if too_few and value is not None:
        return TOO_FEW
    if proportion:
        return percentage_text(value, decimals)
    if value is None:
        return NOT_ASKED
    return format_value(value, unit=Unit.PERCENTAGE, decimals=decimals)


def interval_text(interval: Interval | None) -> str:
    """ "76.5% to 78.2%", or "" when there is none (base unknown or too small)."""
    if interval is None:
        return ""
    low = format_value(interval.low, unit=Unit.PERCENTAGE, decimals=INTERVAL_DECIMALS)
    high = format_value(interval.high, unit=Unit.PERCENTAGE, decimals=INTERVAL_DECIMALS)
    return f"{low} to {high}"


def change_text(change: Change | None, decimals: int) -> str:
    """The change in points, "+2.3 points"; "" when there is nothing to compare."""
    if change is None:
        return ""
    return format_change(
        difference=change.points, percent_change=None, points=change.points,
        unit=Unit.PERCENTAGE, decimals=decimals,
    )


def mark_text(change: Change | None) -> str:
    if change is None:
        return ""
    return _MARKS[change.mark]


def mark_symbol(change: Change | None) -> str:
    if change is None:
        return ""
    return _SYMBOLS[change.mark]


def base_text(base: int | None) -> str:
    if base is None:
        return "not known"
    return f"{base:,}"


def too_few_note() -> str:
    return f"Figures from fewer than {MIN_BASE} responses are not shown: they are too uncertain to report."


def saved_message(outcome, *, question, wave) -> str:
    if not outcome.changed and not outcome.measures_fed:
        return f"Nothing changed: the results for “{question.text}” ({wave.label}) were already as entered."
    parts = []
    if outcome.created:
        parts.append(f"{outcome.created} new")
    if outcome.updated:
        parts.append(f"{outcome.updated} changed")
    if outcome.deleted:
        parts.append(f"{outcome.deleted} removed")
    summary = ", ".join(parts) if parts else "the bases changed"
    text = f"Results saved for “{question.text}” ({wave.label}): {summary}."
    if outcome.measures_fed:
        count = len(outcome.measures_fed)
        text += f" {count} linked measure{'s are' if count != 1 else ' is'} being recalculated."
    return text


def import_message(summary) -> str:
    if not summary.written:
        return f"Nothing to import: every row was already as in the file ({summary.counts})."
    text = f"Survey results imported: {summary.counts}."
    if summary.measures_fed:
        count = len(summary.measures_fed)
        text += f" {count} linked measure{'s are' if count != 1 else ' is'} being recalculated."
    return text
