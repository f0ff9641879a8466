"""Fixtures shared by every test: one user and one client per role, and a real Celery worker."""

import pytest
from django.test import Client

from organisations import roles
from pccsite.celery import app as celery_app
from tests.factories import OrganisationFactory, UserFactory


@pytest.fixture(autouse=True, scope="session")
def tasks_run_in_process():
    """By default tasks run inline so tests see their effect; `celery_worker` switches to Redis."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Stored files (report PDFs, uploads awaiting confirmation) never land in the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def everything_published(db):
    """A report version published far in the future, so every figure counts as public.

    For tests of how pages show figures; which figures are public is tested on its own.
    """
    import datetime

    from django.utils import timezone

    from measures.models import Period
    from reports.models import Report, ReportVersion

    period = Period.objects.for_codes(["2099-00-Q4"])["2099-00-Q4"]
    report = Report.objects.create(period=period, slug="far-future", status=Report.Status.PUBLISHED)
    return ReportVersion.objects.create(
        report=report, number=1, title="Far future", period_label=period.label, body_html="",
        published_at=timezone.make_aware(datetime.datetime(2099, 12, 31)),
    )


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Bradford Partnership", slug="bradford-partnership")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Leeds Partnership", slug="leeds-partnership")


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff", role=roles.OPCC_STAFF)


@pytest.fixture
def partner_user(organisation):
    return UserFactory(username="partner-a", role=roles.PARTNER, organisation=organisation)


@pytest.fixture
def other_partner_user(other_organisation):
    return UserFactory(username="partner-b", role=roles.PARTNER, organisation=other_organisation)


@pytest.fixture
def panel_user(db):
    return UserFactory(username="panel", role=roles.PANEL)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def anonymous_client():
    return Client()


@pytest.fixture
def staff_client(staff_user):
    return _client_for(staff_user)


@pytest.fixture
def partner_client(partner_user):
    return _client_for(partner_user)


@pytest.fixture
def other_partner_client(other_partner_user):
    return _client_for(other_partner_user)


@pytest.fixture
def panel_client(panel_user):
    return _client_for(panel_user)


@pytest.fixture
def role_clients(anonymous_client, partner_client, other_partner_client, panel_client, staff_client):
    return {
        "anonymous": anonymous_client,
        "partner": partner_client,
        "other-partner": other_partner_client,
        "panel": panel_client,
        "staff": staff_client,
    }


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker, in a thread, consuming from the Redis broker the tests use."""
    from celery.contrib.testing.worker import start_worker

    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("CELERY_BROKER_URL is not set: `make test` sets it to the local Redis")
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield celery_app
    finally:
        celery_app.conf.task_always_eager = True
