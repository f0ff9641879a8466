"""Typed survey cells, and how survey figures read: no database needed."""

from decimal import Decimal as D

import pytest

from surveys import presenters, statistics
from surveys.cells import CellError, parse_people, parse_percentage, parse_rank

MINUS = "\u2212"


@pytest.mark.parametrize("typed", ["79", "79%", "79.0", " 79 % ", "79.00"])
def test_a_percentage_may_be_typed_with_or_without_a_sign_or_decimals(typed):
    assert parse_percentage(typed) == D("79")


@pytest.mark.parametrize("typed", ["", "  ", None, "n/a"])
def test_an_empty_percentage_is_none_not_zero(typed):
    assert parse_percentage(typed) is None


@pytest.mark.parametrize(("typed", "message"), [
    ("abc", "“abc” is not a number: enter a percentage like 79 or 79.5"),
    ("101", "101% is not a percentage: enter a number from 0 to 100"),
    ("-1", f"{MINUS}1% is not a percentage: enter a number from 0 to 100"),
    ("79,5", "use a full stop for decimals"),
])
def test_a_bad_percentage_says_what_is_wrong(typed, message):
    with pytest.raises(CellError) as error:
        parse_percentage(typed)
    assert message in str(error.value)


def test_a_base_is_a_whole_number_of_people():
    assert parse_people("1,039") == 1039
    assert parse_people("") is None
    for typed in ["0", "10.5", "12%", "many"]:
        with pytest.raises(CellError, match="is not a whole number of people"):
            parse_people(typed)


def test_a_rank_starts_at_one():
    assert parse_rank("1") == 1
    with pytest.raises(CellError):
        parse_rank("0")


def test_a_figure_under_the_minimum_base_reads_too_few_responses():
    assert presenters.figure_text(D("79"), decimals=0, too_few=True) == "too few responses"
    assert presenters.figure_text(D("79"), decimals=0, too_few=False) == "79%"
    assert presenters.figure_text(D("86.1"), decimals=1, too_few=False) == "86.1%"
    assert presenters.figure_text(None, decimals=0, too_few=False) == "no result"


def test_an_interval_reads_as_a_range_to_one_decimal_place():
    interval = statistics.wilson_interval(D("77.4"), 9240)
    assert presenters.interval_text(interval) == "76.5% to 78.2%"
    assert presenters.interval_text(None) == ""


def test_a_change_reads_in_points_with_its_mark():
    change = statistics.change(statistics.estimate(D("77.4"), 9240), statistics.estimate(D("75.1"), 9240))
    assert presenters.change_text(change, 1) == "+2.3 points"
    assert presenters.mark_text(change) == "significant increase"
    assert presenters.mark_symbol(change) == "▲"


def test_an_untested_change_says_why():
    change = statistics.change(statistics.estimate(D("79"), None), statistics.estimate(D("86"), 1039))
    assert presenters.change_text(change, 0) == f"{MINUS}7 points"
    assert presenters.mark_text(change) == "not tested: a base is not known"
    assert presenters.mark_symbol(change) == ""


def test_a_base_reads_with_thousands_separators():
    assert presenters.base_text(9240) == "9,240"
    assert presenters.base_text(None) == "not known"
