import datetime
import pickle

import pytest

from measures.periods import (
    Basis,
    InvalidPeriod,
    Period,
    PeriodKind,
    comparison_period,
    financial_year,
    headline_period,
    month,
    parse_period,
    quarter,
    snapshot,
    twelve_months_to,
    year_to_date,
)

D = datetime.date


# Parsing each kind of code -------------------------------------------------------------------


def test_month_code_covers_the_calendar_month():
    period = parse_period("2020-12")
    assert period.kind is PeriodKind.MONTH
    assert (period.start, period.end) == (D(2020, 12, 1), D(2020, 12, 31))


def test_financial_year_code_runs_april_to_march():
    period = parse_period("2019-20")
    assert period.kind is PeriodKind.FINANCIAL_YEAR
    assert (period.start, period.end) == (D(2019, 4, 1), D(2020, 3, 31))


def test_quarter_three_is_october_to_december():
    period = parse_period("2020-21-Q3")
    assert period.kind is PeriodKind.QUARTER
    assert (period.start, period.end) == (D(2020, 10, 1), D(2020, 12, 31))


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2020-21-Q1", D(2020, 4, 1), D(2020, 6, 30)),
        ("2020-21-Q2", D(2020, 7, 1), D(2020, 9, 30)),
        ("2020-21-Q3", D(2020, 10, 1), D(2020, 12, 31)),
        ("2020-21-Q4", D(2021, 1, 1), D(2021, 3, 31)),
    ],
)
def test_each_quarter_covers_its_three_months(code, start, end):
    period = parse_period(code)
    assert (period.start, period.end) == (start, end)


def test_twelve_months_code_ends_with_its_month():
    period = parse_period("12M-2020-12")
    assert period.kind is PeriodKind.TWELVE_MONTHS
    assert (period.start, period.end) == (D(2020, 1, 1), D(2020, 12, 31))


def test_twelve_months_to_february_spans_two_calendar_years():
    period = parse_period("12M-2021-02")
    assert (period.start, period.end) == (D(2020, 3, 1), D(2021, 2, 28))


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("YTD-2020-12", D(2020, 4, 1), D(2020, 12, 31)),
        ("YTD-2021-02", D(2020, 4, 1), D(2021, 2, 28)),
        ("YTD-2021-03", D(2020, 4, 1), D(2021, 3, 31)),
        ("YTD-2020-04", D(2020, 4, 1), D(2020, 4, 30)),
    ],
)
def test_year_to_date_starts_on_the_first_of_april_of_its_financial_year(code, start, end):
    period = parse_period(code)
    assert period.kind is PeriodKind.YEAR_TO_DATE
    assert (period.start, period.end) == (start, end)


def test_snapshot_code_is_a_single_day():
    period = parse_period("2020-12-31")
    assert period.kind is PeriodKind.SNAPSHOT
    assert period.start == period.end == D(2020, 12, 31)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("2020-21-q3", "2020-21-Q3"),
        ("12m-2020-12", "12M-2020-12"),
        ("ytd-2020-12", "YTD-2020-12"),
        ("  2020-12 \t", "2020-12"),
        (" 2019-20\n", "2019-20"),
    ],
)
def test_parse_accepts_lower_case_and_spaces_and_returns_the_canonical_code(typed, canonical):
    assert parse_period(typed).code == canonical
    assert parse_period(typed) == parse_period(canonical)


# The 2000-01 … 2011-12 ambiguity ------------------------------------------------------------


@pytest.mark.parametrize("code", ["2000-01", "2005-06", "2011-12"])
def test_year_pair_with_consecutive_years_is_always_a_financial_year(code):
    assert parse_period(code).kind is PeriodKind.FINANCIAL_YEAR


def test_2011_12_is_financial_year_2011_12_not_december_2011():
    assert parse_period("2011-12") == financial_year(2011)
    assert parse_period("2011-12").label == "2011/12"


def test_december_2011_exists_but_its_code_reads_back_as_the_financial_year():
    # months() of 2011-12 needs December 2011, so month() builds it; the exchange format cannot
    # carry it, because "2011-12" is the financial year. ADR 0003 records this.
    december = month(2011, 12)
    assert (december.start, december.end) == (D(2011, 12, 1), D(2011, 12, 31))
    assert december in financial_year(2011).months()
    assert parse_period(december.code) == financial_year(2011)


def test_other_months_of_those_years_stay_months():
    assert parse_period("2011-11").kind is PeriodKind.MONTH
    assert parse_period("2012-12").kind is PeriodKind.MONTH


def test_financial_year_crossing_the_century_is_1999_00():
    period = parse_period("1999-00")
    assert (period.start, period.end) == (D(1999, 4, 1), D(2000, 3, 31))
    assert period.label == "1999/00"


# Invalid codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("2020-13", "“2020-13” is not a period code: month 13 does not exist"),
        ("2020-00", "“2020-00” is not a period code: month 0 does not exist"),
        ("2019-21", "“2019-21” is not a financial year: it should be 2019-20"),
        ("2019-19", "“2019-19” is not a financial year: it should be 2019-20"),
        ("2020-21-Q5", "“2020-21-Q5” is not a period code: a financial year has quarters Q1 to Q4"),
        ("2020-21-q0", "“2020-21-q0” is not a period code: a financial year has quarters Q1 to Q4"),
        ("2020-22-Q3", "“2020-22-Q3” is not a quarter: the financial year should be 2020-21"),
        ("2021-02-29", "“2021-02-29” is not a period code: 29 February 2021 does not exist"),
        ("2021-04-31", "“2021-04-31” is not a period code: 31 April 2021 does not exist"),
        ("2021-13-01", "“2021-13-01” is not a period code: month 13 does not exist"),
        ("2021-01-00", "“2021-01-00” is not a period code: day 0 does not exist"),
        ("12M-2020-13", "“12M-2020-13” is not a period code: month 13 does not exist"),
        ("ytd-2020-00", "“ytd-2020-00” is not a period code: month 0 does not exist"),
        ("1899-12", "“1899-12” is not a period code: years must be between 1900 and 2100"),
        ("2101-01-01", "“2101-01-01” is not a period code: years must be between 1900 and 2100"),
    ],
)
def test_invalid_codes_are_refused_with_a_plain_message(code, message):
    with pytest.raises(InvalidPeriod) as raised:
        parse_period(code)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "code",
    [
        "",
        "   ",
        "Dec 2020",
        "2020",
        "2020/21",
        "2020-21-Q",
        "Q3 2020-21",
        "20-12",
        "2020-1",
        "12M-2020",
    ],
)
def test_garbage_is_refused_with_examples_of_valid_codes(code):
    with pytest.raises(InvalidPeriod) as raised:
        parse_period(code)
    assert "2020-21-Q3" in str(raised.value)


def test_invalid_period_is_a_value_error_so_forms_can_catch_it():
    assert issubclass(InvalidPeriod, ValueError)


def test_a_period_code_must_be_text():
    with pytest.raises(InvalidPeriod):
        parse_period(202012)


def test_february_29_in_a_leap_year_is_a_valid_snapshot():
    assert parse_period("2020-02-29").end == D(2020, 2, 29)


# Round trip and caching ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "2020-12",
        "2019-20",
        "2020-21-Q3",
        "12M-2020-12",
        "YTD-2021-02",
        "2020-12-31",
        "1900-01",
        "2100-01",
    ],
)
def test_every_period_reads_back_from_its_own_code(code):
    period = parse_period(code)
    assert period.code == code == str(period)
    assert parse_period(period.code) == period


def test_parse_returns_the_same_cached_object_for_the_same_code():
    assert parse_period("12M-2020-12") is parse_period("12M-2020-12")


def test_periods_are_hashable_and_picklable_for_caches_and_celery():
    period = parse_period("2020-21-Q3")
    assert {period: 1}[quarter(2020, 3)] == 1
    assert pickle.loads(pickle.dumps(period)) == period


def test_periods_of_one_kind_sort_chronologically():
    codes = ["2020-12", "2019-01", "2020-02", "2019-12"]
    assert [p.code for p in sorted(map(parse_period, codes))] == [
        "2019-01",
        "2019-12",
        "2020-02",
        "2020-12",
    ]


# Labels ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("2020-12", "Dec 2020"),
        ("2019-20", "2019/20"),
        ("2020-21-Q3", "Oct – Dec 2020"),
        ("2020-21-Q4", "Jan – Mar 2021"),
        ("12M-2020-12", "12 months to Dec 2020"),
        ("YTD-2020-12", "Apr – Dec 2020"),
        ("YTD-2021-02", "Apr 2020 – Feb 2021"),
        ("YTD-2020-04", "Apr 2020"),
        ("2020-12-31", "31 Dec 2020"),
        ("2020-12-01", "1 Dec 2020"),
        ("2020-09", "Sep 2020"),
    ],
)
def test_label_reads_as_the_report_prints_it(code, label):
    assert parse_period(code).label == label


def test_labels_use_an_en_dash_with_spaces():
    assert "\u2013" in parse_period("2020-21-Q3").label
    assert "-" not in parse_period("YTD-2021-02").label


@pytest.mark.parametrize(
    ("code", "short_label"),
    [
        ("2020-12", "Dec-20"),
        ("2019-20", "2019/20"),
        ("2020-21-Q3", "2020/21 Q3"),
        ("2020-21-Q4", "2020/21 Q4"),
        ("12M-2020-12", "12m to Dec-20"),
        ("YTD-2020-12", "YTD Dec-20"),
        ("2015-12-31", "Dec-15"),
        ("2005-03", "Mar-05"),
    ],
)
def test_short_label_fits_a_column_heading(code, short_label):
    assert parse_period(code).short_label == short_label


# Year earlier and previous -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "earlier"),
    [
        ("12M-2020-12", "12M-2019-12"),
        ("2020-21-Q3", "2019-20-Q3"),
        ("2020-21-Q4", "2019-20-Q4"),
        ("2019-20", "2018-19"),
        ("YTD-2020-12", "YTD-2019-12"),
        ("YTD-2021-02", "YTD-2020-02"),
        ("2020-12", "2019-12"),
        ("2020-12-31", "2019-12-31"),
        ("2020-02-29", "2019-02-28"),
    ],
)
def test_year_earlier_is_the_same_kind_of_period_a_year_before(code, earlier):
    assert parse_period(code).year_earlier() == parse_period(earlier)


def test_year_earlier_than_2012_13_is_the_financial_year_2011_12():
    assert parse_period("2012-13").year_earlier().code == "2011-12"


@pytest.mark.parametrize(
    ("code", "previous"),
    [
        ("2020-12", "2020-11"),
        ("2021-01", "2020-12"),
        ("2020-21-Q3", "2020-21-Q2"),
        ("2020-21-Q1", "2019-20-Q4"),
        ("2019-20", "2018-19"),
        ("12M-2020-12", "12M-2020-11"),
        ("12M-2021-01", "12M-2020-12"),
        ("YTD-2020-12", "YTD-2019-12"),
        ("2020-12-31", "2019-12-31"),
    ],
)
def test_previous_is_the_immediately_preceding_period_of_the_same_kind(code, previous):
    assert parse_period(code).previous() == parse_period(previous)


def test_year_earlier_than_the_first_allowed_year_is_refused():
    with pytest.raises(InvalidPeriod):
        parse_period("1900-05").year_earlier()


# Months, additivity, financial year ----------------------------------------------------------


def test_months_of_a_year_to_date_are_april_onwards_in_order():
    codes = [p.code for p in parse_period("YTD-2021-02").months()]
    assert codes == [
        "2020-04",
        "2020-05",
        "2020-06",
        "2020-07",
        "2020-08",
        "2020-09",
        "2020-10",
        "2020-11",
        "2020-12",
        "2021-01",
        "2021-02",
    ]


def test_months_of_twelve_months_are_twelve_calendar_months():
    months = parse_period("12M-2020-12").months()
    assert len(months) == 12
    assert (months[0].code, months[-1].code) == ("2020-01", "2020-12")


def test_months_of_a_quarter_and_of_a_financial_year():
    assert [p.code for p in parse_period("2020-21-Q4").months()] == [
        "2021-01",
        "2021-02",
        "2021-03",
    ]
    assert len(parse_period("2019-20").months()) == 12


def test_months_of_a_month_is_itself():
    period = parse_period("2020-12")
    assert period.months() == (period,)


def test_a_snapshot_covers_no_months():
    assert parse_period("2020-12-31").months() == ()


def test_only_snapshots_are_not_additive_totals():
    assert not parse_period("2020-12-31").is_additive_total
    for code in ("2020-12", "2019-20", "2020-21-Q3", "12M-2020-12", "YTD-2020-12"):
        assert parse_period(code).is_additive_total


@pytest.mark.parametrize(
    ("code", "fy"),
    [
        ("2020-12", "2020-21"),
        ("2021-03", "2020-21"),
        ("2021-04", "2021-22"),
        ("2020-21-Q4", "2020-21"),
        ("12M-2020-12", "2020-21"),
        ("12M-2021-03", "2020-21"),
        ("YTD-2021-02", "2020-21"),
        ("2019-20", "2019-20"),
        ("2020-03-31", "2019-20"),
        ("2020-04-01", "2020-21"),
        ("1999-12", "1999-00"),
    ],
)
def test_financial_year_is_the_one_the_period_ends_in(code, fy):
    assert parse_period(code).financial_year == fy


# Constructors ---------------------------------------------------------------------------------


def test_constructors_build_the_same_periods_as_their_codes():
    assert month(2020, 12) == parse_period("2020-12")
    assert twelve_months_to(2020, 12) == parse_period("12M-2020-12")
    assert year_to_date(2020, 12) == parse_period("YTD-2020-12")
    assert financial_year(2019) == parse_period("2019-20")
    assert quarter(2020, 3) == parse_period("2020-21-Q3")
    assert snapshot(D(2020, 12, 31)) == parse_period("2020-12-31")


def test_constructors_refuse_impossible_periods():
    with pytest.raises(InvalidPeriod, match="month 13 does not exist"):
        month(2020, 13)
    with pytest.raises(InvalidPeriod, match="Q1 to Q4"):
        quarter(2020, 5)


def test_a_period_is_a_frozen_value():
    period = parse_period("2020-12")
    with pytest.raises(AttributeError):
        period.code = "2020-11"  # type: ignore[misc]
    assert isinstance(period, Period)


# Comparison and headline periods -------------------------------------------------------------


@pytest.mark.parametrize(
    ("basis", "code", "expected"),
    [
        ("12-months", "12M-2020-12", "12M-2019-12"),
        ("year-to-date", "YTD-2020-12", "YTD-2019-12"),
        ("quarter", "2020-21-Q3", "2019-20-Q3"),
        ("financial-year", "2019-20", "2018-19"),
        ("snapshot", "2020-12-31", "2019-12-31"),
    ],
)
def test_comparison_period_is_the_same_period_a_year_earlier(basis, code, expected):
    assert comparison_period(parse_period(code), basis) == parse_period(expected)


def test_previous_wave_comparison_is_left_to_the_caller():
    assert comparison_period(parse_period("2020-10"), "previous-wave") is None


def test_basis_accepts_the_enum_as_well_as_its_string():
    assert comparison_period(parse_period("2019-20"), Basis.FINANCIAL_YEAR) == parse_period(
        "2018-19"
    )


def test_unknown_basis_is_refused():
    with pytest.raises(ValueError):
        comparison_period(parse_period("2020-12"), "monthly")


@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        ("12-months", "12M-2020-12"),
        ("year-to-date", "YTD-2020-12"),
        ("quarter", "2020-21-Q3"),
        ("financial-year", "2019-20"),
        ("snapshot", "2020-12-31"),
        ("previous-wave", "2020-12"),
    ],
)
def test_headline_period_for_the_seed_quarter(basis, expected):
    assert headline_period(parse_period("2020-21-Q3"), basis) == parse_period(expected)


def test_headline_financial_year_in_a_fourth_quarter_report_is_the_year_just_completed():
    assert headline_period(parse_period("2020-21-Q4"), "financial-year") == parse_period("2020-21")


def test_headline_financial_year_in_a_first_quarter_report_is_the_previous_year():
    assert headline_period(parse_period("2021-22-Q1"), "financial-year") == parse_period("2020-21")


def test_headline_year_to_date_in_a_fourth_quarter_report_is_the_whole_year():
    period = headline_period(parse_period("2020-21-Q4"), "year-to-date")
    assert period.code == "YTD-2021-03"
    assert (period.start, period.end) == (D(2020, 4, 1), D(2021, 3, 31))


def test_headline_period_needs_a_quarter():
    with pytest.raises(InvalidPeriod, match="is not a quarter"):
        headline_period(parse_period("2020-12"), "12-months")
