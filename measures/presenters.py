"""How figures and comparisons read on the page: number formats, arrows, words and CSS classes.

Display logic lives here, not in templates or models, so it is tested without a database and a
template never does arithmetic. Plain strings only: templates and template tags add the HTML.
Every number is rounded here, once, by :func:`measures.arithmetic.round_half_away`.
"""

from __future__ import annotations

import enum
from decimal import Decimal

from measures.arithmetic import Direction, Judgement, Method, round_half_away

__all__ = [
    "NOT_AVAILABLE",
    "PERCENT_CHANGE_DECIMALS",
    "Unit",
    "arrow",
    "direction_text",
    "format_change",
    "format_value",
    "judgement_css_class",
    "significance_text",
]

MINUS = "\u2212"  # a real minus sign: a hyphen is too short to read as negative in a table
NOT_AVAILABLE = "not available"  # missing is not zero, so it must never print as "0"
PERCENT_CHANGE_DECIMALS = 1  # "−11.4%", as the seed prints every % change


class Unit(enum.StrEnum):
    """A measure's unit, which decides how its values and differences are written."""

    COUNT = "count"
    PERCENTAGE = "percentage"
    RATE = "rate"
    FTE = "fte"
    SCORE = "score"
    MONEY = "money"


_ARROWS = {Direction.UP: "↑", Direction.DOWN: "↓", Direction.NO_REAL_CHANGE: "↔"}


def format_value(value: Decimal | None, *, unit: Unit | str, decimals: int) -> str:
    """A figure as printed: "258,882", "13.5%", "197.34", "£4,000,000"; None is "not available"."""
    if value is None:
        return NOT_AVAILABLE
    rounded = round_half_away(value, decimals)
    return _sign(rounded, plus="") + _magnitude(rounded.copy_abs(), Unit(unit), decimals)


def format_change(
    *,
    difference: Decimal | None,
    percent_change: Decimal | None,
    points: Decimal | None,
    unit: Unit | str,
    decimals: int,
) -> str:
    """A comparison's difference as printed.

    Counts: "−33,188 (−11.4%)", or just "−33,188" when there is no % change (previous was 0).
    Percentages: "−0.4 points" ("+1.0 point" when it rounds to exactly one). Rates and other
    point differences: the signed difference in the measure's unit, "+0.2".
    """
    unit = Unit(unit)
    if points is not None:
        rounded = round_half_away(points, decimals)
        text = _sign(rounded) + _magnitude(rounded.copy_abs(), Unit.SCORE, decimals)
        if unit is Unit.PERCENTAGE:
            text += " point" if rounded.copy_abs() == 1 else " points"
        return text
    if difference is None:
        return NOT_AVAILABLE
    rounded = round_half_away(difference, decimals)
    text = _sign(rounded) + _magnitude(rounded.copy_abs(), unit, decimals)
    if percent_change is not None:
        change = round_half_away(percent_change, PERCENT_CHANGE_DECIMALS)
        text += f" ({_sign(change)}{change.copy_abs():,.{PERCENT_CHANGE_DECIMALS}f}%)"
    return text


def arrow(direction: Direction | str) -> str:
    """The trend arrow; it shows the direction only, the words say whether that is good."""
    return _ARROWS[Direction(direction)]


def direction_text(direction: Direction | str, judgement: Judgement | str) -> str:
    """The arrow in words, for screen readers and print: "down: better", "no real change"."""
    direction, judgement = Direction(direction), Judgement(judgement)
    if direction is Direction.NO_REAL_CHANGE or judgement is Judgement.NO_REAL_CHANGE:
        return "no real change"
    if judgement is Judgement.MONITOR_ONLY:
        return f"{direction}: monitored only"
    return f"{direction}: {judgement}"


def significance_text(significant: bool | None, method: Method | str) -> str:
    """The test's verdict in words, or "" when no test applied (untested is not "not significant")."""
    if significant is None or Method(method) is Method.NONE:
        return ""
    return "significant change" if significant else "not a significant change"


def judgement_css_class(judgement: Judgement | str) -> str:
    """The CSS modifier class for a judgement, e.g. "app-judgement--better"."""
    return f"app-judgement--{Judgement(judgement)}"


def _sign(rounded: Decimal, *, plus: str = "+") -> str:
    """The sign of an already rounded number; zero (including −0.0) has none."""
    if rounded > 0:
        return plus
    if rounded < 0:
        return MINUS
    return ""


def _magnitude(amount: Decimal, unit: Unit, decimals: int) -> str:
    places = max(decimals, 0)
    digits = f"{amount:,.{places}f}"
    if unit is Unit.PERCENTAGE:
        return f"{digits}%"
    if unit is Unit.MONEY:
        return f"£{digits}"
    return digits
