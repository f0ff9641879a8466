from decimal import Decimal as D

import pytest
from django.db import transaction

from jobs.models import Job
from measures import recalculation
from measures.models import Area, Measure, Objective, Period, Priority, Recalculation, Result, Value
from tests.waiting import wait_for_job




@pytest.mark.worker
def test_saving_a_figure_recalculates_its_results_through_a_real_worker(celery_worker):
    force = Area.objects.create(code="west-yorkshire", name="West Yorkshire")
    priority = Priority.objects.create(name="Tackle crime", slug="tackle-crime")
    objective = Objective.objects.create(priority=priority, name="Reduce crime")
    crime = Measure.objects.create(
        objective=objective, code="total-recorded-crime", name="Total recorded crime",
        unit="count", polarity="lower", aggregation="sum", comparison="12-months",
    )
    codes = Period.objects.for_codes(["12M-2019-12", "12M-2020-12"])
    with transaction.atomic():
        Value.objects.create(measure=crime, area=force, period=codes["12M-2019-12"], value=D(292070))
        Value.objects.create(measure=crime, area=force, period=codes["12M-2020-12"], value=D(258882))
        job = recalculation.request_recalculation([crime.pk])
        assert Recalculation.objects.filter(measure=crime).exists()
    job = wait_for_job(job)
    assert job.state == Job.State.SUCCEEDED, job.error
    assert job.result["results_created"] == 2
    assert (job.done, job.total) == (1, 1)
    row = Result.objects.get(measure=crime, period__code="12M-2020-12")
    assert row.difference == D(-33188)
    assert not Recalculation.objects.exists()

    # Run the same job again (as a redelivery would): identical rows, nothing written.
    before = list(Result.objects.values())
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
    from measures import tasks

    tasks.recalculate.delay(job.pk)
    job = wait_for_job(job)
    assert job.result["results_created"] == 0 and job.result["results_updated"] == 0
    assert list(Result.objects.values()) == before


@pytest.mark.worker
def test_a_full_recalculation_in_shares_gives_the_same_results_as_one_run(celery_worker):
    """Shares run as separate jobs; a formula measure in one share needs inputs from another."""
    force = Area.objects.create(code="west-yorkshire", name="West Yorkshire")
    priority = Priority.objects.create(name="Tackle crime", slug="tackle-crime")
    objective = Objective.objects.create(priority=priority, name="Reduce crime")

    def measure(code, **fields):
        defaults = dict(unit="count", polarity="lower", aggregation="sum", comparison="12-months")
        return Measure.objects.create(objective=objective, code=code, name=code, **{**defaults, **fields})

    incidents, crimes = measure("domestic-incidents"), measure("domestic-crimes")
    conversion = measure(
        "conversion", unit="percentage", decimals=1, aggregation="none", polarity="monitor",
        numerator=crimes, denominator=incidents, factor=D(100),
    )
    codes = Period.objects.for_codes(["12M-2019-12", "12M-2020-12"])
    for source, (before, after) in [(incidents, (48000, 48760)), (crimes, (37000, 38089))]:
        Value.objects.create(measure=source, area=force, period=codes["12M-2019-12"], value=D(before))
        Value.objects.create(measure=source, area=force, period=codes["12M-2020-12"], value=D(after))

    with transaction.atomic():
        jobs = recalculation.request_full_recalculation(shares=3)
    assert [job.arguments["measure_ids"] for job in jobs] == [[incidents.pk], [crimes.pk], [conversion.pk]]
    for job in jobs:
        assert wait_for_job(job).state == Job.State.SUCCEEDED
    assert not Recalculation.objects.exists()
    rate = Result.objects.get(measure=conversion, period__code="12M-2020-12")
    assert rate.current.quantize(D("0.001")) == D("78.115")

    from measures import calculation

    again = calculation.recalculate()  # everything in one run: nothing differs
    assert again.results_touched == 0
