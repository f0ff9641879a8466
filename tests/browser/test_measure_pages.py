"""The measure pages in a real browser: no axe-core violations, and the chart loads as an image."""

from decimal import Decimal as D

import pytest

from tests.browser.conftest import axe_violations
from tests.factories import (
    AreaFactory,
    BreakdownFactory,
    MeasureFactory,
    ObjectiveFactory,
    PeriodFactory,
    PriorityFactory,
    ResultFactory,
    ValueFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("everything_published")]


@pytest.fixture
def knife_crime():
    force = AreaFactory(code="west-yorkshire", name="West Yorkshire", order=0)
    bradford = AreaFactory(code="bradford", name="Bradford", parent=force, order=1)
    leeds = AreaFactory(code="leeds", name="Leeds", parent=force, order=2)
    objective = ObjectiveFactory(
        priority=PriorityFactory(name="Tackle crime and anti-social behaviour"),
        name="Reduce serious violent crime and especially knife-enabled crime",
    )
    MeasureFactory(code="total-recorded-crime", name="Total recorded crime", objective=objective)
    measure = MeasureFactory(
        code="knife-crime", name="Volume of knife-enabled crime", objective=objective, is_new=True,
    )
    under_25 = BreakdownFactory(measure=measure, code="victim-under-25", label="Victim under 25")
    figures = {2017: 2100, 2018: 2300, 2019: 2487, 2020: 2237}
    for year, figure in figures.items():
        period = PeriodFactory(code=f"12M-{year}-12")
        previous = figures.get(year - 1)
        ResultFactory(measure=measure, area=force, period=period, current=D(figure),
                      previous=D(previous) if previous else None,
                      comparison_period=PeriodFactory(code=f"12M-{year - 1}-12") if previous else None)
        ValueFactory(measure=measure, area=force, period=period, value=D(figure),
                     source="Police recorded crime", note=f"Figure for {year}")
    december = PeriodFactory(code="12M-2020-12")
    ResultFactory(measure=measure, area=bradford, period=december, current=None, previous=D(700))
    ResultFactory(measure=measure, area=leeds, period=december, current=D(800), previous=D(790))
    ResultFactory(measure=measure, area=force, breakdown=under_25, period=december,
                  current=D(900), previous=None, comparison_period=None)
    return measure


@pytest.mark.parametrize("path", ["/measures/", "/measures/knife-crime/"])
def test_the_measure_pages_have_no_axe_violations(page, knife_crime, path):
    page.goto(path)
    assert axe_violations(page) == []


def test_the_measure_chart_loads_as_an_image_with_its_text_alternative(page, knife_crime):
    page.goto("/measures/")
    page.get_by_role("link", name="Volume of knife-enabled crime").click()
    page.wait_for_load_state()
    chart = page.get_by_role("img", name="Line chart: Volume of knife-enabled crime, West Yorkshire.", exact=False)
    assert chart.is_visible()
    assert page.evaluate("() => document.querySelector('img.app-chart').naturalWidth") == 640
    assert page.get_by_text("↓ down: better").is_visible()
