"""Every derived number in the app: differences, changes, ratios, judgements, tests and rounding.

The seed report's errors (a fall printed as a rise, a −0.4 point change printed as −0.3) came
from working numbers out by hand. Here each rule is written once, in Decimal, and everything
else calls it. Values are kept unrounded; :func:`round_half_away` is the only rounding, and it
runs at display time (and in the data-quality checks, which compare with printed figures).
The rules are written down in ``docs/adr/0002-arithmetic-and-rounding.md``.
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "CRITICAL_Z",
    "Comparison",
    "Direction",
    "Judgement",
    "Method",
    "Polarity",
    "check_ratio",
    "check_sum",
    "compare",
    "difference",
    "direction",
    "is_significant",
    "judgement",
    "percent_change",
    "poisson_z",
    "ratio",
    "round_half_away",
    "two_proportion_z",
]

# Our own context, so that a caller's decimal.getcontext() changes nothing here. 28 significant
# digits is Decimal's default and far beyond any figure the report prints. Operators (+, abs())
# round in the thread's context, so arithmetic here goes through these contexts' methods.
_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)
_DISPLAY = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_UP)

HUNDRED = Decimal(100)

# |z| at or above this is significant at the 5% level (two-sided).
CRITICAL_Z = Decimal("1.96")


class Polarity(enum.StrEnum):
    LOWER_IS_BETTER = "lower"
    HIGHER_IS_BETTER = "higher"
    MONITOR = "monitor"


class Direction(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    NO_REAL_CHANGE = "no-real-change"


class Judgement(enum.StrEnum):
    BETTER = "better"
    WORSE = "worse"
    NO_REAL_CHANGE = "no-real-change"
    MONITOR_ONLY = "monitor-only"


class Method(enum.StrEnum):
    POISSON = "poisson"  # two counts
    TWO_PROPORTION = "two-proportion"  # two percentages with known bases
    NONE = "none"  # not testable


Number = Decimal | int


@dataclass(frozen=True)
class Comparison:
    """A figure against its comparison figure, with every derived number, unrounded.

    ``percent_change`` is for counts and ``points`` for percentages and rates: exactly one of
    them is set, except that ``percent_change`` is None for a count whose previous value is 0.
    """

    current: Decimal
    previous: Decimal
    difference: Decimal
    percent_change: Decimal | None
    points: Decimal | None
    direction: Direction
    judgement: Judgement
    z: Decimal | None
    significant: bool | None
    method: Method


def difference(current: Number, previous: Number) -> Decimal:
    return _CONTEXT.subtract(_decimal(current), _decimal(previous))


def percent_change(current: Number, previous: Number) -> Decimal | None:
    """(current − previous) / |previous| × 100, unrounded; None when previous is 0.

    Dividing by |previous| keeps the sign of the change right for negative previous values.
    """
    previous = _decimal(previous)
    if previous == 0:
        return None
    change = _CONTEXT.multiply(difference(current, previous), HUNDRED)
    return _CONTEXT.divide(change, previous.copy_abs())


def ratio(numerator: Number, denominator: Number, factor: Number = HUNDRED) -> Decimal | None:
    """numerator / denominator × factor, unrounded; None when the denominator is 0."""
    denominator = _decimal(denominator)
    if denominator == 0:
        return None
    return _CONTEXT.divide(_CONTEXT.multiply(_decimal(numerator), _decimal(factor)), denominator)


def direction(*, change: Decimal | None, absolute: Decimal, band: Decimal) -> Direction:
    """Which way a figure moved, treating a move within ``band`` as no real change.

    ``change`` is the % change for counts or the point difference for percentages, compared
    unrounded with the band (inclusive). When it is None (the previous count was 0) there is no
    percentage to compare, so the sign of ``absolute`` decides.
    """
    if change is None:
        change = _decimal(absolute)
    elif _decimal(change).copy_abs() <= _decimal(band):
        return Direction.NO_REAL_CHANGE
    if change > 0:
        return Direction.UP
    if change < 0:
        return Direction.DOWN
    return Direction.NO_REAL_CHANGE


def judgement(direction: Direction, polarity: Polarity) -> Judgement:
    """Whether a move is good news, from the measure's polarity; never entered by hand."""
    if Polarity(polarity) is Polarity.MONITOR:
        return Judgement.MONITOR_ONLY
    direction = Direction(direction)
    if direction is Direction.NO_REAL_CHANGE:
        return Judgement.NO_REAL_CHANGE
    rose = direction is Direction.UP
    wanted_rise = Polarity(polarity) is Polarity.HIGHER_IS_BETTER
    return Judgement.BETTER if rose == wanted_rise else Judgement.WORSE


def poisson_z(current: Number, previous: Number) -> Decimal:
    """z = √2 · (√current − √previous) for two counts, positive when the count rose.

    The square root stabilises a Poisson count's variance (Var √X ≈ 1/4). Both counts are
    observed, each with its own chance variation, so the difference of the roots has variance
    about 1/2, and dividing by √(1/2) gives a standard normal z. (Treating last year's count as
    a fixed expected level, 2(√c − √p), would overstate significance by a factor of √2.)
    """
    current, previous = _decimal(current), _decimal(previous)
    if current < 0 or previous < 0:
        raise ValueError("A Poisson test needs counts of zero or more")
    root_difference = _CONTEXT.subtract(_CONTEXT.sqrt(current), _CONTEXT.sqrt(previous))
    return _CONTEXT.multiply(_CONTEXT.sqrt(2), root_difference)


def two_proportion_z(p1: Decimal, n1: int, p2: Decimal, n2: int) -> Decimal | None:
    """Pooled two-proportion z for percentages ``p1`` (current) and ``p2`` (previous), 0–100.

    z = (p̂1 − p̂2) / √(p̂(1 − p̂)(1/n1 + 1/n2)), p̂ the pooled proportion; positive when p1 > p2.
    None when it cannot be computed: a base of 0, or a pooled proportion of 0 or 1 (no spread).
    """
    p1, p2 = _decimal(p1), _decimal(p2)
    if not (0 <= p1 <= HUNDRED and 0 <= p2 <= HUNDRED):
        raise ValueError("A two-proportion test needs percentages between 0 and 100")
    if n1 < 0 or n2 < 0:
        raise ValueError("A two-proportion test needs bases of zero or more")
    if n1 == 0 or n2 == 0:
        return None
    c = _CONTEXT
    share1, share2 = c.divide(p1, HUNDRED), c.divide(p2, HUNDRED)
    pooled = c.divide(c.add(c.multiply(share1, n1), c.multiply(share2, n2)), n1 + n2)
    if pooled <= 0 or pooled >= 1:
        return None
    spread = c.multiply(
        c.multiply(pooled, c.subtract(1, pooled)),
        c.add(c.divide(1, Decimal(n1)), c.divide(1, Decimal(n2))),
    )
    return c.divide(c.subtract(share1, share2), c.sqrt(spread))


def is_significant(z: Decimal | None) -> bool | None:
    """True when |z| ≥ 1.96 (5% level, two-sided); None passes through as "not tested"."""
    if z is None:
        return None
    return z.copy_abs() >= CRITICAL_Z


def compare(
    *,
    current: Decimal,
    previous: Decimal,
    is_proportion: bool,
    band: Decimal,
    polarity: Polarity,
    current_base: int | None = None,
    previous_base: int | None = None,
    counts: bool = True,
) -> Comparison:
    """Compare a figure with its comparison figure: the one entry point models and reports use.

    Percentages and rates (``is_proportion``) move in points and get the two-proportion test
    when both bases (respondents, denominators) are known. Other figures move in per cent and get
    the Poisson test only when ``counts`` is True and both values are whole numbers of zero or
    more: FTE, money and scores are not Poisson counts. Otherwise the method is NONE.
    """
    current, previous = _decimal(current), _decimal(previous)
    absolute = difference(current, previous)
    z: Decimal | None = None
    method = Method.NONE

    if is_proportion:
        change, points = None, absolute
        moved = direction(change=points, absolute=absolute, band=band)
        if (
            current_base is not None
            and previous_base is not None
            and 0 <= current <= HUNDRED
            and 0 <= previous <= HUNDRED
        ):
            z = two_proportion_z(current, current_base, previous, previous_base)
            method = Method.TWO_PROPORTION
    else:
        change, points = percent_change(current, previous), None
        moved = direction(change=change, absolute=absolute, band=band)
        if counts and _is_count(current) and _is_count(previous):
            z = poisson_z(current, previous)
            method = Method.POISSON

    if z is None:
        method = Method.NONE  # the test applied but could not be computed: report it as untested
    return Comparison(
        current=current,
        previous=previous,
        difference=absolute,
        percent_change=change,
        points=points,
        direction=moved,
        judgement=judgement(moved, polarity),
        z=z,
        significant=is_significant(z),
        method=method,
    )


def round_half_away(value: Decimal, places: int) -> Decimal:
    """Round half away from zero (2.25 → 2.3, −2.25 → −2.3): the app's only rounding.

    This is what readers and spreadsheets expect; Python's round() and Decimal's default round
    half to even (2.25 → 2.2), which would make printed figures disagree with hand checks.
    """
    return _DISPLAY.quantize(_decimal(value), Decimal(1).scaleb(-places))


def check_ratio(
    value: Decimal, numerator: Number, denominator: Number, factor: Number, places: int
) -> bool:
    """True when a given rate agrees with numerator / denominator × factor as printed.

    The computed ratio is rounded half away to the places the value was given to (at least the
    measure's ``places``), so 13.5 agrees with 459 / 3,398 × 100 = 13.5079… but 13.7 does not.
    Trailing zeros do not count as places, because a database DecimalField pads them.
    """
    computed = ratio(numerator, denominator, factor)
    if computed is None:
        return False
    value = _decimal(value)
    places = max(places, _given_places(value))
    return round_half_away(computed, places) == value


def check_sum(total: Number, parts: Iterable[Number], places: int) -> bool:
    """True when a given total agrees with the sum of its parts, rounded as the total is printed."""
    total = _decimal(total)
    summed = Decimal(0)
    for part in parts:
        summed = _CONTEXT.add(summed, _decimal(part))
    places = max(places, _given_places(total))
    return round_half_away(summed, places) == total


def _decimal(value: Number) -> Decimal:
    """Accept Decimal and int; refuse float (binary fractions) and bool (not a number here)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"Expected a Decimal or an int, got {type(value).__name__}: {value!r}")


def _is_count(value: Decimal) -> bool:
    return value.is_finite() and value >= 0 and value == value.to_integral_value()


def _given_places(value: Decimal) -> int:
    if not value.is_finite():
        return 0
    return max(0, -value.normalize(_CONTEXT).as_tuple().exponent)
