"""Redis stopped, or hung (accepting connections and never answering), under a real gunicorn.

Pages never touch the broker, so they render as usual; /healthz says 503 within its two-second
timeout. Saving a figure or submitting a delivery update still succeeds: the job (and, for
figures, the outbox mark) is written in the same transaction as the change, and sending it
fails after the broker's short socket timeouts without failing the request. When Redis is back,
the tasks beat runs (`jobs.requeue_stale_jobs`, `measures.sweep_recalculations`) send what was
left queued, and a worker does it.
"""

import warnings
from datetime import timedelta

import pytest
from celery.exceptions import AlwaysEagerIgnored
from django.utils import timezone

from delivery import services as delivery
from delivery.models import DeliveryUpdate, Status, Transition
from delivery.services import UpdateContent
from jobs.models import Job
from measures.models import Recalculation, Result, Value
from reports.services import report_publish
from tests.delivery.factories import ObligationFactory, RoundFactory
from pccsite.celery import app as celery_app
from tests.faults.conftest import HANG, Browser, HungBroker, free_port, wait_until
from tests.reports.conftest import make_framework, make_report
from tests.waiting import wait_for_job

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Printed by the -s option, and kept for bench/RESULTS.md: how long each page took.
timings: dict[str, dict[str, float]] = {}


@pytest.fixture
def published(staff_user, partner_user, organisation):
    framework = make_framework()
    report = make_report(framework)
    report_publish(report=report, user=staff_user)
    round = RoundFactory()
    ObligationFactory(round=round, organisation=organisation, priority=framework["crime"])
    draft = delivery.update_create(
        organisation=organisation, period=round.period, priority=framework["crime"], author=partner_user,
        content=UpdateContent(title="Breaking the Cycle project", body="Work continued."),
    )
    return {"report": report, "draft": draft}


def break_broker(how: str, port: int, start_redis):
    """The broker on `port`, in the state `how` names; returns what to close before restarting it."""
    if how == "stopped":
        redis = start_redis(port)
        redis.stop()
        return None
    return HungBroker(port)


@pytest.mark.parametrize("how", ["stopped", "hung"])
def test_pages_render_and_saves_succeed_while_the_broker_is_away_and_the_work_is_done_once_it_is_back(
    how, published, staff_user, partner_user, start_web, start_redis, start_celery_worker
):
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    hung = break_broker(how, port, start_redis)
    web = start_web(CELERY_BROKER_URL=broker_url)

    # Pages: everyone can still read.
    reader = Browser(web)
    seen = {}
    for name, path in [
        ("home", "/"), ("published report", f"/reports/{published['report'].slug}/"),
        ("measure page", "/measures/total-recorded-crime/"), ("healthz", "/healthz"),
    ]:
        response = reader.get(path)  # fails the test if it takes longer than HANG seconds
        seen[name] = response
        timings.setdefault(how, {})[name] = round(response.seconds, 2)
    assert [seen[name].status for name in ["home", "published report", "measure page"]] == [200, 200, 200]
    assert "Total recorded crime" in seen["published report"].body
    assert seen["healthz"].status == 503
    assert '"broker": {"ok": false' in seen["healthz"].body and '"database": {"ok": true' in seen["healthz"].body

    # Staff change a figure in the admin: saved, and the page says it will be recalculated.
    figure = Value.objects.get(measure__code="total-recorded-crime", area__code="west-yorkshire",
                               period__code="12M-2020-12")
    staff = Browser(web, staff_user)
    saved = staff.post(f"/admin/measures/value/{figure.pk}/change/", {
        "measure": figure.measure_id, "area": figure.area_id, "breakdown": "", "period_code": "12M-2020-12",
        "value": "250,000", "numerator": "", "denominator": "", "note": "", "source": "", "data_as_at": "",
        "_save": "Save",
    })
    timings[how]["admin figure save"] = round(saved.seconds, 2)
    assert saved.status == 200 and saved.url.endswith("/admin/measures/value/"), saved.body[:2000]
    assert "The results computed from this figure will be recalculated." in saved.body
    assert "queued." in saved.body
    figure.refresh_from_db()
    assert figure.value == 250000
    recalculation = Job.objects.get(kind="recalculate")
    assert recalculation.state == Job.State.QUEUED
    assert recalculation.arguments["measure_ids"] == [figure.measure_id]
    assert Recalculation.objects.filter(measure=figure.measure_id).exists()

    # A partner saves and submits an update: both succeed; the e-mail to the OPCC waits as a job.
    draft = published["draft"]
    partner = Browser(web, partner_user)
    edited = partner.post(f"/partners/updates/{draft.pk}/edit/", {
        "title": draft.title, "body": "Written while the broker was away.", "key_facts": "",
        "version": draft.version, "next": "preview",
        "kpis-TOTAL_FORMS": "0", "kpis-INITIAL_FORMS": "0",
        "quotations-TOTAL_FORMS": "0", "quotations-INITIAL_FORMS": "0",
    })
    assert edited.status == 200, edited.body[:2000]
    submitted = partner.post(f"/partners/updates/{draft.pk}/submit/", {"version": draft.version + 1})
    timings[how]["partner submit"] = round(submitted.seconds, 2)
    assert submitted.status == 200 and "Update submitted" in submitted.body, submitted.body[:2000]
    update = DeliveryUpdate.objects.get(pk=draft.pk)
    assert (update.status, update.body) == (Status.SUBMITTED, "Written while the broker was away.")
    email = Job.objects.get(kind="delivery-email")
    assert email.state == Job.State.QUEUED

    # Redis is back. Beat's sweepers run (some minutes later: the rows are made older) ...
    if hung is not None:
        hung.close()
    start_redis(port)
    earlier = timezone.now() - timedelta(minutes=5)
    Job.objects.update(created_at=earlier)
    Recalculation.objects.update(requested_at=earlier)
    with celery_app.connection_for_write(broker_url) as broker, warnings.catch_warnings():
        # This process runs tasks in-process; these two go to the restarted broker, as beat's do.
        warnings.simplefilter("ignore", AlwaysEagerIgnored)
        for task in ["jobs.requeue_stale_jobs", "measures.sweep_recalculations"]:
            celery_app.send_task(task, connection=broker)

    # ... and a worker does the work that was waiting.
    start_celery_worker(CELERY_BROKER_URL=broker_url)
    assert wait_for_job(recalculation).state == Job.State.SUCCEEDED
    assert wait_for_job(email).state == Job.State.SUCCEEDED
    wait_until(lambda: not Recalculation.objects.exists(), what="the outbox emptying")
    wait_until(lambda: Job.objects.filter(state=Job.State.QUEUED).count() == 0, what="every job being run")
    result = Result.objects.get(measure=figure.measure_id, area=figure.area_id, period=figure.period_id)
    assert result.current == 250000 and result.difference == 250000 - 292070
    assert Transition.objects.get(update=update, action=Transition.Action.SUBMITTED).notified_at is not None
    print(f"\nbroker {how}: seconds per request {timings[how]}")
    assert max(timings[how].values()) < HANG
