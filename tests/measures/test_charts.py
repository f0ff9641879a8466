"""Charts are pure functions of plain values: no database, no templates."""

import decimal
import re
from decimal import Decimal as D

import pytest

from measures.charts import Chart, Series, bar_chart, line_chart

HOSTILE = "<script>alert(1)</script>"
MINUS = "\u2212"


def crime_chart(**overrides) -> Chart:
    series = [Series("West Yorkshire", [("12 months to Dec 2019", D(292070)), ("12 months to Dec 2020", D(258882))])]
    options = dict(title="total recorded crime", unit="count", decimals=0)
    return line_chart(series, **{**options, **overrides})


def test_a_line_chart_is_an_svg_image_with_a_title_and_description():
    chart = crime_chart()
    assert chart.svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" viewBox="0 0 640 ')
    title_id, desc_id = re.search(r'aria-labelledby="([^ "]+) ([^"]+)"', chart.svg).groups()
    assert f'<title id="{title_id}">total recorded crime</title>' in chart.svg
    assert f'<desc id="{desc_id}">{chart.text_alternative}</desc>' in chart.svg
    assert chart.title == "total recorded crime"


def test_the_text_alternative_reads_every_point_and_the_trend():
    assert crime_chart().text_alternative == (
        "Line chart: total recorded crime. 12 months to Dec 2019: 292,070; "
        "12 months to Dec 2020: 258,882. "
        "Down from 292,070 in 12 months to Dec 2019 to 258,882 in 12 months to Dec 2020."
    )


def test_a_long_series_is_summarised_with_its_first_last_highest_and_lowest():
    points = [(f"Month {n:02d}", D(100 + n)) for n in range(30)]
    points[10] = ("Month 10", None)
    chart = line_chart([Series("Force", points)], title="ASB", unit="count", decimals=0)
    assert chart.text_alternative == (
        "Line chart: ASB. 30 figures from Month 00 to Month 29; highest 129 (Month 29), "
        "lowest 100 (Month 00). 1 figure is not available. "
        "Up from 100 in Month 00 to 129 in Month 29."
    )


def test_the_data_comes_back_as_rows_for_a_table():
    chart = line_chart(
        [Series("Bradford", [("2019", D("13.54")), ("2020", None)]), Series("Leeds", [("2020", D("9"))])],
        title="Rate", unit="percentage", decimals=1,
    )
    assert chart.headers == ("Period", "Bradford", "Leeds")
    assert chart.rows == (("2019", "13.5%", "not available"), ("2020", "not available", "9.0%"))


def test_every_label_is_escaped():
    chart = line_chart(
        [Series(HOSTILE, [(HOSTILE, D(1)), ("b", D(2))]), Series("other", [(HOSTILE, D(3))])],
        title=HOSTILE, unit="count", decimals=0, y_label=HOSTILE,
    )
    assert "<script" not in chart.svg
    assert chart.svg.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5  # title, desc, axis, x label, legend
    bars = bar_chart([HOSTILE, "Leeds"], [Series(HOSTILE, [(HOSTILE, D(4))])], title=HOSTILE, unit="count", decimals=0)
    assert "<script" not in bars.svg
    assert 'fill="#1d70b8"' in bars.svg


def test_quotes_in_labels_cannot_break_out_of_attributes():
    chart = crime_chart(title='crime" onload="alert(1)')
    assert 'onload="' not in chart.svg
    assert "&quot;" in chart.svg


def test_a_missing_value_is_a_gap_in_the_line_not_a_zero():
    points = [("Q1", D(10)), ("Q2", D(12)), ("Q3", None), ("Q4", D(11)), ("Q5", D(13))]
    chart = line_chart([Series("Force", points)], title="Gaps", unit="count", decimals=0)
    paths = re.findall(r'<path class="app-chart__line" d="([^"]+)"', chart.svg)
    assert len(paths) == 2  # Q1–Q2 and Q4–Q5, nothing drawn through Q3
    assert all(path.count("M") == 1 and path.count("L") == 1 for path in paths)
    assert chart.svg.count('<circle class="app-chart__point"') == 4
    assert chart.rows[2] == ("Q3", "not available")
    assert "Q3: not available" in chart.text_alternative


def test_an_isolated_point_between_gaps_still_shows_as_a_dot():
    points = [("a", None), ("b", D(5)), ("c", None)] + [(f"x{n}", None) for n in range(30)]
    chart = line_chart([Series("Force", points)], title="One point", unit="count", decimals=0)
    assert "app-chart__line" not in chart.svg
    assert chart.svg.count('<circle class="app-chart__point"') == 1


def test_a_missing_value_is_a_missing_bar_not_a_zero_bar():
    chart = bar_chart(
        ["Bradford", "Calderdale", "Leeds"],
        [Series("2020", [("Bradford", D(5)), ("Calderdale", None), ("Leeds", D(0))])],
        title="Bars", unit="count", decimals=0,
    )
    assert chart.svg.count('<rect class="app-chart__bar"') == 2
    assert chart.text_alternative == "Bar chart: Bars. Bradford: 5; Calderdale: not available; Leeds: 0."
    assert chart.headers == ("Category", "2020")


def test_a_bar_chart_refuses_a_point_that_is_not_a_category():
    with pytest.raises(ValueError, match="Wakefield"):
        bar_chart(["Leeds"], [Series("2020", [("Wakefield", D(1))])], title="t", unit="count", decimals=0)


def test_bars_of_several_series_have_a_legend_and_grow_from_zero():
    chart = bar_chart(
        ["Bradford", "Leeds"],
        [Series("2019", [("Bradford", D(10)), ("Leeds", D(-5))]), Series("2020", [("Bradford", D(8))])],
        title="Change", unit="count", decimals=0,
    )
    assert chart.text_alternative == (
        f"Bar chart: Change. 2019: Bradford: 10; Leeds: {MINUS}5. 2020: Bradford: 8; Leeds: not available."
    )
    assert 'class="app-chart__legend"' in chart.svg and ">2019</text>" in chart.svg
    assert f">{MINUS}5</text>" in chart.svg or f">{MINUS}10</text>" in chart.svg  # an axis below zero


def test_axis_ticks_are_formatted_like_the_figures():
    chart = line_chart(
        [Series("Force", [("a", D("250000")), ("b", D("292070"))])], title="t", unit="count", decimals=0
    )
    ticks = re.findall(r'<text class="app-chart__tick" x="\d+(?:\.\d)?" y="[^"]+" text-anchor="end"[^>]*>([^<]+)</text>', chart.svg)
    assert ticks == ["0", "100,000", "200,000", "300,000"]
    money = line_chart([Series("cost", [("a", D("1.5"))])], title="t", unit="money", decimals=2)
    assert re.findall(r">(£[^<]*)</text>", money.svg) == ["£0.0", "£0.5", "£1.0", "£1.5"]
    percent = line_chart([Series("%", [("a", D("77.4"))])], title="t", unit="percentage", decimals=1)
    assert ">80%</text>" in percent.svg


def test_the_same_input_gives_the_same_bytes_whatever_the_decimal_context():
    first = crime_chart()
    with decimal.localcontext() as context:
        context.prec = 5
        context.rounding = decimal.ROUND_DOWN
        second = crime_chart()
    assert first.svg == second.svg
    assert first == second


def test_there_are_no_inline_styles_only_presentation_attributes():
    chart = crime_chart()
    assert "style" not in chart.svg
    assert 'stroke="#1d70b8"' in chart.svg


def test_lines_of_several_series_differ_by_more_than_colour():
    chart = line_chart(
        [Series("Bradford", [("a", D(1)), ("b", D(2))]), Series("Leeds", [("a", D(2)), ("b", D(3))])],
        title="t", unit="count", decimals=0,
    )
    assert 'stroke-dasharray="10 5"' in chart.svg


def test_a_chart_with_no_figures_says_so():
    chart = line_chart([], title="Nothing", unit="count", decimals=0)
    assert chart.text_alternative == "Line chart: Nothing. There are no figures to show."
    assert chart.rows == ()
