"""Publishing freezes a report; revisions need a note; failures and races leave nothing half-done."""

import threading
import time
from decimal import Decimal as D

import pytest
from django.db import connection

from jobs.models import Job
from measures import calculation
from measures.models import Value
from reports import services
from reports.models import Report, ReportVersion
from reports.services import PublishError, report_publish, request_publication
from tests.reports.conftest import make_framework, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media):
    return sorted(path.name for path in media.rglob("*.pdf")) if media.exists() else []


def change_total_crime(value):
    """Edit a figure the way staff do (a Value), then recalculate its results."""
    Value.objects.filter(
        measure__code="total-recorded-crime", area__code="west-yorkshire", period__code="12M-2020-12"
    ).update(value=D(value))
    calculation.recalculate()


def test_a_published_page_does_not_change_when_a_figure_is_edited_afterwards(report, anonymous_client, staff_client):
    report_publish(report=report, user=None)
    before = anonymous_client.get("/reports/2020-21-q3/").content.decode()
    assert "258,882" in before and "−33,188 (−11.4%)" in before

    change_total_crime(250000)
    from reports.views import page_cache

    page_cache.clear()  # read the frozen version from the database again, not the shared copy
    after = anonymous_client.get("/reports/2020-21-q3/").content.decode()
    assert after == before
    preview = staff_client.get("/reports/2020-21-q3/preview/").content.decode()
    assert "250,000" in preview and "258,882" not in preview.split("Recorded crime by district")[0]


def test_a_published_download_does_not_change_when_a_result_is_edited_afterwards(report, anonymous_client):
    report_publish(report=report, user=None)
    before = anonymous_client.get("/reports/2020-21-q3/measures.csv").content
    from measures.models import Result

    Result.objects.filter(measure__code="total-recorded-crime").update(current=D(1))
    assert anonymous_client.get("/reports/2020-21-q3/measures.csv").content == before


def test_version_two_with_a_note_is_shown_with_its_note_and_version_one_stays_readable(
    report, anonymous_client, staff_user
):
    first = report_publish(report=report, user=staff_user)
    change_total_crime(250000)
    second = report_publish(report=report, user=staff_user, note="Corrected total crime for December.")
    assert (first.number, second.number) == (1, 2)

    latest = anonymous_client.get("/reports/2020-21-q3/").content.decode()
    assert "250,000" in latest
    assert "Revised on" in latest and "Corrected total crime for December." in latest
    assert 'href="/reports/2020-21-q3/v1/"' in latest

    earlier = anonymous_client.get("/reports/2020-21-q3/v1/").content.decode()
    assert "258,882" in earlier and "250,000" not in earlier
    assert "This is version 1" in earlier and "Read the latest version (version 2)" in earlier
    assert anonymous_client.get("/reports/2020-21-q3/v2/").status_code == 200
    assert anonymous_client.get("/reports/2020-21-q3/v3/").status_code == 404


def test_a_revision_without_a_note_is_refused_and_publishes_nothing(report):
    report_publish(report=report, user=None)
    with pytest.raises(PublishError, match="say what changed and why"):
        report_publish(report=report, user=None, note="   ")
    assert ReportVersion.objects.count() == 1


def test_the_database_refuses_a_revision_without_a_note(report):
    from django.db import IntegrityError, transaction

    version = report_publish(report=report, user=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.create(
            report=report, number=2, note="", title="t", period_label="p", body_html="",
            published_at=version.published_at,
        )


def test_publishing_marks_the_report_published_and_stores_a_pdf(report, media):
    version = report_publish(report=report, user=None, note="First edition")
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED
    assert version.pdf.open("rb").read(5) == b"%PDF-"
    assert version.pdf_size > 1000
    assert stored_files(media) == [version.pdf.name.rsplit("/", 1)[-1]]


def test_a_failed_pdf_leaves_the_previous_version_published_and_nothing_half_done(
    report, monkeypatch, media, anonymous_client
):
    report_publish(report=report, user=None)
    page = anonymous_client.get("/reports/2020-21-q3/").content
    files = stored_files(media)

    def broken_renderer(html, *, slug):
        raise RuntimeError("WeasyPrint ran out of memory")

    monkeypatch.setattr(services, "render_pdf", broken_renderer)
    with pytest.raises(RuntimeError):
        report_publish(report=report, user=None, note="A revision that fails")

    assert list(ReportVersion.objects.values_list("number", flat=True)) == [1]
    assert anonymous_client.get("/reports/2020-21-q3/").content == page
    assert stored_files(media) == files


def test_a_failure_after_the_version_row_is_written_rolls_it_back_and_removes_its_pdf(
    report, media, monkeypatch
):
    report_publish(report=report, user=None)
    files = stored_files(media)

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    # The report row is saved last, after the version row and its PDF: fail there.
    monkeypatch.setattr(Report, "save", failing_save)
    with pytest.raises(RuntimeError):
        report_publish(report=report, user=None, note="Will not be saved")
    assert list(ReportVersion.objects.values_list("number", flat=True)) == [1]
    assert stored_files(media) == files


def test_a_version_someone_else_published_meanwhile_is_not_overwritten(report):
    report_publish(report=report, user=None)
    with pytest.raises(PublishError, match="was published while this one was being prepared"):
        report_publish(report=report, user=None, note="Stale click", number=1)
    assert ReportVersion.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_publications_at_the_same_moment_create_one_version(media):
    report = make_report(make_framework())
    outcomes = []
    barrier = threading.Barrier(2)

    def publish():
        try:
            barrier.wait()
            outcomes.append(report_publish(report=report, user=None, number=1).number)
        except PublishError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(map(str, outcomes))[0] == "1"
    assert "was published while this one was being prepared" in str(outcomes)
    assert list(ReportVersion.objects.values_list("number", flat=True)) == [1]
    assert len(stored_files(media)) == 1


def test_a_publication_job_is_safe_to_run_twice(report, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the task runs in-process here
        job = request_publication(report=report, user=staff_user, note="")
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.result == {"version": 1, "report": "2020-21-q3"}
    assert services.run_publish_job(job) == {"version": 1, "report": "2020-21-q3"}
    assert ReportVersion.objects.count() == 1
    assert ReportVersion.objects.get().published_by == staff_user


def test_queuing_a_revision_without_a_note_is_refused_before_any_job(report, staff_user):
    report_publish(report=report, user=None)
    with pytest.raises(PublishError):
        request_publication(report=report, user=staff_user, note="")
    assert not Job.objects.filter(kind="report-publish").exists()


@pytest.mark.worker
def test_publishing_runs_in_a_celery_worker_with_progress_on_the_job(celery_worker, staff_user, media):
    report = make_report(make_framework())
    job = request_publication(report=report, user=staff_user, note="")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    assert job.state == Job.State.SUCCEEDED, job.error
    assert (job.done, job.total) == (4, 4)
    assert job.message == "Published version 1"
    version = ReportVersion.objects.get()
    assert version.job_id == job.pk and version.published_by == staff_user
