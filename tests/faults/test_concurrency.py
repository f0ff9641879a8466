"""Two people, or two workers, changing the same thing at the same moment: nothing lost, nothing doubled.

Already covered elsewhere, and not repeated here:
- two publications of one report at the same moment (the service, in two threads):
  tests/reports/test_publishing.py::test_two_publications_at_the_same_moment_create_one_version;
- the second of two partners' saves gets the conflict message and keeps both texts (two requests
  one after the other, both from version 1): tests/delivery/test_locking.py.
"""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection, transaction

from delivery import services as delivery
from delivery.models import DeliveryUpdate
from delivery.services import EditConflict, KpiData, UpdateContent
from jobs import running
from jobs.models import Job
from measures import calculation, importing
from measures.models import Area, Measure, Objective, Period, Priority, Value
from reports.models import ReportVersion
from reports.services import run_publish_job
from tests.delivery.factories import ObligationFactory, RoundFactory
from tests.faults import data
from tests.reports.conftest import make_framework, make_report

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls):
    """Run the calls in threads released together; what each returned or raised, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_staff_publishing_the_same_report_at_once_make_one_version(staff_user):
    report = make_report(make_framework())
    # Both clicked "Publish" on the page that offered version 1, and two workers took the jobs.
    first, second = (
        Job.objects.create(
            kind="report-publish", description="Publish version 1", task_name="reports.publish_report",
            arguments={"report_id": report.pk, "number": 1, "note": ""}, requested_by=staff_user,
        )
        for _ in range(2)
    )
    outcomes = at_once(*(lambda job=job: running.run_job(job.pk, run_publish_job) for job in (first, second)))

    assert list(ReportVersion.objects.values_list("number", flat=True)) == [1]
    states = sorted(Job.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", "error"))
    assert [state for state, _ in states] == [Job.State.FAILED, Job.State.SUCCEEDED]
    assert "Version 1 was published while this one was being prepared" in states[0][1]
    assert sum(isinstance(outcome, Exception) for outcome in outcomes) == 1


def test_two_partners_saving_one_update_at_the_same_moment_keep_one_whole_version(
    organisation, partner_user, other_partner_user
):
    from tests.factories import UserFactory
    from organisations import roles

    colleague = UserFactory(username="colleague", role=roles.PARTNER, organisation=organisation)
    round = RoundFactory()
    priority = Priority.objects.create(name="Tackle crime", slug="tackle-crime")
    ObligationFactory(round=round, organisation=organisation, priority=priority)
    update = delivery.update_create(
        organisation=organisation, period=round.period, priority=priority, author=partner_user,
        content=UpdateContent(title="Project", body="First words."),
    )

    def save(editor, words, kpi):
        return lambda: delivery.update_save(
            update=DeliveryUpdate.objects.get(pk=update.pk), editor=editor, expected_version=1,
            content=UpdateContent(title=words, body=words, kpis=(KpiData(label=kpi, q1="1"),)),
        )

    outcomes = at_once(save(partner_user, "Bilal's words", "Bilal's KPI"), save(colleague, "Cara's words", "Cara's KPI"))

    conflicts = [outcome for outcome in outcomes if isinstance(outcome, EditConflict)]
    assert len(conflicts) == 1, outcomes
    assert "saved this update after you opened it, so your changes have not been saved" in str(conflicts[0])
    update.refresh_from_db()
    winner = update.body.split("'")[0]
    assert update.version == 2 and update.title == update.body
    assert list(update.kpis.values_list("label", flat=True)) == [f"{winner}'s KPI"]  # not a mix of both


def test_an_import_while_a_recalculation_runs_ends_with_the_results_of_a_recalculation_from_scratch():
    """A full recalculation computes a rate's inputs, then the import changes one of them and its
    own recalculation runs to the end; only then does the full run reach the rate."""
    force = Area.objects.create(code="west-yorkshire", name="West Yorkshire")
    objective = Objective.objects.create(
        priority=Priority.objects.create(name="Safeguard", slug="safeguard"), name="Domestic abuse"
    )

    def measure(code, **fields):
        defaults = dict(unit="count", polarity="lower", aggregation="sum", comparison="12-months")
        return Measure.objects.create(objective=objective, code=code, name=code, **{**defaults, **fields})

    incidents, crimes = measure("domestic-incidents"), measure("domestic-crimes")
    measure("conversion", unit="percentage", decimals=1, aggregation="none", polarity="monitor",
            numerator=crimes, denominator=incidents, factor=D(100))
    periods = Period.objects.for_codes(["12M-2019-12", "12M-2020-12"])
    for source, (before, after) in [(incidents, (48000, 48760)), (crimes, (37000, 38089))]:
        Value.objects.create(measure=source, area=force, period=periods["12M-2019-12"], value=D(before))
        Value.objects.create(measure=source, area=force, period=periods["12M-2020-12"], value=D(after))
    calculation.recalculate()

    inputs_done, import_done = threading.Event(), threading.Event()

    def full_run_pausing_before_the_rate():
        def progress(done, total):
            if done == 2:  # both inputs computed, the rate next
                inputs_done.set()
                assert import_done.wait(timeout=30)

        try:
            calculation.recalculate(progress=progress)
        finally:
            connection.close()

    full_run = threading.Thread(target=full_run_pausing_before_the_rate)
    full_run.start()
    assert inputs_done.wait(timeout=30)
    with transaction.atomic():  # the import's own recalculation runs (in-process) as it commits
        summary = importing.import_values(
            source=b"measure,area,period,value\ndomestic-crimes,west-yorkshire,12M-2020-12,40000\n",
            filename="values.csv",
        )
    assert summary.written and summary.changed == 1
    import_done.set()
    full_run.join(timeout=60)

    assert data.stored_results() == data.results_from_scratch()
