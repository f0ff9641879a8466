"""Presenters are plain functions of plain values: no database, no templates."""

import decimal
from decimal import Decimal as D

import pytest

from measures.arithmetic import Direction, Judgement, Method, Polarity, compare
from measures.presenters import (
    NOT_AVAILABLE,
    Unit,
    arrow,
    direction_text,
    format_change,
    format_value,
    judgement_css_class,
    significance_text,
)

MINUS = "\u2212"


# Values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [
        (D(258882), "count", 0, "258,882"),
        (D(2350), "count", 0, "2,350"),
        (D(614), "count", 0, "614"),
        (D("13.50794585"), "percentage", 1, "13.5%"),
        (D("90"), "percentage", 1, "90.0%"),
        (D("1.75"), "rate", 1, "1.8"),
        (D("197.34"), "fte", 2, "197.34"),
        (D("1234.5"), "fte", 2, "1,234.50"),
        (D("1.75"), "score", 1, "1.8"),
        (D(4000000), "money", 0, "£4,000,000"),
        (D("183750.5"), "money", 2, "£183,750.50"),
    ],
)
def test_values_are_formatted_by_unit(value, unit, decimals, expected):
    assert format_value(value, unit=unit, decimals=decimals) == expected


def test_a_missing_value_is_not_available_never_zero():
    assert format_value(None, unit="count", decimals=0) == "not available" == NOT_AVAILABLE


def test_a_negative_value_has_a_real_minus_sign():
    assert format_value(D(-33188), unit="count", decimals=0) == f"{MINUS}33,188"
    assert format_value(D(-500), unit="money", decimals=0) == f"{MINUS}£500"


def test_values_are_rounded_half_away_from_zero_at_display():
    # 2.25 → 2.3 (Python's round() and Decimal's default give 2.2).
    assert format_value(D("2.25"), unit="rate", decimals=1) == "2.3"
    assert format_value(D("-2.25"), unit="rate", decimals=1) == f"{MINUS}2.3"
    assert format_value(D("0.05"), unit="percentage", decimals=1) == "0.1%"
    assert format_value(D("1234.5"), unit="count", decimals=0) == "1,235"


def test_a_value_that_rounds_to_zero_has_no_sign():
    assert format_value(D("-0.04"), unit="rate", decimals=1) == "0.0"


def test_unit_accepts_the_enum():
    assert format_value(D(5), unit=Unit.PERCENTAGE, decimals=1) == "5.0%"


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        format_value(D(5), unit="furlongs", decimals=0)


def test_formatting_ignores_the_callers_decimal_context():
    with decimal.localcontext() as context:
        context.prec = 2
        assert format_value(D(258882), unit="count", decimals=0) == "258,882"


# Changes --------------------------------------------------------------------------------------


def test_count_change_shows_the_difference_and_the_percentage_change():
    result = compare(
        current=D(258882),
        previous=D(292070),
        is_proportion=False,
        band=D(1),
        polarity=Polarity.LOWER_IS_BETTER,
    )
    text = format_change(
        difference=result.difference,
        percent_change=result.percent_change,
        points=result.points,
        unit="count",
        decimals=0,
    )
    assert text == f"{MINUS}33,188 ({MINUS}11.4%)"


def test_a_rise_has_a_plus_sign():
    # 45,290 → 52,475: +7,185 (+15.9%)
    assert (
        format_change(
            difference=D(7185),
            percent_change=D("15.8644292338"),
            points=None,
            unit="count",
            decimals=0,
        )
        == "+7,185 (+15.9%)"
    )


def test_knife_crime_prints_as_a_fall():
    # The seed printed "-250 10.1%"; −250 / 2,487 = −10.05…%, so the sign is minus on both.
    assert (
        format_change(
            difference=D(-250),
            percent_change=D("-10.0522718"),
            points=None,
            unit="count",
            decimals=0,
        )
        == f"{MINUS}250 ({MINUS}10.1%)"
    )


def test_percentage_difference_is_in_points():
    assert (
        format_change(
            difference=D("-0.4"),
            percent_change=None,
            points=D("-0.4"),
            unit="percentage",
            decimals=1,
        )
        == f"{MINUS}0.4 points"
    )
    assert (
        format_change(
            difference=D("2.3"), percent_change=None, points=D("2.3"), unit="percentage", decimals=1
        )
        == "+2.3 points"
    )


def test_exactly_one_point_is_singular():
    assert (
        format_change(
            difference=D(1), percent_change=None, points=D(1), unit="percentage", decimals=1
        )
        == "+1.0 point"
    )
    assert (
        format_change(
            difference=D(-1), percent_change=None, points=D(-1), unit="percentage", decimals=1
        )
        == f"{MINUS}1.0 point"
    )


def test_no_change_has_no_sign():
    assert (
        format_change(difference=D(0), percent_change=D(0), points=None, unit="count", decimals=0)
        == "0 (0.0%)"
    )
    assert (
        format_change(
            difference=D(0), percent_change=None, points=D(0), unit="percentage", decimals=1
        )
        == "0.0 points"
    )


def test_a_change_from_zero_shows_only_the_difference():
    assert (
        format_change(difference=D(5), percent_change=None, points=None, unit="count", decimals=0)
        == "+5"
    )


def test_a_rate_difference_is_the_signed_difference_without_the_word_points():
    assert (
        format_change(
            difference=D("0.2"), percent_change=None, points=D("0.2"), unit="rate", decimals=1
        )
        == "+0.2"
    )


def test_a_money_change_puts_the_sign_before_the_pound():
    assert (
        format_change(
            difference=D(-1370000),
            percent_change=D("-34.25"),
            points=None,
            unit="money",
            decimals=0,
        )
        == f"{MINUS}£1,370,000 ({MINUS}34.3%)"
    )


def test_no_comparison_is_not_available():
    assert (
        format_change(difference=None, percent_change=None, points=None, unit="count", decimals=0)
        == NOT_AVAILABLE
    )


# Arrows and words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "expected"),
    [(Direction.UP, "↑"), (Direction.DOWN, "↓"), (Direction.NO_REAL_CHANGE, "↔"), ("down", "↓")],
)
def test_arrow_shows_the_direction(direction, expected):
    assert arrow(direction) == expected


@pytest.mark.parametrize(
    ("direction", "judgement", "expected"),
    [
        (Direction.DOWN, Judgement.BETTER, "down: better"),
        (Direction.UP, Judgement.WORSE, "up: worse"),
        (Direction.UP, Judgement.BETTER, "up: better"),
        (Direction.DOWN, Judgement.WORSE, "down: worse"),
        (Direction.NO_REAL_CHANGE, Judgement.NO_REAL_CHANGE, "no real change"),
        (Direction.UP, Judgement.MONITOR_ONLY, "up: monitored only"),
        (Direction.NO_REAL_CHANGE, Judgement.MONITOR_ONLY, "no real change"),
        ("down", "better", "down: better"),
    ],
)
def test_direction_text_says_whether_a_move_is_good_news(direction, judgement, expected):
    assert direction_text(direction, judgement) == expected


@pytest.mark.parametrize(
    ("significant", "method", "expected"),
    [
        (True, Method.POISSON, "significant change"),
        (False, Method.TWO_PROPORTION, "not a significant change"),
        (None, Method.NONE, ""),
        (None, Method.POISSON, ""),
        (True, Method.NONE, ""),
    ],
)
def test_significance_text_is_empty_when_untested(significant, method, expected):
    assert significance_text(significant, method) == expected


@pytest.mark.parametrize(
    ("judgement", "css_class"),
    [
        (Judgement.BETTER, "app-judgement--better"),
        (Judgement.WORSE, "app-judgement--worse"),
        (Judgement.NO_REAL_CHANGE, "app-judgement--no-real-change"),
        (Judgement.MONITOR_ONLY, "app-judgement--monitor-only"),
    ],
)
def test_judgement_css_class_is_a_modifier_class(judgement, css_class):
    assert judgement_css_class(judgement) == css_class


def test_a_whole_seed_row_reads_as_the_corrected_report():
    # Victim satisfaction: 75.1% → 77.4% on 9,240 respondents each.
    result = compare(
        current=D("77.4"),
        previous=D("75.1"),
        is_proportion=True,
        band=D("0.5"),
        polarity=Polarity.HIGHER_IS_BETTER,
        current_base=9240,
        previous_base=9240,
    )
    assert format_value(result.current, unit="percentage", decimals=1) == "77.4%"
    assert (
        format_change(
            difference=result.difference,
            percent_change=result.percent_change,
            points=result.points,
            unit="percentage",
            decimals=1,
        )
        == "+2.3 points"
    )
    assert arrow(result.direction) == "↑"
    assert direction_text(result.direction, result.judgement) == "up: better"
    assert significance_text(result.significant, result.method) == "significant change"
    assert judgement_css_class(result.judgement) == "app-judgement--better"
