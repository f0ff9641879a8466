"""E-mails: the OPCC on each submission, the partner on return and approval, reminders and overdue.

Notifications go through a Job and a Celery task queued on commit; here tasks run in-process
(tests/conftest.py), and test_worker.py runs the same through a real worker over Redis.
"""

import datetime
import re

import pytest
from django.core import mail

from delivery import services
from delivery.models import Obligation, Reminder, Transition
from jobs.models import Job
from organisations import roles
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def people(staff_user, partner_user, other_partner_user):
    """Everyone has an address; an inactive colleague must not be written to."""
    UserFactory(username="gone", role=roles.PARTNER, organisation=partner_user.membership.organisation,
                is_active=False)


SITE = "https://quarterly.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def links(body: str) -> list[str]:
    """Every link to a page of the site in an e-mail body, absolute or not."""
    return re.findall(r"\S*/(?:partners|review)/\S*", body)


def assert_every_link_is_absolute():
    assert mail.outbox
    for message in mail.outbox:
        assert links(message.body), message.subject
        assert all(link.startswith(f"{SITE}/") for link in links(message.body)), message.body


def test_a_submission_e_mails_the_opcc(draft, partner_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_submit(update=draft, user=partner_user, expected_version=draft.version)
    [message] = mail.outbox
    assert message.to == ["staff@example.org"]
    assert message.subject.startswith("Update submitted by Bradford Partnership: Breaking the Cycle project")
    assert f"Review it: {SITE}/review/updates/{draft.pk}/\n" in message.body
    assert_every_link_is_absolute()
    assert Job.objects.get().state == Job.State.SUCCEEDED
    assert Transition.objects.get(action="submitted").notified_at is not None


def test_returning_e_mails_the_partner_with_the_comment(submitted, staff_user, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_return(update=submitted, reviewer=staff_user, comment="Add Q3's figures, please.")
    [message] = mail.outbox
    assert message.to == ["partner-a@example.org"]  # not the inactive colleague, not Leeds
    assert "returned with comments" in message.subject
    assert "Add Q3's figures, please." in message.body
    assert f"Change it and submit it again: {SITE}/partners/updates/{submitted.pk}/\n" in message.body
    assert_every_link_is_absolute()


def test_approval_e_mails_the_partner(submitted, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_approve(update=submitted, reviewer=staff_user, comment="Thank you.")
    [message] = mail.outbox
    assert message.to == ["partner-a@example.org"]
    assert message.subject.startswith("Update approved: Breaking the Cycle project")
    assert "Thank you." in message.body
    assert f"See it: {SITE}/partners/updates/{submitted.pk}/\n" in message.body
    assert_every_link_is_absolute()


def test_a_refused_transition_sends_nothing(draft, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.InvalidTransition):
        services.update_approve(update=draft, reviewer=staff_user)
    assert mail.outbox == [] and Job.objects.count() == 0


def test_a_notification_is_sent_once_however_often_it_runs(submitted, django_capture_on_commit_callbacks):
    transition = submitted.transitions.get(action="submitted")
    mail.outbox.clear()
    services.transition_notify(transition_id=transition.pk)
    services.transition_notify(transition_id=transition.pk)
    assert len(mail.outbox) == 1


# Deadlines ------------------------------------------------------------------------------------


def _days_to_due(round, days: int) -> datetime.date:
    return round.due_on - datetime.timedelta(days=days)


def test_seven_days_before_the_due_date_each_owing_organisation_is_reminded_once(obligations, open_round):
    today = _days_to_due(open_round, 7)
    assert services.deadlines_enforce(today=today) == {"reminded": 2, "marked_overdue": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["partner-a@example.org", "partner-b@example.org"]
    message = next(m for m in mail.outbox if m.to == ["partner-a@example.org"])
    assert "are due on" in message.body and "Tackle crime and anti-social behaviour (not started)" in message.body
    assert f"Write and submit them: {SITE}/partners/\n" in message.body
    assert_every_link_is_absolute()
    assert services.deadlines_enforce(today=today)["reminded"] == 0
    assert services.deadlines_enforce(today=_days_to_due(open_round, 3))["reminded"] == 0
    assert len(mail.outbox) == 2
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"week-before"}


def test_no_reminder_before_the_window_or_for_a_closed_round(obligations, open_round):
    assert services.deadlines_enforce(today=_days_to_due(open_round, 8))["reminded"] == 0
    open_round.is_open = False
    open_round.save()
    assert services.deadlines_enforce(today=open_round.due_on)["reminded"] == 0
    assert mail.outbox == []


def test_an_organisation_that_has_submitted_everything_is_not_reminded(
    obligations, open_round, organisation, other_priority, partner_user, draft
):
    from tests.delivery.factories import UpdateFactory

    services.update_submit(update=draft, user=partner_user, expected_version=draft.version)
    second = UpdateFactory(organisation=organisation, priority=other_priority, period=open_round.period)
    services.update_submit(update=second, user=partner_user, expected_version=1)
    mail.outbox.clear()
    services.deadlines_enforce(today=open_round.due_on)
    assert [m.to for m in mail.outbox] == [["partner-b@example.org"]]
    assert "due today" in mail.outbox[0].body
    assert_every_link_is_absolute()


def test_after_the_due_date_outstanding_obligations_are_marked_overdue_and_told_once(obligations, open_round, submitted):
    today = open_round.due_on + datetime.timedelta(days=1)
    result = services.deadlines_enforce(today=today)
    # Bradford submitted one of its two sections; Leeds nothing: three sections are late.
    assert result == {"reminded": 2, "marked_overdue": 3}
    marked = Obligation.objects.filter(overdue_marked_at__isnull=False)
    assert marked.count() == 3
    assert not marked.filter(organisation=submitted.organisation, priority=submitted.priority).exists()
    assert all("now overdue" in m.body for m in mail.outbox if m.subject.startswith("Updates overdue"))
    assert_every_link_is_absolute()
    assert services.deadlines_enforce(today=today) == {"reminded": 0, "marked_overdue": 0}


def test_an_organisation_without_addresses_is_recorded_as_reminded(obligations, open_round, other_partner_user):
    other_partner_user.email = ""
    other_partner_user.save()
    services.deadlines_enforce(today=open_round.due_on)
    assert Reminder.objects.count() == 2
    assert [m.to for m in mail.outbox] == [["partner-a@example.org"]]


def test_a_site_url_without_a_scheme_or_with_a_trailing_slash_stops_start_up():
    from tests.test_environment import _manage

    for url in ["quarterly.example.org", "https://quarterly.example.org/"]:
        result = _manage("check", SITE_URL=url, SECRET_KEY="x" * 50)
        assert result.returncode != 0
        assert result.stderr.strip().splitlines() == [
            "Configuration error: SITE_URL must start with http:// or https:// and have no trailing "
            f"slash, not {url!r}"
        ]
