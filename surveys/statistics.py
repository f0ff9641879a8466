"""How sure a survey figure is: confidence intervals, "too few responses", and real changes.

Pure Python on Decimal, no database, so the rules are tested against hand-worked values. The
two-proportion test is measures.arithmetic's (the same one the current-measures table uses), so a
change is called significant by one rule everywhere. Nothing here rounds: presenters round once,
with measures.arithmetic.round_half_away, when they print.
The rules are written down in ``docs/adr/0008-survey-statistics.md``.
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from measures.arithmetic import CRITICAL_Z, is_significant, two_proportion_z

__all__ = [
    "MIN_BASE",
    "Change",
    "Estimate",
    "Interval",
    "Mark",
    "change",
    "estimate",
    "group_total",
    "is_too_few",
    "rounding_tolerance",
    "wilson_interval",
]

# Below this many respondents a percentage is shown as "too few responses", not as a figure:
# the interval would be wider than ±14 points, and small groups risk identifying people.
MIN_BASE = 50

HUNDRED = Decimal(100)
_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)


class Mark(enum.StrEnum):
    """What a change between waves is called in a report."""

    SIGNIFICANT_INCREASE = "significant-increase"
    SIGNIFICANT_DECREASE = "significant-decrease"
    NO_SIGNIFICANT_CHANGE = "no-significant-change"
    NOT_TESTED = "not-tested"  # a base is unknown or too small: untested is not "no change"


@dataclass(frozen=True)
class Interval:
    """A 95% confidence interval for a percentage, in percent (0–100), unrounded."""

    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Estimate:
    """A percentage with what is known about its base."""

    percentage: Decimal | None
    base: int | None
    interval: Interval | None
    too_few: bool

    @property
    def shown(self) -> bool:
        """Whether the figure may be printed (it exists and its base is not too small)."""
        return self.percentage is not None and not self.too_few


@dataclass(frozen=True)
class Change:
    """A percentage against the same figure in an earlier wave."""

    points: Decimal
    z: Decimal | None
    significant: bool | None
    mark: Mark


def is_too_few(base: int | None) -> bool:
    """True when the base is known and under MIN_BASE; an unknown base is not "too few"."""
    return base is not None and base < MIN_BASE


def wilson_interval(percentage: Decimal, base: int, *, z: Decimal = CRITICAL_Z) -> Interval | None:
    """The Wilson score interval for ``percentage`` (0–100) of ``base`` respondents.

    centre = (p + z²/2n) / (1 + z²/n);  half-width = z / (1 + z²/n) · √(p(1 − p)/n + z²/4n²)

    Chosen over the normal approximation p ± z√(p(1 − p)/n) because it stays inside 0–100 and
    keeps its 95% coverage for small bases and for shares near 0% or 100%, where the normal
    approximation gives a zero-width or negative interval. For large bases the two agree.
    None when the base is 0.
    """
    if base <= 0:
        return None
    c = _CONTEXT
    p = c.divide(Decimal(percentage), HUNDRED)
    n = Decimal(base)
    z2 = c.multiply(z, z)
    denominator = c.add(1, c.divide(z2, n))
    centre = c.divide(c.add(p, c.divide(z2, c.multiply(2, n))), denominator)
    spread = c.add(
        c.divide(c.multiply(p, c.subtract(1, p)), n),
        c.divide(z2, c.multiply(4, c.multiply(n, n))),
    )
    half = c.multiply(c.divide(z, denominator), c.sqrt(spread))
    low = max(Decimal(0), c.subtract(centre, half))
    high = min(Decimal(1), c.add(centre, half))
    return Interval(low=c.multiply(low, HUNDRED), high=c.multiply(high, HUNDRED))


def estimate(percentage: Decimal | None, base: int | None, *, proportion: bool = True) -> Estimate:
    """A figure with its interval, or suppressed as "too few responses" under MIN_BASE.

    ``proportion`` is False for figures that are not shares of respondents (an average
    improvement in scores): they get no interval, but a small base still suppresses them.
    """
    too_few = is_too_few(base)
    interval = None
    if proportion and percentage is not None and base is not None and not too_few:
        interval = wilson_interval(percentage, base)
    return Estimate(percentage=percentage, base=base, interval=interval, too_few=too_few)


def change(current: Estimate, previous: Estimate, *, proportion: bool = True) -> Change | None:
    """The change from ``previous`` to ``current`` in points, and whether it is significant.

    None when either figure is missing or suppressed (nothing to compare in print). The test is
    the pooled two-proportion z of measures.arithmetic, at |z| ≥ 1.96; it needs both bases.
    """
    if not (current.shown and previous.shown):
        return None
    points = _CONTEXT.subtract(current.percentage, previous.percentage)
    z = None
    if proportion and current.base is not None and previous.base is not None:
        z = two_proportion_z(current.percentage, current.base, previous.percentage, previous.base)
    significant = is_significant(z)
    if significant is None:
        mark = Mark.NOT_TESTED
    elif not significant:
        mark = Mark.NO_SIGNIFICANT_CHANGE
    elif points > 0:
        mark = Mark.SIGNIFICANT_INCREASE
    else:
        mark = Mark.SIGNIFICANT_DECREASE
    return Change(points=points, z=z, significant=significant, mark=mark)


def group_total(percentages: Iterable[Decimal | None]) -> Decimal | None:
    """A group's percentage from its options' (good or very good = good + very good).

    None unless every option has a figure: a partial sum would understate the group.
    """
    total = Decimal(0)
    values = list(percentages)
    if not values or any(value is None for value in values):
        return None
    for value in values:
        total = _CONTEXT.add(total, value)
    return total


def rounding_tolerance(percentages: Iterable[Decimal]) -> Decimal:
    """How far a sum of rounded percentages can stray from the true sum.

    Each figure printed to d decimal places is off by at most half a unit in its last place, so
    n of them by n × that: five whole percentages may add up to 102.5 without anything wrong.
    """
    tolerance = Decimal(0)
    for value in percentages:
        exponent = value.normalize(_CONTEXT).as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
        tolerance = _CONTEXT.add(tolerance, Decimal("0.5").scaleb(-places))
    return tolerance
