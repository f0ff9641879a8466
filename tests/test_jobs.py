from datetime import timedelta

import pytest
from celery import shared_task
from django.db import transaction
from django.utils import timezone

from jobs import running
from jobs.models import Job
from tests.waiting import wait_for_job


@shared_task(name="tests.count_to")
def count_to(job_id: int) -> None:
    def work(job: Job) -> dict:
        total = job.arguments["total"]
        for done in range(1, total + 1):
            job.record_progress(done, total, f"counted {done}")
        return {"counted": total}

    running.run_job(job_id, work)


@shared_task(name="tests.fail")
def fail(job_id: int) -> None:
    def work(job: Job) -> dict:
        raise ValueError("the figures did not add up")

    running.run_job(job_id, work)




@pytest.mark.worker
def test_a_real_worker_runs_a_task_and_the_job_row_records_it(celery_worker):
    with transaction.atomic():
        job = running.enqueue(count_to, kind="test", description="Count to five", total=5)
        assert job.state == Job.State.QUEUED
    job = wait_for_job(job)
    assert job.state == Job.State.SUCCEEDED
    assert (job.done, job.total, job.percent_done) == (5, 5, 100)
    assert job.result == {"counted": 5}
    assert job.started_at <= job.finished_at
    assert job.attempts == 1


@pytest.mark.worker
def test_a_failing_task_records_its_error_on_the_job_row(celery_worker):
    with transaction.atomic():
        job = running.enqueue(fail, kind="test", description="Fail")
    job = wait_for_job(job)
    assert job.state == Job.State.FAILED
    assert job.error == "ValueError: the figures did not add up"


def test_a_job_is_only_sent_once_its_transaction_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = running.enqueue(count_to, kind="test", description="Count", total=2)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED
    callbacks[0]()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED


def test_a_finished_job_is_not_run_twice(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = running.enqueue(count_to, kind="test", description="Count", total=3)
    job.refresh_from_db()
    running.run_job(job.pk, lambda job: pytest.fail("ran again"))
    job.refresh_from_db()
    assert job.attempts == 1


def test_jobs_left_queued_are_sent_again_by_the_sweeper(db):
    job = Job.objects.create(kind="test", description="Stuck", task_name="tests.count_to", arguments={"total": 1})
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert running.requeue_stale_jobs() == 1
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED


def test_a_running_job_that_went_silent_is_sent_again_and_its_interruption_recorded(db):
    """Its worker was lost and the broker lost the task too: nobody else would ever run it."""
    job = Job.objects.create(kind="test", description="Orphaned", task_name="tests.count_to", arguments={"total": 1})
    job.mark_running()
    job.record_progress(0, 1, "counting")
    assert running.requeue_stale_jobs(silent_for=timedelta(hours=2)) == 0  # still talking
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=3))
    assert running.requeue_stale_jobs(silent_for=timedelta(hours=2)) == 1
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.attempts == 2
    assert "stopped without finishing at 0 of 1 (counting); started again" in job.interruptions


def test_by_default_a_running_job_waits_twice_the_visibility_timeout_before_it_is_sent_again(db, settings):
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    job = Job.objects.create(kind="test", description="Slow", task_name="tests.count_to", arguments={"total": 1})
    job.mark_running()
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=timeout + 60))
    assert running.requeue_stale_jobs() == 0
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=2 * timeout + 60))
    assert running.requeue_stale_jobs() == 1
