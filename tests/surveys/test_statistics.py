"""Confidence intervals, "too few responses" and the test of a change, against hand-worked values.

Working for the Wilson interval (z = 1.96, z² = 3.8416), e.g. 50% of 100:
    1 + z²/n = 1.038416;  centre = (0.5 + 0.019208) / 1.038416 = 0.5
    half-width = 1.96 / 1.038416 × √(0.25/100 + 3.8416/40,000) = 1.887495 × 0.050951 = 0.096171
    so 40.38% to 59.62% (the normal approximation would give 40.20% to 59.80%).
"""

from decimal import Decimal as D

import pytest

from measures.arithmetic import round_half_away
from surveys import statistics
from surveys.statistics import Mark


def interval(percentage, base):
    found = statistics.wilson_interval(D(percentage), base)
    return round_half_away(found.low, 2), round_half_away(found.high, 2)


def test_the_interval_of_half_of_a_hundred_is_40_38_to_59_62():
    assert interval("50", 100) == (D("40.38"), D("59.62"))


def test_victim_satisfaction_of_77_4_percent_on_9240_is_sure_to_within_a_point():
    # centre = (0.774 + 0.00020788) / 1.00041576 = 0.773886; half-width = 0.0085272
    assert interval("77.4", 9240) == (D("76.54"), D("78.24"))
    assert interval("75.1", 9240) == (D("74.21"), D("75.97"))


def test_feeling_safe_86_percent_of_1039_respondents():
    assert interval("86", 1039) == (D("83.76"), D("87.98"))


def test_the_interval_of_nobody_stays_inside_0_to_100():
    # The normal approximation gives 0 ± 0, which claims certainty; Wilson gives 0% to 6.02%.
    assert interval("0", 60) == (D("0.00"), D("6.02"))
    assert interval("100", 60) == (D("93.98"), D("100.00"))


def test_no_interval_without_respondents():
    assert statistics.wilson_interval(D("50"), 0) is None


def test_a_base_under_50_is_too_few_responses_and_gets_no_interval():
    estimate = statistics.estimate(D("79"), 49)
    assert estimate.too_few
    assert not estimate.shown
    assert estimate.interval is None


def test_a_base_of_exactly_50_is_shown():
    estimate = statistics.estimate(D("79"), 50)
    assert not estimate.too_few
    assert estimate.shown
    assert estimate.interval is not None


def test_an_unknown_base_is_shown_without_an_interval():
    estimate = statistics.estimate(D("79"), None)
    assert estimate.shown and not estimate.too_few
    assert estimate.interval is None


def test_a_figure_that_is_not_a_share_gets_no_interval():
    assert statistics.estimate(D("28"), 500, proportion=False).interval is None


def test_victim_satisfaction_up_2_3_points_on_9240_a_year_is_a_significant_increase():
    # Pooled p = (0.774 + 0.751) / 2 = 0.7625; se = √(0.7625 × 0.2375 × 2/9240) = 0.0062604;
    # z = 0.023 / 0.0062604 = 3.674. The seed printed "2.4 points"; the change is 2.3.
    change = statistics.change(statistics.estimate(D("77.4"), 9240), statistics.estimate(D("75.1"), 9240))
    assert change.points == D("2.3")
    assert round_half_away(change.z, 2) == D("3.67")
    assert change.significant is True
    assert change.mark is Mark.SIGNIFICANT_INCREASE


def test_a_rise_of_2_5_points_on_200_a_wave_is_not_significant():
    # Pooled p = 0.5075; se = √(0.5075 × 0.4925 × 2/200) = 0.049994; z = 0.025 / 0.049994 = 0.50.
    change = statistics.change(statistics.estimate(D("52"), 200), statistics.estimate(D("49.5"), 200))
    assert change.points == D("2.5")
    assert round_half_away(change.z, 2) == D("0.50")
    assert change.significant is False
    assert change.mark is Mark.NO_SIGNIFICANT_CHANGE


def test_a_fall_in_feeling_safe_from_86_to_79_on_1039_a_wave_is_a_significant_decrease():
    change = statistics.change(statistics.estimate(D("79"), 1039), statistics.estimate(D("86"), 1039))
    assert change.points == D("-7")
    assert round_half_away(change.z, 2) == D("-4.20")
    assert change.mark is Mark.SIGNIFICANT_DECREASE


def test_a_change_with_an_unknown_base_is_not_tested_rather_than_not_significant():
    change = statistics.change(statistics.estimate(D("79"), None), statistics.estimate(D("86"), 1039))
    assert change.points == D("-7")
    assert change.z is None and change.significant is None
    assert change.mark is Mark.NOT_TESTED


def test_no_change_is_worked_out_from_a_suppressed_figure():
    assert statistics.change(statistics.estimate(D("79"), 30), statistics.estimate(D("86"), 1039)) is None
    assert statistics.change(statistics.estimate(None, 100), statistics.estimate(D("86"), 1039)) is None


def test_a_group_total_is_the_sum_of_its_options():
    assert statistics.group_total([D("12"), D("34")]) == D("46")


def test_a_group_total_needs_every_option():
    assert statistics.group_total([D("12"), None]) is None
    assert statistics.group_total([]) is None


@pytest.mark.parametrize(("figures", "tolerance"), [
    (["20", "30", "50"], "1.5"),
    (["49.5", "36.6"], "0.10"),
    (["86.10"], "0.05"),  # a padded zero is still one decimal place
])
def test_the_rounding_tolerance_is_half_a_unit_of_each_figures_last_place(figures, tolerance):
    assert statistics.rounding_tolerance([D(figure) for figure in figures]) == D(tolerance)
