"""A Celery worker killed (SIGKILL) in the middle of a job: the job runs again and ends as if
nothing had happened.

The worker is a real `celery worker` process. Tasks are acknowledged late, so a killed worker's
message is still "unacknowledged" in Redis; the next worker that starts puts back every such
message older than the broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT, an hour in
production, one second here) and runs it again. The job row counts the attempts and says where
the lost one stopped.
"""

import time
from decimal import Decimal

import pytest
from django.db import transaction

from jobs import running
from jobs.models import Job
from measures import importing, tasks
from measures.models import Recalculation, Value
from reports.models import ReportVersion
from reports.services import request_publication
from tests.faults import data
from tests.faults.conftest import wait_until
from tests.reports.conftest import make_framework, make_report
from tests.waiting import wait_for_job

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 1


def kill_worker_mid_job(job: Job, start_celery_worker, *, under_way) -> Job:
    """Run the job in a worker, SIGKILL it once `under_way(job)`, and let a second worker finish."""
    first = start_celery_worker(CELERY_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT)

    def caught() -> bool:
        job.refresh_from_db()
        assert not job.is_finished, f"the job finished before it could be killed: {job.message}"
        return job.state == Job.State.RUNNING and under_way(job)

    wait_until(caught, timeout=60, what="the job getting under way")
    first.kill()
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING and job.attempts == 1, "the kill did not land mid-job"
    lost_at = job.message
    # A worker puts back, as it starts, the unacknowledged messages older than the timeout.
    time.sleep(VISIBILITY_TIMEOUT)
    second = start_celery_worker(CELERY_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT)
    job = wait_for_job(job, timeout=60)
    second.stop()
    assert job.state == Job.State.SUCCEEDED, job.error
    assert job.attempts == 2
    assert job.interruptions.startswith("Attempt 1, started ")
    assert f"stopped without finishing at {job.total:,}" not in job.interruptions
    assert lost_at in job.interruptions
    return job


def test_a_recalculation_killed_midway_runs_again_and_gives_the_same_results(
    celery_to_redis, start_celery_worker
):
    data.load_framework()
    with transaction.atomic():  # the import queues the recalculation as it commits
        summary = importing.import_values(source=data.values_file(), filename="values.csv")
    assert summary.written and summary.job_id
    job = Job.objects.get(pk=summary.job_id)

    job = kill_worker_mid_job(
        job, start_celery_worker, under_way=lambda job: job.total and 5 <= job.done < job.total - 5
    )
    assert (job.done, job.total) == (data.MEASURES, data.MEASURES)
    assert not Recalculation.objects.exists()  # the outbox is empty: nothing left to sweep
    after_restart = data.stored_results()
    assert after_restart == data.results_from_scratch()
    assert len(after_restart) > data.FIGURES // 3


def test_an_import_killed_while_writing_wrote_nothing_and_runs_again_to_the_same_figures(
    celery_to_redis, start_celery_worker, staff_user
):
    data.load_framework()
    content = data.values_file()
    upload, sha256 = importing.store_upload(content, "values.csv")
    with transaction.atomic():  # as the admin's confirm step queues a large file
        job = running.enqueue(
            tasks.import_values_file, kind="import", description="Import figures from values.csv",
            user=staff_user, upload=upload, sha256=sha256, filename="values.csv", user_id=staff_user.pk,
        )

    def writing(job: Job) -> bool:
        if job.message.startswith("Wrote") and job.done < job.total:
            # Caught mid-write: the import is one transaction, so nothing is visible yet.
            assert not Value.objects.exists()
            return True
        return False

    job = kill_worker_mid_job(job, start_celery_worker, under_way=writing)
    assert job.result["new"] == data.FIGURES and job.result["written"]
    figures = data.stored_values()
    assert len(figures) == data.FIGURES
    assert sum(value for *_, value in figures) == sum(
        Decimal(row[4].replace(",", "")) for row in data.generate.value_rows(data.MEASURES, data.MONTHS)
    )
    assert set(Value.objects.values_list("entered_by", flat=True)) == {staff_user.pk}

    # The import queued the recalculation of what it wrote; a worker runs it to the same results.
    recalculation = Job.objects.get(kind="recalculate")
    third = start_celery_worker()
    assert wait_for_job(recalculation).state == Job.State.SUCCEEDED
    third.stop()
    assert data.stored_results() == data.results_from_scratch()


def test_a_publication_killed_while_rendering_publishes_one_complete_version(
    celery_to_redis, start_celery_worker, staff_user, settings
):
    # Enough tables that rendering the PDF takes a moment to be killed in.
    report = make_report(make_framework(extra_measures=40), extra_tables=40)
    job = request_publication(report=report, user=staff_user, note="")

    def rendering(job: Job) -> bool:
        if job.message == "Rendering the PDF":
            assert not ReportVersion.objects.exists()
            return True
        return False

    job = kill_worker_mid_job(job, start_celery_worker, under_way=rendering)
    assert job.result == {"version": 1, "report": report.slug}
    version = ReportVersion.objects.get()  # exactly one version
    assert (version.number, version.job_id, version.published_by) == (1, job.pk, staff_user)
    assert "Extra table 39" in version.body_html
    stored = list((settings.MEDIA_ROOT / "reports").rglob("*.pdf"))
    assert [path.name for path in stored] == [version.pdf.name.rsplit("/", 1)[-1]]
    assert stored[0].read_bytes().startswith(b"%PDF") and stored[0].stat().st_size == version.pdf_size
    report.refresh_from_db()
    assert report.status == report.Status.PUBLISHED
