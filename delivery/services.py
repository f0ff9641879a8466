"""The delivery workflow: every change of an update's words or state goes through here.

Each function is keyword-only and atomic, records a Transition for each change of state, and
queues the e-mail that goes with it after the transaction commits (jobs.running.enqueue), so a
refused or failed request changes nothing and sends nothing. Deleting a draft takes its
Transitions with it, so that one step is recorded by the audit trail (pghistory) instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from delivery import tracking
from delivery.models import (
    EDITABLE,
    DeliveryUpdate,
    KpiLine,
    Quotation,
    Reminder,
    Round,
    Status,
    Transition,
)
from organisations import roles
from pccsite.audit import audit_context

logger = logging.getLogger(__name__)

REMINDER_WINDOW = timedelta(days=7)


class WorkflowError(Exception):
    """A refused change. The message is written for the person who asked for it."""


class EditConflict(WorkflowError):
    def __init__(self, current: DeliveryUpdate):
        self.current = current
        who = actor_name(current.updated_by) if current.updated_by else "someone else"
        super().__init__(
            f"{who} saved this update after you opened it, so your changes have not been saved. "
            "Your text is still in the form below and their saved version is shown under it. "
            "Copy across anything of theirs you want to keep, then save again."
        )


class NotEditable(WorkflowError):
    def __init__(self, update: DeliveryUpdate):
        self.update = update
        super().__init__(
            f"This update is {update.get_status_display().lower()}, so it cannot be changed. "
            "You can change it again if the OPCC returns it to you."
        )


class SubmissionRefused(WorkflowError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("This update cannot be submitted yet: " + "; ".join(problems))


class NotDeletable(WorkflowError):
    def __init__(self, update: DeliveryUpdate):
        self.update = update
        super().__init__(
            f"This update is {update.get_status_display().lower()}, so it cannot be deleted. "
            "Only a draft that has never been submitted can be deleted."
        )


class UpdateGone(WorkflowError):
    """The update was deleted (by a colleague) between the page being opened and this request."""

    def __init__(self):
        super().__init__("This update has been deleted since you opened it, so nothing has been changed.")


class InvalidTransition(WorkflowError):
    pass


@dataclass(frozen=True)
class KpiData:
    label: str
    q1: str = ""
    q2: str = ""
    q3: str = ""
    q4: str = ""


@dataclass(frozen=True)
class QuotationData:
    text: str
    attribution: str = ""
    kind: str = Quotation.Kind.PARTNER


@dataclass(frozen=True)
class UpdateContent:
    """An update's words as a partner writes them: what the forms clean and the services store."""

    title: str
    body: str
    key_facts: str = ""
    district: object = None
    kpis: tuple[KpiData, ...] = field(default_factory=tuple)
    quotations: tuple[QuotationData, ...] = field(default_factory=tuple)


def actor_name(user) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def _record(update: DeliveryUpdate, *, action, from_status, user, comment="", snapshot=None) -> Transition:
    return Transition.objects.create(
        update=update,
        action=action,
        from_status=from_status,
        to_status=update.status,
        actor=user,
        actor_name=actor_name(user),
        comment=comment,
        snapshot=snapshot,
    )


def _replace_children(update: DeliveryUpdate, content: UpdateContent) -> None:
    update.kpis.all().delete()
    update.quotations.all().delete()
    KpiLine.objects.bulk_create(
        KpiLine(update=update, order=order, label=kpi.label, q1=kpi.q1, q2=kpi.q2, q3=kpi.q3, q4=kpi.q4)
        for order, kpi in enumerate(content.kpis)
    )
    Quotation.objects.bulk_create(
        Quotation(update=update, order=order, text=q.text, attribution=q.attribution, kind=q.kind)
        for order, q in enumerate(content.quotations)
    )


def _notify_on_commit(transition: Transition, description: str) -> None:
    from delivery.tasks import send_transition_email
    from jobs.running import enqueue

    enqueue(
        send_transition_email,
        kind="delivery-email",
        description=description[:300],
        transition_id=transition.pk,
    )


@transaction.atomic
def update_create(*, organisation, period, priority, author, content: UpdateContent) -> DeliveryUpdate:
    now = timezone.now()
    update = DeliveryUpdate.objects.create(
        organisation=organisation,
        period=period,
        priority=priority,
        district=content.district,
        title=content.title,
        body=content.body,
        key_facts=content.key_facts,
        created_by=author,
        created_at=now,
        updated_by=author,
        updated_at=now,
    )
    _replace_children(update, content)
    _record(update, action=Transition.Action.STARTED, from_status="", user=author)
    return update


@transaction.atomic
def update_save(*, update: DeliveryUpdate, editor, expected_version: int, content: UpdateContent) -> DeliveryUpdate:
    """Save new words over the version the editor started from, or refuse (EditConflict)."""
    saved = DeliveryUpdate.objects.filter(
        pk=update.pk, version=expected_version, status__in=EDITABLE
    ).update(
        title=content.title,
        body=content.body,
        key_facts=content.key_facts,
        district=content.district,
        version=F("version") + 1,
        updated_by=editor,
        updated_at=timezone.now(),
    )
    if not saved:
        current = DeliveryUpdate.objects.select_related("updated_by").filter(pk=update.pk).first()
        if current is None:
            raise UpdateGone()
        if current.status not in EDITABLE:
            raise NotEditable(current)
        raise EditConflict(current)
    update.refresh_from_db()
    _replace_children(update, content)
    return update


@transaction.atomic
def update_submit(*, update: DeliveryUpdate, user, expected_version: int) -> DeliveryUpdate:
    """Send the update to the OPCC. Refused if it changed since the user checked it."""
    update = _locked(update)
    if update.status not in EDITABLE:
        raise NotEditable(update)
    if update.version != expected_version:
        raise WorkflowError(
            "This update was changed after you checked it. Check it again before you submit it."
        )
    problems = update.submission_problems()
    if problems:
        raise SubmissionRefused(problems)
    previous = update.status
    update.status = Status.SUBMITTED
    update.submitted_at = timezone.now()
    update.version += 1
    update.save(update_fields=["status", "submitted_at", "version"])
    transition = _record(
        update, action=Transition.Action.SUBMITTED, from_status=previous, user=user,
        snapshot=update.content_snapshot(),
    )
    _notify_on_commit(transition, f"E-mail the OPCC: “{update.title}” submitted")
    return update


@transaction.atomic
def update_delete(*, update: DeliveryUpdate, user, expected_version: int) -> None:
    """Delete a draft that was never submitted, with its KPI lines, quotations and transitions.

    Refused if it was submitted (its history is the OPCC's record) or changed since the user
    confirmed, so a colleague's newer words are never deleted unseen. The deleted row is kept by
    the audit trail (pghistory), with who deleted it.
    """
    update = _locked(update)
    if not update.is_deletable:
        raise NotDeletable(update)
    if update.version != expected_version:
        raise WorkflowError(
            "This update was changed after you opened it, so it has not been deleted. "
            "Check it again before you delete it."
        )
    with audit_context(
        user=user.pk if user is not None else None,
        username=user.get_username() if user is not None else "",
        route="delete draft",
    ):
        update.delete()


def _locked(update: DeliveryUpdate) -> DeliveryUpdate:
    """The update's current row, locked until commit; UpdateGone if a colleague deleted it."""
    current = DeliveryUpdate.objects.select_for_update().filter(pk=update.pk).first()
    if current is None:
        raise UpdateGone()
    return current


def _review(update: DeliveryUpdate, *, to: Status, action, reviewer, comment: str) -> DeliveryUpdate:
    update = DeliveryUpdate.objects.select_for_update().get(pk=update.pk)
    if update.status != Status.SUBMITTED:
        last = update.transitions.order_by("-at", "-pk").first()
        by = f" by {last.actor_name}" if last else ""
        raise InvalidTransition(
            f"This update is {update.get_status_display().lower()}{by}, so it cannot be "
            f"{to.label.lower()} now."
        )
    update.status = to
    update.version += 1
    update.approved_at = timezone.now() if to == Status.APPROVED else None
    update.save(update_fields=["status", "version", "approved_at"])
    transition = _record(update, action=action, from_status=Status.SUBMITTED, user=reviewer, comment=comment)
    _notify_on_commit(transition, f"E-mail {update.organisation}: “{update.title}” {to.label.lower()}")
    return update


@transaction.atomic
def update_return(*, update: DeliveryUpdate, reviewer, comment: str) -> DeliveryUpdate:
    """Give a submitted update back to its organisation with the reviewer's comment."""
    if not comment.strip():
        raise WorkflowError("Enter a comment saying what needs to change")
    return _review(update, to=Status.RETURNED, action=Transition.Action.RETURNED, reviewer=reviewer,
                   comment=comment.strip())


@transaction.atomic
def update_approve(*, update: DeliveryUpdate, reviewer, comment: str = "") -> DeliveryUpdate:
    """Approve a submitted update: from now on it appears in newly published reports."""
    return _review(update, to=Status.APPROVED, action=Transition.Action.APPROVED, reviewer=reviewer,
                   comment=comment.strip())


# E-mail ---------------------------------------------------------------------------------------


def _link(path: str) -> str:
    # An e-mail is read outside the site, so its links must be absolute. SITE_URL is checked at
    # start-up to have a scheme and no trailing slash (pccsite/settings.py).
    return settings.SITE_URL + path


def opcc_addresses() -> list[str]:
    users = get_user_model().objects.filter(
        is_active=True, groups__name=roles.OPCC_STAFF
    ).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def organisation_addresses(organisation) -> list[str]:
    users = get_user_model().objects.filter(
        is_active=True, membership__organisation=organisation
    ).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _transition_email(transition: Transition) -> EmailMessage | None:
    update = transition.update
    site = settings.SITE_NAME
    if transition.action == Transition.Action.SUBMITTED:
        to = opcc_addresses()
        subject = f"Update submitted by {update.organisation}: {update.title}"
        body = (
            f"{update.organisation} submitted an update on delivery for review.\n\n"
            f"Title: {update.title}\nSection: {update.priority}\nQuarter: {update.period.label}\n"
            f"Submitted by: {transition.actor_name}\n\n"
            f"Review it: {_link(reverse('delivery:review-update', args=[update.pk]))}\n"
        )
    elif transition.action == Transition.Action.RETURNED:
        to = organisation_addresses(update.organisation)
        subject = f"Update returned with comments: {update.title}"
        body = (
            f"The OPCC has returned your update “{update.title}” ({update.priority}, "
            f"{update.period.label}) with this comment:\n\n{transition.comment}\n\n"
            f"Change it and submit it again: {_link(reverse('delivery:update', args=[update.pk]))}\n"
        )
    elif transition.action == Transition.Action.APPROVED:
        to = organisation_addresses(update.organisation)
        subject = f"Update approved: {update.title}"
        comment = f"\nComment: {transition.comment}\n" if transition.comment else ""
        body = (
            f"The OPCC has approved your update “{update.title}” ({update.priority}, "
            f"{update.period.label}). It will appear in the next published report.\n{comment}\n"
            f"See it: {_link(reverse('delivery:update', args=[update.pk]))}\n"
        )
    else:
        return None
    if not to:
        return None
    return EmailMessage(subject=f"{subject} – {site}", body=body, to=to)


def transition_notify(*, transition_id: int) -> dict:
    """Send the e-mail for one transition, once: a second run finds it sent and does nothing."""
    with transaction.atomic():
        transition = (
            Transition.objects.select_for_update(of=("self",))
            .select_related("update__organisation", "update__priority", "update__period")
            .get(pk=transition_id)
        )
        if transition.notified_at is not None:
            return {"sent": 0, "already": True}
        message = _transition_email(transition)
        sent = message.send() if message is not None else 0
        transition.notified_at = timezone.now()
        transition.save(update_fields=["notified_at"])
    return {"sent": sent, "recipients": list(message.to) if message else []}


# Deadlines ------------------------------------------------------------------------------------


def reminder_kind(round: Round, *, today: date) -> Reminder.Kind | None:
    if today > round.due_on:
        return Reminder.Kind.OVERDUE
    if today == round.due_on:
        return Reminder.Kind.DUE_TODAY
    if today >= round.due_on - REMINDER_WINDOW:
        return Reminder.Kind.WEEK_BEFORE
    return None


def _reminder_email(round: Round, organisation, kind, cells, to) -> EmailMessage:
    due = f"{round.due_on.day} {round.due_on:%B %Y}"
    sections = "\n".join(f"- {cell.priority} ({tracking_label(cell)})" for cell in cells)
    opening = {
        Reminder.Kind.WEEK_BEFORE: f"Your updates on delivery for {round.period.label} are due on {due}.",
        Reminder.Kind.DUE_TODAY: f"Your updates on delivery for {round.period.label} are due today, {due}.",
        Reminder.Kind.OVERDUE: (
            f"Your updates on delivery for {round.period.label} were due on {due} and are now overdue."
        ),
    }[kind]
    subject = {
        Reminder.Kind.WEEK_BEFORE: f"Updates due on {due}",
        Reminder.Kind.DUE_TODAY: "Updates due today",
        Reminder.Kind.OVERDUE: "Updates overdue",
    }[kind]
    body = (
        f"{opening}\n\n{organisation} still owes an update on:\n{sections}\n\n"
        f"Write and submit them: {_link(reverse('delivery:partner-home'))}\n"
    )
    return EmailMessage(subject=f"{subject} – {settings.SITE_NAME}", body=body, to=to)


def tracking_label(cell) -> str:
    from delivery.presenters import progress_tag

    return progress_tag(cell.progress).label.lower()


def _remind_once(round: Round, organisation, kind, cells) -> bool:
    to = organisation_addresses(organisation)
    # The row and the e-mail share a transaction: if sending fails the row is rolled back and
    # the next run tries again; if the row exists the e-mail went, so it is never sent twice.
    with transaction.atomic():
        reminder, created = Reminder.objects.get_or_create(
            round=round, organisation=organisation, kind=kind, defaults={"recipients": to},
        )
        if not created:
            return False
        if to:
            _reminder_email(round, organisation, kind, cells, to).send()
    return True


def deadlines_enforce(*, today: date) -> dict:
    """Remind organisations that owe updates for an open round, and mark the late ones overdue.

    Safe to run as often as beat likes: each reminder is recorded and sent once per
    organisation, round and kind, and marking overdue only fills empty marks.
    """
    done = {"reminded": 0, "marked_overdue": 0}
    for round in Round.objects.open().select_related("period"):
        kind = reminder_kind(round, today=today)
        if kind is None:
            continue
        outstanding = tracking.outstanding_by_organisation(round, today=today)
        if kind == Reminder.Kind.OVERDUE:
            obligation_ids = [cell.obligation.pk for cells in outstanding.values() for cell in cells]
            done["marked_overdue"] += round.obligations.filter(
                pk__in=obligation_ids, overdue_marked_at__isnull=True
            ).update(overdue_marked_at=timezone.now())
        for organisation, cells in outstanding.items():
            done["reminded"] += _remind_once(round, organisation, kind, cells)
    logger.info("Delivery deadlines on %s: %s", today, done)
    return done
