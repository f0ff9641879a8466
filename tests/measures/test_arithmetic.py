"""Arithmetic rules, checked against the seed report's own figures (Q3 2020/21, West Yorkshire).

Each expected value is worked by hand in a comment, so a reader can check the rule, not the code.
Where the seed printed something else, the comment says what it printed.
"""

import decimal
from decimal import Decimal as D

import pytest

from measures.arithmetic import (
    CRITICAL_Z,
    Comparison,
    Direction,
    Judgement,
    Method,
    Polarity,
    check_ratio,
    check_sum,
    compare,
    difference,
    direction,
    is_significant,
    judgement,
    percent_change,
    poisson_z,
    ratio,
    round_half_away,
    two_proportion_z,
)

LOWER = Polarity.LOWER_IS_BETTER
HIGHER = Polarity.HIGHER_IS_BETTER


# Counts: the seed's headline measures ---------------------------------------------------------


def test_total_recorded_crime_fell_by_33188_which_is_better():
    # 12 months to Dec 2019: 292,070; to Dec 2020: 258,882.
    # difference = 258,882 − 292,070 = −33,188
    # % change   = −33,188 / 292,070 × 100 = −11.36302…%, printed −11.4%
    # z = √2(√258,882 − √292,070) = 1.41421… × (508.80448… − 540.43500…) = −44.73232…
    # |z| ≥ 1.96, so significant.
    result = compare(
        current=D(258882), previous=D(292070), is_proportion=False, band=D(1), polarity=LOWER
    )
    assert result.difference == D(-33188)
    assert round_half_away(result.percent_change, 5) == D("-11.36303")
    assert round_half_away(result.percent_change, 1) == D("-11.4")
    assert result.points is None
    assert result.direction is Direction.DOWN
    assert result.judgement is Judgement.BETTER
    assert result.method is Method.POISSON
    assert round_half_away(result.z, 3) == D("-44.732")
    assert result.significant is True


def test_knife_enabled_crime_fell_by_ten_per_cent_not_rose():
    # 2,487 → 2,237: −250; −250 / 2,487 × 100 = −10.0522…%, printed −10.1%
    # (the seed printed "10.1%" without the minus sign).
    result = compare(
        current=D(2237), previous=D(2487), is_proportion=False, band=D(1), polarity=LOWER
    )
    assert result.difference == D(-250)
    assert round_half_away(result.percent_change, 1) == D("-10.1")
    assert result.direction is Direction.DOWN
    assert result.judgement is Judgement.BETTER


def test_liaison_and_diversion_screenings_went_down_not_up():
    # YTD-2019-12: 2,400; YTD-2020-12: 2,200. −200; −200 / 2,400 × 100 = −8.333…%, printed −8.3%
    # (the seed's table had the columns swapped and printed "200 ↑").
    result = compare(
        current=D(2200), previous=D(2400), is_proportion=False, band=D(1), polarity=HIGHER
    )
    assert result.difference == D(-200)
    assert round_half_away(result.percent_change, 1) == D("-8.3")
    assert result.direction is Direction.DOWN
    assert result.judgement is Judgement.WORSE


def test_asb_incidents_rose_which_is_worse():
    # 45,290 → 52,475: +7,185; 7,185 / 45,290 × 100 = 15.8644…%, printed +15.9%
    result = compare(
        current=D(52475), previous=D(45290), is_proportion=False, band=D(1), polarity=LOWER
    )
    assert result.difference == D(7185)
    assert round_half_away(result.percent_change, 1) == D("15.9")
    assert result.direction is Direction.UP
    assert result.judgement is Judgement.WORSE
    assert result.significant is True


def test_cse_offences_rising_2_3_per_cent_is_up_with_a_one_per_cent_band():
    # 614 → 628: +14; 14 / 614 × 100 = 2.2801…%; |2.28| > 1, so up (and worse: lower is better).
    result = compare(
        current=D(628), previous=D(614), is_proportion=False, band=D(1), polarity=LOWER
    )
    assert result.difference == D(14)
    assert round_half_away(result.percent_change, 1) == D("2.3")
    assert result.direction is Direction.UP
    assert result.judgement is Judgement.WORSE


def test_cse_offences_rising_2_3_per_cent_is_no_real_change_with_a_five_per_cent_band():
    # |2.28| ≤ 5, so no real change: the seed's "↔" follows from a wider band, not from hand entry.
    result = compare(
        current=D(628), previous=D(614), is_proportion=False, band=D(5), polarity=LOWER
    )
    assert result.direction is Direction.NO_REAL_CHANGE
    assert result.judgement is Judgement.NO_REAL_CHANGE


def test_cse_change_is_not_significant():
    # z = √2(√628 − √614) = 1.41421… × (25.05993… − 24.77902…) = 0.39727…; |z| < 1.96.
    result = compare(
        current=D(628), previous=D(614), is_proportion=False, band=D(1), polarity=LOWER
    )
    assert round_half_away(result.z, 3) == D("0.397")
    assert result.significant is False


def test_a_small_count_change_is_not_significant():
    # Homicide (non-domestic), victim under 25: 6 → 7.
    # z = √2(√7 − √6) = 1.41421… × (2.64575… − 2.44949…) = 0.27756…; |z| < 1.96.
    result = compare(current=D(7), previous=D(6), is_proportion=False, band=D(1), polarity=LOWER)
    assert round_half_away(result.z, 4) == D("0.2776")
    assert result.significant is False
    assert result.direction is Direction.UP  # +16.7% is outside the band: up, but not significant


# Percentages: points, not per cent -------------------------------------------------------------


@pytest.mark.parametrize(
    ("area", "previous", "current", "points"),
    [
        ("West Yorkshire", "9.2", "8.8", "-0.4"),  # 8.8 − 9.2 = −0.4 (the seed printed −0.3%)
        ("Kirklees", "7.9", "7.7", "-0.2"),  # 7.7 − 7.9 = −0.2 (the seed printed −0.1%)
        ("Leeds", "9.8", "8.2", "-1.6"),  # 8.2 − 9.8 = −1.6 (the seed agrees)
        ("Bradford", "7.8", "8.6", "0.8"),  # 8.6 − 7.8 = +0.8 (the seed agrees)
    ],
)
def test_domestic_abuse_positive_outcome_rate_difference_is_in_percentage_points(
    area, previous, current, points
):
    result = compare(
        current=D(current), previous=D(previous), is_proportion=True, band=D("0.1"), polarity=HIGHER
    )
    assert result.points == D(points)
    assert result.difference == D(points)
    assert result.percent_change is None


def test_positive_outcome_rate_fall_is_worse_when_higher_is_better():
    result = compare(
        current=D("8.8"), previous=D("9.2"), is_proportion=True, band=D("0.1"), polarity=HIGHER
    )
    assert result.direction is Direction.DOWN
    assert result.judgement is Judgement.WORSE
    assert result.method is Method.NONE  # no bases given: not tested
    assert result.z is None
    assert result.significant is None


def test_victim_satisfaction_rose_2_3_points_which_is_significant():
    # 75.1% → 77.4% on 9,240 respondents each (the seed's text says "2.4 percentage points").
    # points = 77.4 − 75.1 = +2.3
    # pooled p = (0.774 × 9,240 + 0.751 × 9,240) / 18,480 = (0.774 + 0.751) / 2 = 0.7625
    # p(1 − p) = 0.7625 × 0.2375 = 0.18109375
    # 1/n1 + 1/n2 = 2 / 9,240 = 0.000216450…
    # SE = √(0.18109375 × 0.000216450…) = √0.0000391977… = 0.00626081…
    # z = (0.774 − 0.751) / 0.00626081… = 0.023 / 0.00626081… = 3.67364…; ≥ 1.96, significant.
    result = compare(
        current=D("77.4"),
        previous=D("75.1"),
        is_proportion=True,
        band=D("0.5"),
        polarity=HIGHER,
        current_base=9240,
        previous_base=9240,
    )
    assert result.points == D("2.3")
    assert result.direction is Direction.UP
    assert result.judgement is Judgement.BETTER
    assert result.method is Method.TWO_PROPORTION
    assert round_half_away(result.z, 4) == D("3.6736")
    assert result.significant is True


def test_operational_officers_within_half_a_point_is_no_real_change():
    # 89.6% → 90.0%: +0.4 points; |0.4| ≤ 0.5, so no real change (the seed's "↔").
    result = compare(
        current=D("90.0"), previous=D("89.6"), is_proportion=True, band=D("0.5"), polarity=HIGHER
    )
    assert result.points == D("0.4")
    assert result.direction is Direction.NO_REAL_CHANGE
    assert result.judgement is Judgement.NO_REAL_CHANGE


def test_a_change_exactly_on_the_band_is_no_real_change():
    assert direction(change=D("0.5"), absolute=D("0.5"), band=D("0.5")) is Direction.NO_REAL_CHANGE


def test_a_rate_outside_zero_to_a_hundred_is_not_tested_as_a_proportion():
    # A rate per 1,000 with bases is still a point difference, but not a percentage to test.
    result = compare(
        current=D("130"),
        previous=D("120"),
        is_proportion=True,
        band=D(1),
        polarity=LOWER,
        current_base=1000,
        previous_base=1000,
    )
    assert result.points == D(10)
    assert result.method is Method.NONE


def test_a_percentage_of_100_on_both_sides_cannot_be_tested():
    result = compare(
        current=D(100),
        previous=D(100),
        is_proportion=True,
        band=D(1),
        polarity=HIGHER,
        current_base=50,
        previous_base=60,
    )
    assert result.z is None
    assert result.method is Method.NONE
    assert result.significant is None


# Polarity and judgement ------------------------------------------------------------------------


def test_monitor_only_polarity_is_monitor_only_even_when_up():
    result = compare(
        current=D(52475),
        previous=D(45290),
        is_proportion=False,
        band=D(1),
        polarity=Polarity.MONITOR,
    )
    assert result.direction is Direction.UP
    assert result.judgement is Judgement.MONITOR_ONLY


@pytest.mark.parametrize(
    ("moved", "polarity", "expected"),
    [
        (Direction.UP, HIGHER, Judgement.BETTER),
        (Direction.UP, LOWER, Judgement.WORSE),
        (Direction.DOWN, HIGHER, Judgement.WORSE),
        (Direction.DOWN, LOWER, Judgement.BETTER),
        (Direction.NO_REAL_CHANGE, HIGHER, Judgement.NO_REAL_CHANGE),
        (Direction.NO_REAL_CHANGE, LOWER, Judgement.NO_REAL_CHANGE),
        (Direction.NO_REAL_CHANGE, Polarity.MONITOR, Judgement.MONITOR_ONLY),
        (Direction.DOWN, Polarity.MONITOR, Judgement.MONITOR_ONLY),
    ],
)
def test_judgement_follows_direction_and_polarity(moved, polarity, expected):
    assert judgement(moved, polarity) is expected


def test_judgement_accepts_stored_strings():
    assert judgement("down", "lower") is Judgement.BETTER


# Previous value zero ---------------------------------------------------------------------------


def test_percent_change_from_zero_is_none():
    assert percent_change(D(5), D(0)) is None


def test_a_rise_from_zero_takes_its_direction_from_the_sign_of_the_difference():
    result = compare(current=D(5), previous=D(0), is_proportion=False, band=D(1), polarity=LOWER)
    assert result.percent_change is None
    assert result.difference == D(5)
    assert result.direction is Direction.UP
    assert result.judgement is Judgement.WORSE
    # z = 2(√5 − √0) = 4.47213…: significant.
    assert result.significant is True


def test_zero_to_zero_is_no_real_change():
    assert direction(change=None, absolute=D(0), band=D(1)) is Direction.NO_REAL_CHANGE


def test_a_fall_to_zero_from_zero_previous_uses_the_sign():
    assert direction(change=None, absolute=D(-3), band=D(1)) is Direction.DOWN


# Basic operations ------------------------------------------------------------------------------


def test_difference_is_current_minus_previous():
    assert difference(D(258882), D(292070)) == D(-33188)


def test_percent_change_is_unrounded():
    # −200 / 2,400 × 100 = −8.3333… to 28 significant digits.
    assert percent_change(D(2200), D(2400)) == D("-8.333333333333333333333333333")


def test_percent_change_divides_by_the_size_of_a_negative_previous_value():
    # −50 → −25 is a rise of 25 on a base of 50: +50%.
    assert percent_change(D(-25), D(-50)) == D(50)


def test_ratio_of_repeat_missing_adults_is_13_5_per_cent():
    # 459 / 3,398 × 100 = 13.50794…
    assert round_half_away(ratio(459, 3398), 5) == D("13.50795")


def test_ratio_with_a_factor_of_a_thousand():
    # 30 per 1,000: 45 / 1,500 × 1,000 = 30.
    assert ratio(D(45), D(1500), factor=D(1000)) == D(30)


def test_ratio_with_a_zero_denominator_is_none():
    assert ratio(D(5), D(0)) is None


def test_floats_are_refused_because_they_are_binary_fractions():
    with pytest.raises(TypeError):
        difference(0.1, D(0))  # type: ignore[arg-type]


def test_the_callers_decimal_context_does_not_change_results():
    with decimal.localcontext() as context:
        context.prec = 3
        context.rounding = decimal.ROUND_DOWN
        assert round_half_away(percent_change(D(258882), D(292070)), 2) == D("-11.36")


def test_comparison_is_a_frozen_record():
    result = compare(current=D(1), previous=D(2), is_proportion=False, band=D(1), polarity=LOWER)
    assert isinstance(result, Comparison)
    with pytest.raises(AttributeError):
        result.z = D(0)  # type: ignore[misc]


# Significance tests ---------------------------------------------------------------------------


def test_poisson_z_is_positive_when_the_count_rose():
    # √2(√16 − √9) = √2(4 − 3) = √2
    assert poisson_z(16, 9) == D(2).sqrt()
    assert poisson_z(9, 16) == -D(2).sqrt()


def test_poisson_z_refuses_negative_counts():
    with pytest.raises(ValueError):
        poisson_z(-1, 4)


def test_two_proportion_z_is_positive_when_the_current_percentage_is_higher():
    assert two_proportion_z(D("77.4"), 9240, D("75.1"), 9240) > 0
    assert two_proportion_z(D("75.1"), 9240, D("77.4"), 9240) < 0


def test_two_proportion_z_with_unequal_bases():
    # 60% of 200 vs 50% of 300: pooled = (120 + 150) / 500 = 0.54; p(1 − p) = 0.2484
    # 1/200 + 1/300 = 0.0083333…; SE = √(0.2484 × 0.0083333…) = √0.00207 = 0.0454972…
    # z = 0.10 / 0.0454972… = 2.19793…
    assert round_half_away(two_proportion_z(D(60), 200, D(50), 300), 4) == D("2.1979")


@pytest.mark.parametrize(
    ("p1", "n1", "p2", "n2"),
    [
        (D(50), 0, D(40), 100),  # no respondents this time
        (D(50), 100, D(40), 0),  # no respondents last time
        (D(0), 100, D(0), 100),  # pooled 0: no spread
        (D(100), 100, D(100), 80),  # pooled 1: no spread
    ],
)
def test_two_proportion_z_is_none_when_it_cannot_be_computed(p1, n1, p2, n2):
    assert two_proportion_z(p1, n1, p2, n2) is None


def test_two_proportion_z_refuses_a_value_that_is_not_a_percentage():
    with pytest.raises(ValueError):
        two_proportion_z(D(101), 10, D(50), 10)


def test_significance_is_at_1_96():
    assert CRITICAL_Z == D("1.96")
    assert is_significant(D("1.96")) is True
    assert is_significant(D("-1.96")) is True
    assert is_significant(D("1.95")) is False
    assert is_significant(None) is None


def test_fte_is_not_tested_as_a_poisson_count():
    result = compare(
        current=D("197.34"),
        previous=D("190.10"),
        is_proportion=False,
        band=D(1),
        polarity=Polarity.MONITOR,
    )
    assert result.method is Method.NONE
    assert result.z is None


def test_whole_numbers_that_are_not_counts_are_not_tested_when_the_caller_says_so():
    result = compare(
        current=D(4000000),
        previous=D(2630000),
        is_proportion=False,
        band=D(1),
        polarity=HIGHER,
        counts=False,
    )
    assert result.method is Method.NONE
    assert result.significant is None


def test_a_count_stored_with_trailing_decimal_zeros_is_still_a_count():
    result = compare(
        current=D("628.00"), previous=D("614.00"), is_proportion=False, band=D(1), polarity=LOWER
    )
    assert result.method is Method.POISSON


# Rounding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("2.25", 1, "2.3"),  # half away from zero; Python's round() would give 2.2
        ("-2.25", 1, "-2.3"),
        ("0.05", 1, "0.1"),
        ("2.35", 1, "2.4"),
        ("2.24999", 1, "2.2"),
        ("-11.36302941", 1, "-11.4"),
        ("258882", 0, "258882"),
        ("0.5", 0, "1"),
        ("-0.5", 0, "-1"),
        ("197.345", 2, "197.35"),
        ("1250", -2, "1.3E+3"),  # to the nearest hundred
    ],
)
def test_rounding_is_half_away_from_zero(value, places, expected):
    assert round_half_away(D(value), places) == D(expected)


def test_rounding_gives_the_places_asked_for():
    assert str(round_half_away(D(90), 1)) == "90.0"


# Data-quality checks ---------------------------------------------------------------------------


def test_check_ratio_accepts_the_printed_repeat_missing_rate():
    # 459 / 3,398 × 100 = 13.5079… → 13.5 at one place: agrees with the printed 13.5.
    assert check_ratio(D("13.5"), 459, 3398, 100, 1)


def test_check_ratio_rejects_a_mistyped_rate():
    assert not check_ratio(D("13.7"), 459, 3398, 100, 1)


def test_check_ratio_uses_the_places_the_value_was_given_to():
    # Given as 13.51: at two places 13.5079… → 13.51, agrees; 13.52 does not.
    # Given as 13.508: at three places 13.50794… → 13.508, agrees.
    assert check_ratio(D("13.51"), 459, 3398, 100, 1)
    assert not check_ratio(D("13.52"), 459, 3398, 100, 1)
    assert check_ratio(D("13.508"), 459, 3398, 100, 1)


def test_check_ratio_treats_a_trailing_zero_as_no_extra_place():
    # 13.50 is read as 13.5, so it agrees at one place; a typed "13.50" cannot be told from padding.
    assert check_ratio(D("13.50"), 459, 3398, 100, 1)


def test_check_ratio_ignores_database_padding():
    # A DecimalField returns 13.500000; it was typed as 13.5 and must still agree.
    assert check_ratio(D("13.500000"), 459, 3398, 100, 1)


def test_check_ratio_uses_at_least_the_measures_places():
    # Given as 14 for a measure shown to one place: 13.5 ≠ 14.
    assert not check_ratio(D(14), 459, 3398, 100, 1)


def test_check_ratio_with_a_zero_denominator_does_not_agree():
    assert not check_ratio(D(0), 0, 0, 100, 1)


def test_check_sum_accepts_the_seed_total():
    # 710 + 281 + 424 + 321 + 614 = 2,350
    assert check_sum(D(2350), [710, 281, 424, 321, 614], 0)


def test_check_sum_rejects_a_wrong_total():
    assert not check_sum(D(2351), [710, 281, 424, 321, 614], 0)


def test_check_sum_of_percentages_agrees_after_rounding():
    # 33.33 + 33.33 + 33.34 = 100.00; 33.3 + 33.3 + 33.3 = 99.9 → rounds to 100 at 0 places.
    assert check_sum(D(100), [D("33.33"), D("33.33"), D("33.34")], 0)
    assert check_sum(D(100), [D("33.3"), D("33.3"), D("33.3")], 0)
    assert not check_sum(D("100.0"), [D("33.3"), D("33.3"), D("33.3")], 1)
