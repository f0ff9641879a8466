"""The scheduled task and the notification task, run by a real Celery worker over Redis."""

import datetime
import time

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from delivery import services
from delivery.models import Obligation, Reminder, Transition
from tests.delivery.factories import ObligationFactory, PriorityFactory, RoundFactory
from tests.factories import OrganisationFactory, UserFactory
from organisations import roles

pytestmark = pytest.mark.worker


def _wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("the worker did not finish in time")


def test_the_beat_schedule_runs_the_deadline_task_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["delivery-deadlines"]
    assert entry["task"] == "delivery.enforce_deadlines"
    assert entry["schedule"] == 3600.0


def _owing(due_in_days: int):
    priority = PriorityFactory(name="Tackle crime", slug="tackle-crime")
    round = RoundFactory(due_on=timezone.localdate() + datetime.timedelta(days=due_in_days))
    organisation = OrganisationFactory(name="Bradford Partnership")
    UserFactory(username="bradford", role=roles.PARTNER, organisation=organisation)
    ObligationFactory(round=round, organisation=organisation, priority=priority)
    return round


@pytest.mark.parametrize(("due_in_days", "kind", "subject"), [
    (7, "week-before", "Updates due on"),
    (0, "due-today", "Updates due today"),
    (-1, "overdue", "Updates overdue"),
])
def test_the_scheduled_task_on_a_real_worker_reminds_once(celery_worker, due_in_days, kind, subject):
    round = _owing(due_in_days)
    task = settings.CELERY_BEAT_SCHEDULE["delivery-deadlines"]["task"]
    celery_worker.send_task(task)  # exactly what beat sends
    _wait_for(lambda: Reminder.objects.exists() and mail.outbox)
    reminder = Reminder.objects.get()
    assert (reminder.round, reminder.kind, reminder.recipients) == (round, kind, ["bradford@example.org"])
    [message] = mail.outbox
    assert message.subject.startswith(subject) and message.to == ["bradford@example.org"]
    if kind == "overdue":
        assert Obligation.objects.get().overdue_marked_at is not None

    celery_worker.send_task(task)  # and again: nothing new
    time.sleep(1.5)
    assert Reminder.objects.count() == 1 and len(mail.outbox) == 1


def test_a_submission_is_e_mailed_to_the_opcc_by_a_real_worker(celery_worker):
    _owing(10)
    UserFactory(username="opcc", role=roles.OPCC_STAFF)
    from delivery.models import Round
    from delivery.services import UpdateContent

    round = Round.objects.get()
    author = UserFactory(username="bradford")
    update = services.update_create(
        organisation=round.obligations.get().organisation, period=round.period,
        priority=round.obligations.get().priority, author=author,
        content=UpdateContent(title="Hate Crime Week", body="Took place in all districts."),
    )
    services.update_submit(update=update, user=author, expected_version=1)
    _wait_for(lambda: Transition.objects.filter(action="submitted", notified_at__isnull=False).exists())
    [message] = mail.outbox
    assert message.to == ["opcc@example.org"]
    assert "Hate Crime Week" in message.subject
