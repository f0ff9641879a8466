"""A large import confirmed in the admin runs in a real Celery worker, with progress on its job."""

import pytest
from django.db import transaction

from jobs import running
from jobs.models import Job
from measures import importing, tasks
from measures.models import Value
from tests.factories import UserFactory
from tests.measures.importing_data import csv_file, make_framework
from tests.waiting import wait_for_job




def _queue(content: bytes, user) -> Job:
    name, sha256 = importing.store_upload(content, "figures.csv")
    with transaction.atomic():
        return running.enqueue(
            tasks.import_values_file, kind="import", description="Import figures from figures.csv",
            user=user, upload=name, sha256=sha256, filename="figures.csv", user_id=user.pk,
        )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.worker
def test_a_large_import_runs_in_a_worker_with_progress_on_its_job(celery_worker):
    make_framework()
    analyst = UserFactory(username="analyst")
    rows = [
        ["total-recorded-crime", area, "", f"{year}-{month:02d}", f"{year * month:,}", "", "", ""]
        for area in ["west-yorkshire", "bradford"] for year in range(2013, 2023) for month in range(1, 13)
    ]
    job = wait_for_job(_queue(csv_file(rows), analyst))
    assert job.state == Job.State.SUCCEEDED, job.error
    assert job.result["new"] == len(rows) and job.result["written"] is True
    assert (job.done, job.total) == (len(rows), len(rows))
    assert job.message.startswith("Wrote 240 of 240")
    assert Value.objects.filter(entered_by=analyst).count() == len(rows)


@pytest.mark.worker
def test_a_file_with_errors_fails_its_job_with_the_row_errors_and_writes_nothing(celery_worker):
    make_framework()
    analyst = UserFactory(username="analyst")
    content = csv_file([
        ["total-recorded-crime", "west-yorkshire", "", "2020-12", "1", "", "", ""],
        ["total-recorded-crime", "york", "", "2020-12", "1", "", "", ""],
    ])
    job = wait_for_job(_queue(content, analyst))
    assert job.state == Job.State.FAILED
    assert "Row 3, column area: Unknown area “york”" in job.error
    assert not Value.objects.exists()


@pytest.mark.worker
def test_a_job_whose_upload_changed_fails_and_writes_nothing(celery_worker):
    make_framework()
    analyst = UserFactory(username="analyst")
    name, sha256 = importing.store_upload(csv_file([]), "figures.csv")
    with transaction.atomic():
        job = running.enqueue(
            tasks.import_values_file, kind="import", description="Import", user=analyst,
            upload=name, sha256="0" * 64, filename="figures.csv", user_id=analyst.pk,
        )
    job = wait_for_job(job)
    assert job.state == Job.State.FAILED
    assert "The file changed after it was previewed" in job.error
