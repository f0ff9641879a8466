"""The public measure pages: what they show, what they never show, and how many queries they run."""

import datetime
import re
from decimal import Decimal as D

import pytest

from measures.models import Period, ResultQuerySet
from organisations import roles
from tests.factories import (
    AreaFactory,
    BreakdownFactory,
    MeasureFactory,
    ObjectiveFactory,
    PeriodFactory,
    PriorityFactory,
    ResultFactory,
    UserFactory,
    ValueFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everything_published")]

MINUS = "\u2212"


@pytest.fixture
def force():
    return AreaFactory(code="west-yorkshire", name="West Yorkshire", order=0)


@pytest.fixture
def districts(force):
    return [
        AreaFactory(code=code, name=code.title(), parent=force, order=n)
        for n, code in enumerate(["bradford", "leeds"], 1)
    ]


@pytest.fixture
def crime(force, districts):
    """Total recorded crime with the seed's West Yorkshire figures and two districts."""
    measure = MeasureFactory(
        code="total-recorded-crime", name="Total recorded crime", source="Police recorded crime",
        definition="Number of crimes recorded by West Yorkshire Police.",
    )
    ResultFactory(measure=measure, area=force, period=PeriodFactory(code="12M-2019-12"),
                  current=D(292070), previous=None, comparison_period=None)
    ResultFactory(measure=measure, area=force, period=PeriodFactory(code="12M-2020-12"),
                  current=D(258882), previous=D(292070))
    ResultFactory(measure=measure, area=districts[0], period=PeriodFactory(code="12M-2020-12"),
                  current=None, previous=D(61000))
    ResultFactory(measure=measure, area=districts[1], period=PeriodFactory(code="12M-2020-12"),
                  current=D(90000), previous=None, comparison_period=None)
    return measure


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    """The page as a reader sees it: tags removed, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def row_of(html: str, header: str) -> str:
    """The text of the first table row whose row header reads ``header``."""
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S):
        found = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        if found and text_of(found[1]).strip() == header:
            return text_of(row).strip()
    raise AssertionError(f"no row for {header}")


# The index ------------------------------------------------------------------------------------


def test_the_index_lists_every_measure_under_its_priority_and_objective(client):
    tackle = PriorityFactory(name="Tackle crime", order=1)
    safeguard = PriorityFactory(name="Safeguard vulnerable people", order=2)
    reduce = ObjectiveFactory(priority=tackle, name="Reduce crime")
    support = ObjectiveFactory(priority=safeguard, name="Support the vulnerable")
    MeasureFactory(code="missing-people", name="Missing people", objective=support,
                   unit="count", source="WYP missing persons records")
    MeasureFactory(code="knife-crime", name="Knife crime", objective=reduce, is_new=True)
    MeasureFactory(code="satisfaction", name="Victim satisfaction", objective=reduce,
                   unit="percentage", source="Victim survey", comparison="previous-wave")

    html = html_of(client.get("/measures/"))
    text = text_of(html)

    assert text.index("Tackle crime") < text.index("Reduce crime") < text.index("Knife crime")
    assert text.index("Victim satisfaction") < text.index("Safeguard vulnerable people")
    assert text.index("Support the vulnerable") < text.index("Missing people")
    assert '<a class="govuk-link" href="/measures/knife-crime/">Knife crime</a>' in html
    assert row_of(html, "Knife crime New measure").startswith("Knife crime New measure Count")
    satisfaction = row_of(html, "Victim satisfaction")
    assert "Percentage" in satisfaction and "Victim survey" in satisfaction
    assert "Survey wave, compared with the wave before" in satisfaction
    assert "<caption class=\"govuk-table__caption govuk-table__caption--m\">Reduce crime</caption>" in html


def test_the_index_says_so_when_there_are_no_measures(client):
    assert "No measures have been set up yet." in html_of(client.get("/measures/"))


def make_framework(size: int):
    for n in range(size):
        objective = ObjectiveFactory(priority=PriorityFactory(name=f"Priority {n}"))
        for m in range(2):
            MeasureFactory(code=f"measure-{n}-{m}", objective=objective)


@pytest.mark.parametrize("size", [3, 6])
def test_the_index_runs_one_query_whatever_the_number_of_measures(client, size, django_assert_num_queries):
    make_framework(size)
    with django_assert_num_queries(1):  # measures with their objectives and priorities
        html = html_of(client.get("/measures/"))
    assert html.count('href="/measures/measure-') == 2 * size


def test_everyone_can_reach_the_measures_from_the_navigation(client):
    html = html_of(client.get("/"))
    assert '<a class="govuk-service-navigation__link" href="/measures/">Measures</a>' in html


# A measure's page -----------------------------------------------------------------------------


def test_a_measure_page_shows_its_definition_source_unit_and_polarity_in_words(client, crime):
    text = text_of(html_of(client.get("/measures/total-recorded-crime/")))
    assert "Total recorded crime" in text
    assert "Number of crimes recorded by West Yorkshire Police." in text
    assert "Source Police recorded crime" in text
    assert "Unit Count" in text
    assert "Which way is good A fall is good" in text
    assert "No real change A change of 1% or less" in text
    assert "New measure" not in text


@pytest.mark.parametrize(
    ("polarity", "words"),
    [("lower", "A fall is good"), ("higher", "A rise is good"), ("monitor", "Monitored only")],
)
def test_polarity_is_written_in_words(client, polarity, words):
    MeasureFactory(code="a-measure", polarity=polarity)
    assert f"Which way is good {words}" in text_of(html_of(client.get("/measures/a-measure/")))


def test_a_new_measure_is_tagged_as_new(client):
    MeasureFactory(code="knife-crime", is_new=True)
    assert "New measure" in text_of(html_of(client.get("/measures/knife-crime/")))


def test_an_unknown_measure_is_not_found(client, db):
    assert client.get("/measures/no-such-measure/").status_code == 404
    assert client.get("/measures/no-such-measure/chart.svg").status_code == 404


def test_the_latest_results_show_each_area_with_its_change_arrow_and_words(client, crime):
    html = html_of(client.get("/measures/total-recorded-crime/"))
    assert "<caption class=\"govuk-table__caption govuk-table__caption--m\">Latest figures by area</caption>" in html
    # One pair of periods for every row: they head the columns.
    assert ">12 months to Dec 2020</th>" in html and ">12 months to Dec 2019</th>" in html
    force = row_of(html, "West Yorkshire")
    assert force.startswith("West Yorkshire 258,882 292,070")
    assert f"{MINUS}33,188 ({MINUS}11.4%)" in force
    assert "↓ down: better" in force
    assert "significant change" in force
    # The arrow is hidden from screen readers; its words are not.
    assert '<span class="app-arrow app-judgement--better" aria-hidden="true">↓</span> <span class="app-judgement--better">down: better</span>' in html


def test_not_available_and_no_comparison_are_shown_as_such_never_as_zero(client, crime):
    html = html_of(client.get("/measures/total-recorded-crime/"))
    bradford = row_of(html, "Bradford")
    assert bradford == "Bradford not available 61,000 not available not available"
    leeds = row_of(html, "Leeds")
    assert leeds == "Leeds 90,000 no comparison yet no comparison yet no comparison yet"
    for row in (bradford, leeds):
        assert " 0 " not in f" {row} "


def test_a_rise_in_a_measure_where_a_rise_is_good_reads_up_better_in_points(client, force):
    measure = MeasureFactory(code="satisfaction", unit="percentage", decimals=1,
                             polarity="higher", comparison="previous-wave", band=D("0.5"))
    ResultFactory(measure=measure, area=force, period=PeriodFactory(code="2020-10"),
                  comparison_period=PeriodFactory(code="2020-06"),
                  current=D("77.4"), previous=D("75.1"), current_base=9240, previous_base=9240)
    row = row_of(html_of(client.get("/measures/satisfaction/")), "West Yorkshire")
    assert row == "West Yorkshire 77.4% 75.1% +2.3 points ↑ up: better significant change"


def test_an_untested_change_says_not_tested_rather_than_not_significant(client, force):
    measure = MeasureFactory(code="officers-fte", unit="fte", decimals=2, polarity="monitor",
                             comparison="snapshot")
    ResultFactory(measure=measure, area=force, period=PeriodFactory(code="2020-12-31"),
                  current=D("197.34"), previous=D("180.5"))
    row = row_of(html_of(client.get("/measures/officers-fte/")), "West Yorkshire")
    assert "up: monitored only" in row
    assert row.endswith("not tested")


def test_the_latest_result_is_of_the_measures_basis_kind_else_the_latest_of_any_kind(client, force, districts):
    measure = MeasureFactory(code="asb", comparison="12-months")
    # A later quarter does not displace the 12-month figure for the force...
    ResultFactory(measure=measure, area=force, period=PeriodFactory(code="12M-2020-12"), current=D(50000), previous=D(52000))
    ResultFactory(measure=measure, area=force, period=PeriodFactory(code="2020-21-Q4"), current=D(1), previous=D(2))
    ResultFactory(measure=measure, area=force, period=PeriodFactory(code="12M-2019-12"), current=D(52000), previous=D(53000))
    # ...but a district with no 12-month figures shows its latest of any kind.
    ResultFactory(measure=measure, area=districts[0], period=PeriodFactory(code="2020-21-Q2"), current=D(700), previous=D(800))
    ResultFactory(measure=measure, area=districts[0], period=PeriodFactory(code="2020-21-Q3"), current=D(600), previous=D(800))

    html = html_of(client.get("/measures/asb/"))
    latest = html.split("Over time")[0]
    assert row_of(latest, "West Yorkshire").startswith("West Yorkshire 12 months to Dec 2020 (compared with 12 months to Dec 2019) 50,000 52,000")
    assert row_of(latest, "Bradford").startswith("Bradford Oct – Dec 2020 (compared with Oct – Dec 2019) 600 800")


def test_breakdowns_get_a_table_each_after_the_whole(client, force, districts):
    measure = MeasureFactory(code="knife-crime")
    under_25 = BreakdownFactory(measure=measure, code="victim-under-25", label="Victim under 25", order=1)
    robbery = BreakdownFactory(measure=measure, code="robbery", label="Personal robbery", order=2)
    period = PeriodFactory(code="12M-2020-12")
    for area in [force, *districts]:
        ResultFactory(measure=measure, area=area, period=period, current=D(1000), previous=D(1100))
        ResultFactory(measure=measure, area=area, breakdown=under_25, period=period, current=D(260), previous=D(250))
        ResultFactory(measure=measure, area=area, breakdown=robbery, period=period, current=D(90), previous=D(90))

    html = html_of(client.get("/measures/knife-crime/"))
    captions = re.findall(r"<caption[^>]*>([^<]*)</caption>", html)
    assert captions[:3] == [
        "Latest figures by area",
        "Victim under 25: latest figures by area",
        "Personal robbery: latest figures by area",
    ]
    tables = html.split("<caption")
    assert row_of(tables[2], "Leeds") == "Leeds 260 250 +10 (+4.0%) ↑ up: worse not a significant change"
    assert row_of(tables[3], "West Yorkshire") == "West Yorkshire 90 90 0 (0.0%) ↔ no real change not a significant change"


def test_the_history_of_the_force_is_a_table_and_a_chart_with_a_text_alternative(client, crime):
    html = html_of(client.get("/measures/total-recorded-crime/"))
    history = html.split("Over time")[1].split("Where the figures come from")[0]
    assert "Total recorded crime, West Yorkshire, by period</caption>" in history
    assert row_of(history, "12 months to Dec 2019") == "12 months to Dec 2019 292,070 no comparison yet no comparison yet"
    assert row_of(history, "12 months to Dec 2020") == f"12 months to Dec 2020 258,882 292,070 {MINUS}33,188 ({MINUS}11.4%)"
    image = re.search(r'<img class="app-chart" src="([^"]+)" alt="([^"]+)">', history)
    assert image[1] == "/measures/total-recorded-crime/chart.svg"
    assert image[2] == (
        "Line chart: Total recorded crime, West Yorkshire. 12 months to Dec 2019: 292,070; "
        "12 months to Dec 2020: 258,882. Down from 292,070 in 12 months to Dec 2019 to 258,882 "
        "in 12 months to Dec 2020."
    )


def test_a_measure_recorded_only_by_breakdown_has_a_line_and_a_table_per_breakdown(client, force):
    measure = MeasureFactory(code="reoffending", name="Reoffending rate", unit="rate", decimals=1)
    cohorts = [BreakdownFactory(measure=measure, code=f"cohort-{n}", label=f"Cohort {n}", order=n)
               for n in (1, 2)]
    for year, figures in {2019: (D("1.5"), D("2.0")), 2020: (D("1.2"), D("2.4"))}.items():
        for cohort, figure in zip(cohorts, figures, strict=True):
            ResultFactory(measure=measure, area=force, breakdown=cohort,
                          period=PeriodFactory(code=f"12M-{year}-12"), current=figure, previous=D("1.8"))

    html = html_of(client.get("/measures/reoffending/"))
    history = html.split("Over time")[1].split("Where the figures come from")[0]
    assert "Reoffending rate, West Yorkshire, Cohort 1, by period</caption>" in history
    assert "Reoffending rate, West Yorkshire, Cohort 2, by period</caption>" in history
    assert "Cohort 1: 12 months to Dec 2019: 1.5; 12 months to Dec 2020: 1.2." in history
    svg = client.get("/measures/reoffending/chart.svg").content.decode()
    assert svg.count('<path class="app-chart__line"') == 2


def test_the_chart_is_served_as_an_svg_image_of_the_same_figures(client, crime):
    response = client.get("/measures/total-recorded-crime/chart.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = response.content.decode()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img"' in svg
    assert "<title" in svg and "Down from 292,070 in 12 months to Dec 2019" in svg
    assert "style=" not in svg


def test_a_measure_without_public_figures_says_so_and_has_no_chart(client, force):
    MeasureFactory(code="new-thing")
    text = text_of(html_of(client.get("/measures/new-thing/")))
    assert "No figures have been published for this measure yet." in text
    assert "There are no published figures for the force area over time yet." in text
    assert client.get("/measures/new-thing/chart.svg").status_code == 404


def test_pages_read_figures_only_through_the_public_results(client, crime, force, monkeypatch):
    """When public() leaves out a period, the page, the chart and the provenance all lose it."""
    ValueFactory(measure=crime, area=force, period=PeriodFactory(code="12M-2020-12"),
                 value=D(258882), note="Hidden until published")
    ValueFactory(measure=crime, area=force, period=PeriodFactory(code="12M-2019-12"),
                 value=D(292070), note="Shown note")
    monkeypatch.setattr(ResultQuerySet, "public", lambda self: self.exclude(period__code="12M-2020-12"))

    html = html_of(client.get("/measures/total-recorded-crime/"))
    assert "258,882" not in html and "Hidden until published" not in html
    assert row_of(html, "West Yorkshire").startswith("West Yorkshire 292,070 no comparison yet")
    assert "Shown note" in html
    assert "258,882" not in client.get("/measures/total-recorded-crime/chart.svg").content.decode()


def test_the_sources_dates_and_notes_behind_the_figures_are_shown(client, crime, force, districts):
    opcc = UserFactory(username="analyst", first_name="Olivia", last_name="Performance", role=roles.OPCC_STAFF)
    ValueFactory(measure=crime, area=force, period=PeriodFactory(code="12M-2020-12"), value=D(258882),
                 source="Home Office data hub", data_as_at=datetime.date(2021, 1, 15),
                 note="Provisional figure", entered_by=opcc)
    ValueFactory(measure=crime, area=force, period=PeriodFactory(code="12M-2019-12"), value=D(292070),
                 data_as_at=datetime.date(2020, 1, 20), note="Includes a recording change")
    ValueFactory(measure=crime, area=districts[0], period=PeriodFactory(code="12M-2020-12"), value=None,
                 note="Not supplied this quarter")
    # A value for a period no result shows stays out of the provenance.
    ValueFactory(measure=crime, area=force, period=PeriodFactory(code="12M-2018-12"), value=D(1),
                 note="Never shown")

    html = html_of(client.get("/measures/total-recorded-crime/"))
    provenance = text_of(html.split("Where the figures come from")[1])
    assert "Sources Home Office data hub Police recorded crime" in provenance
    assert "Data as at 20 January 2020 15 January 2021" in provenance
    assert "West Yorkshire 12 months to Dec 2020 258,882 Home Office data hub 15 Jan 2021 Provisional figure" in provenance
    assert "Bradford 12 months to Dec 2020 not available Police recorded crime not recorded Not supplied this quarter" in provenance
    assert "Includes a recording change" in provenance
    assert "Never shown" not in html
    assert "Poisson test" in provenance
    assert "Olivia Performance" not in html  # names of staff are for staff only

    client.force_login(opcc)
    staff_view = text_of(html_of(client.get("/measures/total-recorded-crime/")))
    assert "Entered by" in staff_view and "Olivia Performance" in staff_view


def test_figures_worked_out_from_others_say_so_in_the_provenance(client, force):
    measure = MeasureFactory(code="asb")
    ResultFactory(measure=measure, area=force, period=PeriodFactory(code="12M-2020-12"),
                  current=D(500), previous=D(450), current_is_computed=True)
    text = text_of(html_of(client.get("/measures/asb/")))
    assert "One of the latest figures is worked out by this service from the figures it is made of" in text


def test_the_pages_have_no_inline_style_or_script(client, crime):
    for path in ["/measures/", "/measures/total-recorded-crime/"]:
        html = html_of(client.get(path))
        assert "style=" not in html and "<style" not in html and "<script>" not in html


# Query counts ---------------------------------------------------------------------------------


def make_measure_with_history(size: int):
    """A measure with ``size`` districts, ``size`` breakdowns and ``size`` years of history."""
    force = AreaFactory(code="west-yorkshire", name="West Yorkshire", order=0)
    areas = [force] + [AreaFactory(code=f"district-{n}", parent=force, order=n + 1) for n in range(size)]
    measure = MeasureFactory(code="total-recorded-crime")
    breakdowns = [None] + [BreakdownFactory(measure=measure, code=f"category-{n}") for n in range(size)]
    user = UserFactory(username="entering-analyst")
    for year in range(2020 - size, 2021):
        period = PeriodFactory(code=f"12M-{year}-12")
        for area in areas:
            for breakdown in breakdowns:
                ResultFactory(measure=measure, area=area, breakdown=breakdown, period=period,
                              current=D(1000 + year), previous=D(1000 + year - 1))
                ValueFactory(measure=measure, area=area, breakdown=breakdown, period=period,
                             value=D(1000 + year), note=f"Note {year}", source="Source",
                             data_as_at=datetime.date(year + 1, 1, 10), entered_by=user)
    return measure


@pytest.mark.parametrize("size", [2, 4])
def test_a_measure_page_runs_a_fixed_number_of_queries(client, size, django_assert_num_queries):
    make_measure_with_history(size)
    # The measure; its latest results; the force's history; the values behind them.
    with django_assert_num_queries(4):
        html = html_of(client.get("/measures/total-recorded-crime/"))
    assert html.count("<caption") == 1 + size + 1 + 1  # whole, breakdowns, history, provenance
    assert html.count("Note 2020") == (size + 1) * (size + 1)


@pytest.mark.parametrize("size", [2, 4])
def test_a_measure_page_for_staff_runs_a_fixed_number_of_queries(size, staff_client, django_assert_num_queries):
    make_measure_with_history(size)
    # The session, the user and their groups, then the same four as for anyone.
    with django_assert_num_queries(7):
        html = html_of(staff_client.get("/measures/total-recorded-crime/"))
    assert "Entered by" in html


@pytest.mark.parametrize("size", [2, 4])
def test_the_chart_runs_a_fixed_number_of_queries(client, size, django_assert_num_queries):
    make_measure_with_history(size)
    with django_assert_num_queries(2):  # the measure; the force's history
        response = client.get("/measures/total-recorded-crime/chart.svg")
    assert response.status_code == 200


def test_only_figures_of_periods_ended_before_a_publication_are_public(client, crime):
    """Figures for periods that ended after the latest published version stay off the pages."""
    import datetime

    from django.utils import timezone

    from reports.models import Report, ReportVersion

    ReportVersion.objects.filter(report__slug="far-future").delete()
    Report.objects.filter(slug="far-future").update(status=Report.Status.DRAFT)
    assert "258,882" not in text_of(html_of(client.get("/measures/total-recorded-crime/")))
    quarter = Period.objects.for_codes(["2020-21-Q3"])["2020-21-Q3"]
    report = Report.objects.create(period=quarter, slug="2020-21-q3", status=Report.Status.PUBLISHED)
    version = ReportVersion.objects.create(
        report=report, number=1, title="Q3", period_label=quarter.label, body_html="",
        published_at=timezone.make_aware(datetime.datetime(2020, 11, 30)),
    )
    # Published before December ended: 12 months to Dec 2020 is not public yet.
    assert "258,882" not in text_of(html_of(client.get("/measures/total-recorded-crime/")))
    version.published_at = timezone.make_aware(datetime.datetime(2021, 2, 18))
    version.save()
    assert "258,882" in text_of(html_of(client.get("/measures/total-recorded-crime/")))
