"""A small framework with figures, computed by the measures app, and a report built on it."""

from decimal import Decimal as D

import pytest

from measures import calculation
from measures.models import Area, Breakdown, Measure, Objective, Period, Priority, Value
from reports.models import Block, GlossaryTerm, MeasureComment, Report, Section

QUARTER = "2020-21-Q3"


def make_areas():
    force = Area.objects.create(code="west-yorkshire", name="West Yorkshire", order=0)
    districts = [
        Area.objects.create(code=code, name=code.title(), parent=force, order=n)
        for n, code in enumerate(["bradford", "leeds"], 1)
    ]
    return force, districts


def put(measure, area, code, value, breakdown=None, **fields):
    period = Period.objects.for_codes([code])[code]
    return Value.objects.create(
        measure=measure, area=area, period=period, breakdown=breakdown,
        value=None if value is None else D(str(value)), **fields,
    )


def make_measure(objective, code, **fields):
    defaults = dict(
        name=code.replace("-", " ").capitalize(), unit="count", decimals=0, polarity="lower",
        aggregation="sum", comparison="12-months", band=D(1), is_headline=True,
    )
    return Measure.objects.create(objective=objective, code=code, **{**defaults, **fields})


def make_framework(*, extra_measures: int = 0):
    """Total crime (a fall: better), a satisfaction rate (a rise), a CSEW figure that is not
    available, a new measure with no comparison, and ``extra_measures`` more counts."""
    force, districts = make_areas()
    crime = Priority.objects.create(name="Tackle crime and anti-social behaviour", slug="tackle-crime", order=1)
    victims = Priority.objects.create(name="Support victims and witnesses", slug="support-victims", order=2)
    reduce = Objective.objects.create(priority=crime, name="Reduce the volume of crimes", order=1)
    satisfy = Objective.objects.create(priority=victims, name="More victims will be satisfied", order=1)

    total = make_measure(reduce, "total-recorded-crime", name="Total recorded crime", order=1)
    put(total, force, "12M-2019-12", 292070)
    put(total, force, "12M-2020-12", 258882)
    for area, before, after in [(districts[0], 70000, 63406), (districts[1], 105000, 90669)]:
        put(total, area, "12M-2019-12", before)
        put(total, area, "12M-2020-12", after)
    csew = make_measure(
        reduce, "csew-household-crime", name="Experience of household crime (CSEW)",
        unit="percentage", decimals=1, aggregation="none", band=D("1.5"), order=2,
    )
    put(csew, force, "12M-2020-12", None, note="Not available: the CSEW is a telephone survey now")
    knife = make_measure(reduce, "knife-crime", name="Knife crime", is_new=True, order=3)
    under_25 = Breakdown.objects.create(measure=knife, code="victim-under-25", label="Victim under 25")
    put(knife, force, "12M-2019-12", 2487)
    put(knife, force, "12M-2020-12", 2237)
    put(knife, force, "12M-2019-12", 911, breakdown=under_25)
    put(knife, force, "12M-2020-12", 791, breakdown=under_25)
    referrals = make_measure(reduce, "self-referrals", name="Self-referrals", is_new=True,
                             polarity="monitor", comparison="quarter", order=4)
    put(referrals, force, QUARTER, 360)
    satisfaction = make_measure(
        satisfy, "victim-satisfaction", name="Victim satisfaction", unit="percentage", decimals=1,
        polarity="higher", aggregation="none", band=D("0.5"),
    )
    for area, before, after in [(force, "75.1", "77.4"), (districts[0], "74.8", "77.4"), (districts[1], "77.7", "81.3")]:
        put(satisfaction, area, "12M-2019-12", before)
        put(satisfaction, area, "12M-2020-12", after)
    for number in range(extra_measures):
        extra = make_measure(reduce, f"extra-{number}", name=f"Extra measure {number}", order=10 + number)
        put(extra, force, "12M-2019-12", 100 + number)
        put(extra, force, "12M-2020-12", 90 + number)
        put(extra, districts[0], "12M-2020-12", 40 + number)
    calculation.recalculate()
    return {"force": force, "districts": districts, "crime": crime, "victims": victims}


def make_report(framework, *, extra_tables: int = 0) -> Report:
    quarter = Period.objects.for_codes([QUARTER])[QUARTER]
    report = Report.objects.create(
        period=quarter, slug="2020-21-q3", title="Delivery Quarterly Report",
        subtitle="October to December 2020",
    )
    one = Section.objects.create(report=report, order=1, number="1", title="Current measures")
    Block.objects.create(section=one, order=1, kind=Block.Kind.CURRENT_MEASURES, config={"caption": "Current measures"})
    two = Section.objects.create(
        report=report, order=2, number="2", title="Tackling crime and anti-social behaviour",
        priority=framework["crime"],
    )
    Block.objects.create(section=two, order=1, kind=Block.Kind.COMMENTARY, number="2.1",
                         heading="Objective: Significantly reduce the volume of crimes")
    Block.objects.create(section=two, order=2, kind=Block.Kind.COMMENTARY, number="2.1.2",
                         text="Total Crime **is still reducing**.<script>alert(1)</script>")
    Block.objects.create(section=two, order=3, kind=Block.Kind.MEASURE_TABLE, config={
        "caption": "Recorded crime by district", "layout": "grid", "row_heading": "Recorded crime",
        "defaults": {"measure": "total-recorded-crime"},
        "rows": [{"period": "12M-2019-12"}, {"period": "12M-2020-12"}],
        "columns": [{"area": "west-yorkshire"}, {"area": "bradford"}, {"area": "leeds"}],
    })
    Block.objects.create(section=two, order=4, kind=Block.Kind.MEASURE_TABLE, config={
        "caption": "Knife crime", "layout": "comparison", "row_heading": "Crime type",
        "defaults": {"measure": "knife-crime"},
        "rows": [{"label": "Total recorded"}, {"breakdown": "victim-under-25"}],
    })
    Block.objects.create(section=two, order=5, kind=Block.Kind.CHART, config={
        "title": "Total recorded crime, 12 months to December", "chart": "bar",
        "defaults": {"measure": "total-recorded-crime"},
        "rows": [{"period": "12M-2019-12", "label": "2019"}, {"period": "12M-2020-12", "label": "2020"}],
        "columns": [{"area": "west-yorkshire"}, {"area": "bradford"}, {"area": "leeds"}],
    })
    for number in range(extra_tables):
        Block.objects.create(section=two, order=10 + number, kind=Block.Kind.MEASURE_TABLE, config={
            "caption": f"Extra table {number}", "layout": "comparison",
            "rows": [{"measure": f"extra-{number}"}],
        })
    Block.objects.create(section=two, order=50, kind=Block.Kind.DELIVERY_UPDATES, number="2.7",
                         heading="Update on delivery from OPCC, police and partners")
    five = Section.objects.create(
        report=report, order=5, number="5", title="Supporting victims and witnesses",
        priority=framework["victims"],
    )
    Block.objects.create(section=five, order=1, kind=Block.Kind.MEASURE_TABLE, config={
        "caption": "User satisfaction", "layout": "comparison", "transpose": True,
        "defaults": {"measure": "victim-satisfaction"},
        "rows": [{"area": "west-yorkshire"}, {"area": "bradford"}, {"area": "leeds"}],
    })
    glossary = Section.objects.create(report=report, order=9, title="Glossary")
    Block.objects.create(section=glossary, order=1, kind=Block.Kind.GLOSSARY)
    GlossaryTerm.objects.create(term="IOM", definition="Integrated Offender Management.")
    GlossaryTerm.objects.create(term="=cmd|' /C calc'!A0", definition="A hostile term.")
    MeasureComment.objects.create(
        report=report, measure=Measure.objects.get(code="total-recorded-crime"),
        text="Total crime is still reducing.",
    )
    return report


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no page in memory, so what it reads comes from the database."""
    from reports.views import page_cache

    page_cache.clear()
    yield
    page_cache.clear()


@pytest.fixture
def framework(db):
    return make_framework()


@pytest.fixture
def report(framework):
    return make_report(framework)
