"""Template filters that print measures and results through measures/presenters.py.

Templates call these and do no arithmetic of their own: every number is formatted (and rounded,
once) by the presenters, and a missing figure prints as "not available" or "no comparison yet",
never as 0. The words for polarity, units, comparison bases and test methods live here too.
"""

from django import template
from django.utils.html import format_html

from measures import presenters
from measures.arithmetic import Method, Polarity
from measures.models import Result
from measures.periods import Basis

register = template.Library()

NO_COMPARISON = "no comparison yet"
NOT_TESTED = "not tested"

POLARITY_TEXT = {
    Polarity.LOWER_IS_BETTER: "a fall is good",
    Polarity.HIGHER_IS_BETTER: "a rise is good",
    Polarity.MONITOR: "monitored only",
}
UNIT_TEXT = {
    presenters.Unit.COUNT: "count",
    presenters.Unit.PERCENTAGE: "percentage",
    presenters.Unit.RATE: "rate",
    presenters.Unit.FTE: "full-time equivalent (FTE)",
    presenters.Unit.SCORE: "score",
    presenters.Unit.MONEY: "pounds (£)",
}
BASIS_TEXT = {
    Basis.TWELVE_MONTHS: "12 months, compared with the same 12 months a year earlier",
    Basis.YEAR_TO_DATE: "financial year to date, compared with the same months a year earlier",
    Basis.QUARTER: "quarter, compared with the same quarter a year earlier",
    Basis.FINANCIAL_YEAR: "financial year, compared with the year before",
    Basis.SNAPSHOT: "figure at a date, compared with the same date a year earlier",
    Basis.PREVIOUS_WAVE: "survey wave, compared with the wave before",
}
METHOD_TEXT = {
    Method.POISSON: (
        "Counts: a Poisson test, z = √2 × (√current − √previous). A change is significant when "
        "|z| is at least 1.96 (the 5% level, two-sided)."
    ),
    Method.TWO_PROPORTION: (
        "Percentages with known bases (respondents or denominators): a pooled two-proportion "
        "z test. A change is significant when |z| is at least 1.96 (the 5% level, two-sided)."
    ),
    Method.NONE: (
        "No test: the figures are not counts, or the bases behind the percentages are not "
        "known, so whether a change is significant is unknown (not “not significant”)."
    ),
}


@register.filter
def polarity_text(measure) -> str:
    """"a fall is good", "a rise is good" or "monitored only"."""
    return POLARITY_TEXT[Polarity(measure.polarity)]


@register.filter
def unit_text(measure) -> str:
    return UNIT_TEXT[presenters.Unit(measure.unit)]


@register.filter
def basis_text(measure) -> str:
    return BASIS_TEXT[Basis(measure.comparison)]


@register.filter
def band_text(measure) -> str:
    """The "no real change" band in the units its comparison uses (points or per cent)."""
    band = presenters.format_value(
        measure.band, unit=presenters.Unit.SCORE, decimals=_places(measure.band)
    )
    if measure.is_proportion:
        return f"a change of {band} {'point' if band == '1' else 'points'} or less"
    return f"a change of {band}% or less"


@register.filter
def method_text(method) -> str:
    return METHOD_TEXT[Method(method)]


@register.filter
def measure_value(value, measure) -> str:
    """A figure in the measure's unit and decimals; None prints "not available"."""
    return presenters.format_value(value, unit=measure.unit, decimals=measure.decimals)


@register.filter
def current_text(result) -> str:
    return measure_value(result.current, result.measure)


@register.filter
def comparison_text(result) -> str:
    """The comparison figure; a result with none says "no comparison yet", not 0."""
    if result.previous is None and result.status != Result.Status.NOT_AVAILABLE:
        return NO_COMPARISON
    return measure_value(result.previous, result.measure)


@register.filter
def change_text(result) -> str:
    """"−33,188 (−11.4%)", "−0.4 points"; or why there is no change to show."""
    if result.status == Result.Status.NO_COMPARISON:
        return NO_COMPARISON
    if result.status == Result.Status.NOT_AVAILABLE:
        return presenters.NOT_AVAILABLE
    measure = result.measure
    return presenters.format_change(
        difference=result.difference,
        percent_change=result.percent_change,
        points=result.points,
        unit=measure.unit,
        decimals=measure.decimals,
    )


@register.filter
def significance(result) -> str:
    if result.status != Result.Status.COMPARED:
        return ""
    return presenters.significance_text(result.significant, result.method) or NOT_TESTED


@register.filter
def trend(result):
    """The arrow (hidden from screen readers) and its meaning in words, e.g. "↓ down: better"."""
    if result.status == Result.Status.NO_COMPARISON:
        return NO_COMPARISON
    if result.status == Result.Status.NOT_AVAILABLE or not result.direction or not result.judgement:
        return presenters.NOT_AVAILABLE
    return format_html(
        '<span class="app-arrow {}" aria-hidden="true">{}</span> <span class="{}">{}</span>',
        presenters.judgement_css_class(result.judgement),
        presenters.arrow(result.direction),
        presenters.judgement_css_class(result.judgement),
        presenters.direction_text(result.direction, result.judgement),
    )


@register.filter
def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _places(number) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent)
