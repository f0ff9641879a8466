"""Staff assemble, publish and copy reports in the admin; published versions are read-only."""

import pytest

from jobs.models import Job
from reports.models import Block, Report, ReportVersion
from reports.services import report_publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_staff_can_open_every_reports_admin_page(report, staff_client):
    report_publish(report=report, user=None)
    section = report.sections.first()
    version = ReportVersion.objects.get()
    for path in [
        "/admin/reports/report/", f"/admin/reports/report/{report.pk}/change/",
        f"/admin/reports/section/{section.pk}/change/", "/admin/reports/reportversion/",
        f"/admin/reports/reportversion/{version.pk}/change/", "/admin/reports/glossaryterm/",
        f"/admin/reports/report/{report.pk}/publish/", f"/admin/reports/report/{report.pk}/copy-structure/",
    ]:
        assert staff_client.get(path).status_code == 200, path
    page = staff_client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert "/reports/2020-21-q3/preview/" in page and "Version 1" in page


@pytest.mark.parametrize("role", ["anonymous", "partner", "panel"])
def test_only_staff_reach_the_publish_page(report, role_clients, role):
    response = role_clients[role].get(f"/admin/reports/report/{report.pk}/publish/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_publishing_from_the_admin_queues_a_job_that_publishes(report, staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/admin/reports/report/{report.pk}/publish/", {"note": ""})
    job = Job.objects.get(kind="report-publish")
    assert response.status_code == 302 and response["Location"] == f"/admin/jobs/job/{job.pk}/change/"
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert ReportVersion.objects.get().number == 1


def test_a_revision_from_the_admin_needs_a_note_and_queues_nothing_without_one(report, staff_client):
    report_publish(report=report, user=None)
    response = staff_client.post(f"/admin/reports/report/{report.pk}/publish/", {"note": "  "})
    assert response.status_code == 200
    assert "Version 2 revises a published report: say what changed and why." in response.content.decode()
    assert not Job.objects.filter(kind="report-publish").exists()


def test_copying_the_structure_from_the_admin_creates_a_draft(report, staff_client):
    response = staff_client.post(f"/admin/reports/report/{report.pk}/copy-structure/", {"period": "2020-21-Q4"})
    copy = Report.objects.get(slug="2020-21-q4")
    assert response.status_code == 302 and response["Location"] == f"/admin/reports/report/{copy.pk}/change/"
    bad = staff_client.post(f"/admin/reports/report/{report.pk}/copy-structure/", {"period": "2020-21-Q3"})
    assert "There is already a report for" in bad.content.decode()
    bad = staff_client.post(f"/admin/reports/report/{report.pk}/copy-structure/", {"period": "Q5"})
    assert "is not a period code" in bad.content.decode()
    assert Report.objects.count() == 2


def test_a_bad_block_configuration_is_refused_in_the_admin_and_changes_nothing(report, staff_client):
    section = report.sections.get(number="2")
    blocks = list(section.blocks.order_by("order", "pk"))
    data = {
        "report": report.pk, "order": section.order, "number": section.number, "title": section.title,
        "priority": section.priority_id,
        "blocks-TOTAL_FORMS": len(blocks) + 1, "blocks-INITIAL_FORMS": len(blocks),
        "blocks-MIN_NUM_FORMS": 0, "blocks-MAX_NUM_FORMS": 1000,
    }
    import json

    for index, block in enumerate(blocks):
        data.update({
            f"blocks-{index}-id": block.pk, f"blocks-{index}-section": section.pk,
            f"blocks-{index}-order": block.order, f"blocks-{index}-kind": block.kind,
            f"blocks-{index}-number": block.number, f"blocks-{index}-heading": block.heading,
            f"blocks-{index}-text": block.text, f"blocks-{index}-config": json.dumps(block.config),
        })
    new = len(blocks)
    data.update({
        f"blocks-{new}-section": section.pk, f"blocks-{new}-order": 99, f"blocks-{new}-kind": "measure-table",
        f"blocks-{new}-number": "", f"blocks-{new}-heading": "", f"blocks-{new}-text": "",
        f"blocks-{new}-config": json.dumps({"caption": "Oops", "rows": [{"measure": "no-such-measure"}]}),
    })
    response = staff_client.post(f"/admin/reports/section/{section.pk}/change/", data)
    assert response.status_code == 200
    assert "There is no measure with the code “no-such-measure”." in response.content.decode()
    assert section.blocks.count() == len(blocks)
    assert not Block.objects.filter(config__caption="Oops").exists()


def test_published_versions_cannot_be_changed_or_deleted_in_the_admin(report, staff_client):
    version = report_publish(report=report, user=None)
    response = staff_client.post(f"/admin/reports/reportversion/{version.pk}/change/", {"note": "tampered"})
    assert response.status_code == 403
    assert staff_client.post(f"/admin/reports/reportversion/{version.pk}/delete/", {"post": "yes"}).status_code == 403
    version.refresh_from_db()
    assert version.note == ""
