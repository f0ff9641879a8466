"""Block configuration is checked with plain messages; a new quarter copies the structure."""

import pytest
from django.core.exceptions import ValidationError

from reports.blocks import config_errors, heading_level
from reports.models import Block, Report
from reports.services import report_copy_structure, shift_period_code
from reports.text import render_markdown

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "kind,config,message",
    [
        (Block.Kind.MEASURE_TABLE, {"rows": [{}]}, "needs a “caption”"),
        (Block.Kind.MEASURE_TABLE, {"caption": "c", "layout": "pie", "rows": [{"measure": "m"}]}, "“layout” must be"),
        (Block.Kind.MEASURE_TABLE, {"caption": "c", "rows": []}, "“rows” must be a non-empty list"),
        (Block.Kind.MEASURE_TABLE, {"caption": "c", "rows": [{"area": "leeds"}]}, "Every cell needs a measure"),
        (Block.Kind.MEASURE_TABLE, {"caption": "c", "rows": [{"measure": "m", "period": "2020-13"}]}, "month 13 does not exist"),
        (Block.Kind.MEASURE_TABLE, {"caption": "c", "rows": [{"measure": "m", "colour": "red"}]}, "unknown key colour"),
        (Block.Kind.MEASURE_TABLE, {"caption": "c", "layout": "grid", "rows": [{"measure": "m"}]}, "“columns” is missing"),
        (Block.Kind.CHART, {"title": "t", "chart": "pie", "rows": [{"measure": "m"}], "columns": [{}]}, "“chart” must be"),
        (Block.Kind.CURRENT_MEASURES, {"breakdowns": {"m": "cohort-1"}}, "must map a measure code"),
        (Block.Kind.MEASURE_TABLE, [], "must be a JSON object"),
    ],
)
def test_a_bad_configuration_gets_a_plain_message(kind, config, message):
    assert any(message in error for error in config_errors(kind, config)), config_errors(kind, config)


def test_a_block_naming_an_unknown_measure_or_area_is_refused(report):
    section = report.sections.first()
    block = Block(section=section, kind=Block.Kind.MEASURE_TABLE, config={
        "caption": "c", "rows": [{"measure": "no-such-measure", "area": "atlantis"}],
    })
    with pytest.raises(ValidationError) as caught:
        block.full_clean()
    messages = caught.value.message_dict["config"]
    assert "There is no measure with the code “no-such-measure”." in messages
    assert "There is no area with the code “atlantis”." in messages


def test_empty_commentary_is_refused(report):
    block = Block(section=report.sections.first(), kind=Block.Kind.COMMENTARY)
    with pytest.raises(ValidationError, match="needs a heading or some text"):
        block.full_clean()


def test_commentary_markdown_is_sanitised_and_styled():
    html = render_markdown('**Bold** <img src=x onerror=alert(1)> [link](javascript:alert(1)) <https://example.org>\n\n- one')
    assert '<p class="govuk-body"><strong>Bold</strong>' in html
    assert "onerror" not in html and "javascript:" not in html and "<img" not in html
    assert '<a class="govuk-link" href="https://example.org" rel="noopener noreferrer">' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html


@pytest.mark.parametrize("number,level", [("2.1", 3), ("2.1.1", 4), ("4.1.", 3), ("", 3), ("2.5.10", 4)])
def test_paragraph_numbers_decide_heading_levels(number, level):
    assert heading_level(number) == level


@pytest.mark.parametrize(
    "code,months,expected",
    [("12M-2020-12", 3, "12M-2021-03"), ("YTD-2019-12", 3, "YTD-2020-03"), ("2020-21-Q3", 3, "2020-21-Q4"),
     ("2020-21-Q4", 3, "2021-22-Q1"), ("2018-19", 3, "2018-19"), ("2018-19", 12, "2019-20"),
     ("2020-12-31", 3, "2021-03-31"), ("2021-01-31", 1, "2021-02-28"), ("2020-06", 3, "2020-09")],
)
def test_copied_periods_move_on_by_the_quarters_between_reports(code, months, expected):
    assert shift_period_code(code, months) == expected


def test_a_new_quarter_starts_as_a_copy_of_the_last_ones_structure(report):
    copy = report_copy_structure(report=report, period="2020-21-Q4", user=None)
    assert (copy.slug, copy.period.code, copy.status) == ("2020-21-q4", "2020-21-Q4", Report.Status.DRAFT)
    assert [s.title for s in copy.sections.all()] == [s.title for s in report.sections.all()]
    grid = Block.objects.get(section__report=copy, config__caption="Recorded crime by district")
    assert [row["period"] for row in grid.config["rows"]] == ["12M-2020-03", "12M-2021-03"]
    copied_commentary = Block.objects.filter(section__report=copy, kind=Block.Kind.COMMENTARY)
    assert [(b.number, b.heading, b.text) for b in copied_commentary] == [
        ("2.1", "Objective: Significantly reduce the volume of crimes", "")
    ]
    assert not copy.measure_comments.exists()


def test_copying_to_a_quarter_that_has_a_report_or_is_not_a_quarter_is_refused(report):
    with pytest.raises(ValidationError, match="already a report"):
        report_copy_structure(report=report, period="2020-21-Q3", user=None)
    with pytest.raises(ValidationError, match="not a quarter"):
        report_copy_structure(report=report, period="2020-12", user=None)
    assert Report.objects.count() == 1
