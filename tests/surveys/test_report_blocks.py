"""The survey block the reports app shows: a question's results by area and wave."""

import json

import pytest
from django.template.loader import render_to_string

from surveys.models import Wave
from surveys.report_blocks import SurveyBlockError, block_config_errors, survey_block_data
from tests.factories import AreaFactory
from tests.surveys.factories import OptionFactory, QuestionFactory, SurveyFactory, WaveFactory, result

pytestmark = pytest.mark.django_db

DISTRICTS_2019 = {"bradford": "74.8", "calderdale": "76.5", "kirklees": "77.8", "leeds": "77.7", "wakefield": "76.1"}
DISTRICTS_2020 = {"bradford": "77.4", "calderdale": "79.2", "kirklees": "81.1", "leeds": "81.3", "wakefield": "79.4"}


@pytest.fixture
def satisfaction(areas):
    survey = SurveyFactory(name="Victim satisfaction survey", slug="victim-satisfaction",
                           method_note="Victims and callers are asked about the service.")
    earlier = WaveFactory(survey=survey, code="12m-2019-12", label="12 months to December 2019",
                          period=_period("12M-2019-12"))
    later = WaveFactory(survey=survey, code="12m-2020-12", label="12 months to December 2020",
                        period=_period("12M-2020-12"), respondents=9240)
    question = QuestionFactory(survey=survey, code="overall", text="Satisfied with the overall service", decimals=1)
    OptionFactory(question=question, code="satisfied", label="Satisfied")
    by_code = {area.code: area for area in areas}
    result(earlier, question, by_code["west-yorkshire"], "satisfied", "75.1", base=9240)
    result(later, question, by_code["west-yorkshire"], "satisfied", "77.4", base=9240)
    for code, figure in DISTRICTS_2019.items():
        result(earlier, question, by_code[code], "satisfied", figure)
    for code, figure in DISTRICTS_2020.items():
        result(later, question, by_code[code], "satisfied", figure, base=30 if code == "calderdale" else None)
    return survey


def _period(code):
    from tests.factories import PeriodFactory

    return PeriodFactory(code=code)


CONFIG = {"survey": "victim-satisfaction", "question": "overall"}


def test_the_block_gives_each_area_with_both_waves_the_interval_and_the_base(satisfaction):
    data = survey_block_data(block_config=CONFIG)
    assert [wave["label"] for wave in data["waves"]] == ["12 months to December 2019", "12 months to December 2020"]
    force = data["rows"][0]
    assert force["area"] == "West Yorkshire"
    assert [cell["text"] for cell in force["cells"]] == ["75.1%", "77.4%"]
    assert force["cells"][1]["interval_text"] == "76.5% to 78.2%"
    assert force["cells"][1]["base_text"] == "9,240"


def test_the_victim_satisfaction_change_is_2_3_points_and_a_significant_increase(satisfaction):
    change = survey_block_data(block_config=CONFIG)["rows"][0]["change"]
    assert change["text"] == "+2.3 points"
    assert change["points"] == "2.3"
    assert change["mark"] == "significant-increase"
    assert change["mark_text"] == "significant increase"
    assert change["z"].startswith("3.67")


def test_a_change_without_bases_is_marked_not_tested(satisfaction):
    bradford = survey_block_data(block_config=CONFIG)["rows"][1]
    assert bradford["change"]["text"] == "+2.6 points"
    assert bradford["change"]["mark"] == "not-tested"


def test_a_base_under_50_shows_too_few_responses_and_no_change(satisfaction):
    data = survey_block_data(block_config=CONFIG)
    calderdale = next(row for row in data["rows"] if row["area"] == "Calderdale")
    assert calderdale["cells"][1]["text"] == "too few responses"
    assert calderdale["cells"][1]["value"] is None
    assert calderdale["change"] is None
    assert any("fewer than 50" in note for note in data["notes"])


def test_the_block_is_plain_json(satisfaction):
    data = survey_block_data(block_config=CONFIG)
    assert json.loads(json.dumps(data)) == data


def test_the_block_renders_without_the_database(satisfaction, django_assert_num_queries):
    data = json.loads(json.dumps(survey_block_data(block_config=CONFIG)))
    with django_assert_num_queries(0):
        html = render_to_string("surveys/report_block.html", data)
    assert "<caption" in html and 'scope="row"' in html and 'scope="col"' in html
    assert "77.4%" in html and "too few responses" in html and "significant increase" in html


def test_the_block_has_a_chart_with_a_text_alternative_when_charts_exist(satisfaction):
    pytest.importorskip("measures.charts")
    chart = survey_block_data(block_config=CONFIG)["chart"]
    assert chart["kind"] == "bar"
    assert chart["svg"].startswith("<svg")
    assert chart["svg_uri"].startswith("data:image/svg+xml;base64,")
    assert chart["alt"]
    assert chart["rows"][0][0] == "West Yorkshire"


def test_the_download_table_has_one_row_per_area(satisfaction):
    table = survey_block_data(block_config=CONFIG)["table"]
    assert table["columns"][0] == {"label": "Area", "type": "text"}
    assert len(table["rows"]) == 6
    assert table["rows"][0][:5] == ["West Yorkshire", "75.1", table["rows"][0][2], table["rows"][0][3], 9240]


def test_the_block_runs_the_same_number_of_queries_for_twice_the_areas(satisfaction, django_assert_num_queries):
    survey_block_data(block_config=CONFIG)
    # survey, question, options, groups (no groups, so no query for their options), waves,
    # areas, results, bases
    with django_assert_num_queries(8):
        survey_block_data(block_config=CONFIG)
    question = satisfaction.questions.get()
    for n in range(6):
        area = AreaFactory(code=f"extra-{n}", name=f"Extra {n}", order=10 + n)
        for wave in satisfaction.waves.all():
            result(wave, question, area, "satisfied", 70 + n, base=100)
    with django_assert_num_queries(8):
        data = survey_block_data(block_config=CONFIG)
    assert len(data["rows"]) == 12


def test_a_suspended_wave_is_listed_with_its_reason_and_an_unpublished_one_is_not(areas):
    survey = SurveyFactory(name="Your Views", slug="your-views")
    march = WaveFactory(survey=survey, code="2020-03", label="March 2020")
    WaveFactory(survey=survey, code="2020-21", label="2020/21", period=None, status=Wave.Status.SUSPENDED,
                status_reason="suspended due to the pandemic")
    draft = WaveFactory(survey=survey, code="2021-06", label="June 2021", status=Wave.Status.UNPUBLISHED)
    question = QuestionFactory(survey=survey, code="satisfied")
    OptionFactory(question=question, code="yes", label="Satisfied")
    result(march, question, areas[0], "yes", 81)
    result(draft, question, areas[0], "yes", 99)
    data = survey_block_data(block_config={"survey": "your-views", "question": "satisfied"})
    assert [wave["label"] for wave in data["waves"]] == ["March 2020"]
    assert data["suspended"] == [{"label": "2020/21", "reason": "suspended due to the pandemic"}]
    assert "99%" not in render_to_string("surveys/report_block.html", data)


def test_until_keeps_a_report_to_the_waves_known_at_its_quarter(satisfaction):
    data = survey_block_data(block_config={**CONFIG, "until": "2020-06"})
    assert [wave["label"] for wave in data["waves"]] == ["12 months to December 2019"]


def test_themes_without_figures_read_as_raised_or_ranked(areas, october, survey):
    question = QuestionFactory(survey=survey, code="address", text="What should the police address?", kind="themes")
    for n, code in enumerate(["general-crime", "asb"]):
        OptionFactory(question=question, code=code, label=code.replace("-", " ").capitalize(), order=n)
    result(october, question, areas[0], "general-crime", rank=1)
    result(october, question, areas[0], "asb")
    data = survey_block_data(block_config={"survey": survey.slug, "question": "address"})
    assert [row["cells"][0]["text"] for row in data["rows"]] == ["ranked 1", "raised"]


@pytest.mark.parametrize(("config", "message"), [
    ({"survey": "nope", "question": "overall"}, "No survey has the code “nope”"),
    ({"survey": "victim-satisfaction", "question": "nope"}, "has no question with the code “nope”"),
    ({**CONFIG, "columns": ["nope"]}, "The question has no option or group “nope”"),
    ({**CONFIG, "waves": ["2031"]}, "has no published wave “2031”"),
    ({**CONFIG, "areas": ["york"]}, "No area has the code “york”"),
    ({**CONFIG, "colour": "red"}, "Unknown setting: colour"),
])
def test_a_bad_configuration_says_what_is_wrong(satisfaction, config, message):
    errors = block_config_errors(config)
    assert len(errors) == 1 and message in errors[0]
    with pytest.raises(SurveyBlockError):
        survey_block_data(block_config=config)
