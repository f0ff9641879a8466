"""Fixtures for the access tests: one of everything the app holds, and a snapshot of the database.

`access_world` makes at least one row of every model the admin shows, so every URL that names an
object can be tried with a real one: a published report (2020-21-q3) and a draft (2020-21-q4),
delivery updates of organisation A (Bradford Partnership, `partner_user`) and B (Leeds
Partnership, `other_partner_user`), a survey with results, a job, data quality flags and sign-in
records. `access_snapshot` reads every table that a refused request must leave as it was, in one
query.
"""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone


@pytest.fixture
def access_fast_passwords(settings):
    # Several users per test; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class AccessWorld:
    report_slug: str
    draft_slug: str
    table_key: int
    draft_table_key: int
    a_draft: object
    a_submitted: object
    b_draft: object
    priority_slug: str
    measure_code: str
    survey: object
    wave: object
    question: object
    version: object
    objects: dict  # "app_label.model_name" -> a primary key the admin can show


@pytest.fixture
def access_world(access_fast_passwords, organisation, other_organisation, partner_user, other_partner_user,
                 staff_user, panel_user) -> AccessWorld:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin import site

    from delivery import services as delivery_services
    from delivery.models import Reminder
    from delivery.services import KpiData, QuotationData, UpdateContent
    from jobs.models import Job
    from measures.models import Area, Measure, Period, PrintedFigure, QualityFlag, Recalculation
    from reports.models import Block
    from reports.services import report_copy_structure, report_publish
    from tests.delivery.factories import ObligationFactory, RoundFactory
    from tests.reports.conftest import make_framework, make_report
    from tests.surveys.factories import SurveyFactory, WaveFactory, link, rating_question, result

    framework = make_framework()
    report = make_report(framework)
    version = report_publish(report=report, user=None)
    draft = report_copy_structure(report=report, period="2020-21-Q4", user=None)

    round_ = RoundFactory()
    for org in (organisation, other_organisation):
        for priority in (framework["crime"], framework["victims"]):
            ObligationFactory(round=round_, organisation=org, priority=priority)

    def write(org, author, priority, title):
        return delivery_services.update_create(
            organisation=org, period=round_.period, priority=priority, author=author,
            content=UpdateContent(
                title=title, body="The one to one work is **still taking place**.",
                key_facts="High engagement.",
                kpis=(KpiData(label="% of successful completions", q1="40%", q2="40%", q3="47%"),),
                quotations=(QuotationData(text="The trust built up.", attribution="Inspector, WYP"),),
            ),
        )

    a_draft = write(organisation, partner_user, framework["crime"], "Bradford draft")
    a_submitted = write(organisation, partner_user, framework["victims"], "Bradford submitted")
    a_submitted = delivery_services.update_submit(
        update=a_submitted, user=partner_user, expected_version=a_submitted.version
    )
    b_draft = write(other_organisation, other_partner_user, framework["crime"], "Leeds draft")
    Reminder.objects.create(round=round_, organisation=organisation, kind=Reminder.Kind.WEEK_BEFORE)

    force = Area.objects.get(code="west-yorkshire")
    survey = SurveyFactory(name="Community Conversation", slug="community-conversation")
    wave = WaveFactory(survey=survey, code="2020-10", label="October 2020")
    question = rating_question(survey)
    result(wave, question, force, "good", "40", base=200)
    link(Measure.objects.get(code="victim-satisfaction"), question, "good-very-good")

    total = Measure.objects.get(code="total-recorded-crime")
    period = Period.objects.for_codes(["12M-2020-12"])["12M-2020-12"]
    QualityFlag.objects.create(
        measure=total, area=force, period=period, kind=QualityFlag.Kind.DISTRICTS,
        given=1, expected=2, message="Force figure disagrees with the sum of its districts",
        computed_at=timezone.now(),
    )
    PrintedFigure.objects.create(
        measure=total, area=force, period=period, figure=PrintedFigure.Figure.DIFFERENCE,
        printed=-33188, source="Report, October to December 2020",
    )
    Recalculation.objects.get_or_create(measure=total)
    Job.objects.create(kind="import", description="Import figures from figures.csv",
                       task_name="measures.import_values_file", requested_by=staff_user)
    common = dict(user_agent="test", ip_address="127.0.0.1", username="partner-a",
                  http_accept="text/html", path_info="/sign-in/")
    AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**common)
    AccessFailureLog.objects.create(**common)

    objects = {}
    for model in site._registry:
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        if label == "pghistory.events":
            # The audit trail's events are a view over every event table with no rows of its
            # own: any id will do, staff may not open it and nobody else reaches the admin.
            objects[label] = 1
            continue
        first = model._default_manager.order_by("pk").first()
        assert first is not None, f"access_world makes no {label}: add one so its admin pages are tried"
        objects[label] = first.pk
    blocks = Block.objects.filter(kind=Block.Kind.MEASURE_TABLE)
    return AccessWorld(
        report_slug=report.slug,
        draft_slug=draft.slug,
        table_key=blocks.filter(section__report=report).first().pk,
        draft_table_key=blocks.filter(section__report=draft).first().pk,
        a_draft=a_draft, a_submitted=a_submitted, b_draft=b_draft,
        priority_slug=framework["crime"].slug,
        measure_code=total.code,
        survey=survey, wave=wave, question=question, version=version,
        objects=objects,
    )


# Every table a refused request must leave unchanged: the project's apps, users and groups, and
# the sign-in records. Sessions are left out: reading a page may touch one.
SNAPSHOT_APPS = ("organisations", "jobs", "measures", "reports", "delivery", "surveys", "auth", "axes")


def _snapshot_sql() -> str:
    tables = sorted({
        model._meta.db_table
        for app_label in SNAPSHOT_APPS
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    })
    quote = connection.ops.quote_name
    return " UNION ALL ".join(
        f"SELECT '{table}', count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
        f"FROM {quote(table)} t"
        for table in tables
    )


@pytest.fixture
def access_snapshot(db):
    """A callable giving {table: (row count, hash of its rows)} for every table above."""
    sql = _snapshot_sql()

    def snapshot() -> dict[str, tuple[int, str]]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return {table: (count, digest) for table, count, digest in cursor.fetchall()}

    return snapshot
