"""Delivery updates: what partners tell the Panel they delivered, and the OPCC's review of it.

A Round asks for updates on one quarter by a due date; its Obligations say which organisation owes
an update for which report section (plan priority). A DeliveryUpdate is one topic written by one
organisation for one quarter and section, so an organisation may send several per section (the
seed's West Yorkshire Police bullets are four updates). Its workflow (draft → submitted → returned
→ submitted → approved) is changed only by delivery/services.py, which records every step as a
Transition. The rules are in docs/adr/0007-delivery-workflow.md.
"""

from __future__ import annotations

import re
from datetime import date

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# A KPI value as partners print it: "47", "47%", "1,234", "-3.5", "12.5 %". Nothing else, so a
# report never shows "about half" in a column of figures.
KPI_VALUE = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s?%?$")
KPI_VALUE_MESSAGE = "a number or a percentage, like 47 or 47%"
QUARTERS = ("q1", "q2", "q3", "q4")


def is_kpi_value(text: str) -> bool:
    return bool(KPI_VALUE.match(text.strip()))


class RoundQuerySet(models.QuerySet):
    def open(self):
        return self.filter(is_open=True)


class Round(models.Model):
    """The OPCC's request for updates on one quarter, and when they are due."""

    period = models.OneToOneField(
        "measures.Period", on_delete=models.PROTECT, related_name="delivery_round",
        limit_choices_to={"kind": "quarter"},
        help_text="The quarter the updates report on.",
    )
    due_on = models.DateField("due date", help_text="Partners are reminded 7 days before and on the day.")
    is_open = models.BooleanField(
        "open for updates", default=False,
        help_text="Partners write updates for the open quarter. Only one quarter is open at a time.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-period__end"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_open"], condition=Q(is_open=True), name="delivery_one_open_round"
            ),
        ]

    def __str__(self):
        return f"Updates for {self.period.label}"

    def is_overdue_on(self, day: date) -> bool:
        return day > self.due_on


class Obligation(models.Model):
    """An organisation owes an update for a section of the report for a round's quarter."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="obligations")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="delivery_obligations"
    )
    priority = models.ForeignKey(
        "measures.Priority", on_delete=models.PROTECT, related_name="delivery_obligations",
        verbose_name="section",
    )
    overdue_marked_at = models.DateTimeField(
        null=True, blank=True, help_text="Set by the scheduled task once the due date has passed.",
    )

    class Meta:
        ordering = ["round", "organisation__name", "priority__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation", "priority"], name="delivery_obligation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} owes {self.priority} for {self.round.period}"


class Reminder(models.Model):
    """An e-mail sent about a round's deadline: once per organisation, round and kind."""

    class Kind(models.TextChoices):
        WEEK_BEFORE = "week-before", "Due in 7 days"
        DUE_TODAY = "due-today", "Due today"
        OVERDUE = "overdue", "Overdue"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reminders")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipients = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation", "kind"], name="delivery_reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} reminder to {self.organisation}"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned"
    APPROVED = "approved", "Approved"


# The statuses in which the organisation may still change its update.
EDITABLE = (Status.DRAFT, Status.RETURNED)


class DeliveryUpdateQuerySet(models.QuerySet):
    def for_organisation(self, organisation):
        """Everything a partner may see: its own organisation's updates, in any state."""
        if organisation is None:
            return self.none()
        return self.filter(organisation=organisation)

    def approved(self, *, as_of=None):
        approved = self.filter(status=Status.APPROVED)
        if as_of is not None:
            approved = approved.filter(approved_at__lte=as_of)
        return approved

    def awaiting_review(self):
        return self.filter(status=Status.SUBMITTED)

    def with_content(self):
        """Everything a rendered update touches, in three queries whatever the count."""
        return self.select_related("organisation__area", "period", "priority", "district").prefetch_related(
            "kpis", "quotations"
        )


# A partner may delete a draft it never submitted (services.update_delete). Its Transitions go
# with it, so the audit trail keeps the deleted row instead: who deleted it and through what come
# from the audit context (pccsite/audit.py). Only deletions: every other step is a Transition.
@pghistory.track(pghistory.DeleteEvent(), model_name="DeliveryUpdateEvent",
                 obj_field=pghistory.ObjForeignKey(related_name="+"))
class DeliveryUpdate(models.Model):
    """One topic of an organisation's update on delivery, for one quarter and report section."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="delivery_updates"
    )
    period = models.ForeignKey(
        "measures.Period", on_delete=models.PROTECT, related_name="delivery_updates",
        limit_choices_to={"kind": "quarter"}, verbose_name="quarter",
    )
    priority = models.ForeignKey(
        "measures.Priority", on_delete=models.PROTECT, related_name="delivery_updates",
        verbose_name="section",
    )
    district = models.ForeignKey(
        "measures.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The district the update is about, when its organisation serves more than one.",
    )
    for_all_districts = models.BooleanField(
        default=False,
        help_text="Shown under partners' delivery as “All districts” (e.g. Hate Crime Week), "
        "whoever wrote it.",
    )
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown subset: see delivery/markdown.py.")
    key_facts = models.TextField(blank=True, help_text="One fact per line.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by every save: a save based on an older version is refused.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["period__end", "priority__order", "organisation__name", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="delivery_version_positive"),
            models.CheckConstraint(
                condition=Q(status=Status.APPROVED, approved_at__isnull=False)
                | (~Q(status=Status.APPROVED) & Q(approved_at__isnull=True)),
                name="delivery_approved_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "priority", "status"]),
            models.Index(fields=["organisation", "period"]),
        ]

    def __str__(self):
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    def can_be_edited_by(self, user) -> bool:
        from organisations.roles import organisation_of

        return self.is_editable and organisation_of(user) == self.organisation

    @property
    def is_deletable(self) -> bool:
        """Only a draft nobody else has seen: once submitted, its history is the OPCC's record."""
        return self.status == Status.DRAFT and self.submitted_at is None

    @property
    def key_fact_list(self) -> list[str]:
        return [line.strip().lstrip("-•* ").strip() for line in self.key_facts.splitlines() if line.strip()]

    def submission_problems(self) -> list[str]:
        """Why this update may not be submitted as it stands (empty when it may)."""
        problems = []
        if not self.title.strip():
            problems.append("Enter a title")
        if not self.body.strip():
            problems.append("Enter the update")
        for number, kpi in enumerate(self.kpis.all(), start=1):
            for quarter, value in kpi.quarter_values():
                if value and not is_kpi_value(value):
                    problems.append(f"KPI line {number}: enter the {quarter} value as {KPI_VALUE_MESSAGE}")
        return problems

    def content_snapshot(self) -> dict:
        """The update's words as plain data: stored with each submission, diffed on resubmission."""
        return {
            "title": self.title,
            "body": self.body,
            "key_facts": self.key_facts,
            "kpis": [
                {"label": kpi.label, "values": dict(kpi.quarter_values())} for kpi in self.kpis.all()
            ],
            "quotations": [
                {"text": q.text, "attribution": q.attribution, "kind": q.kind}
                for q in self.quotations.all()
            ],
        }


class KpiLine(models.Model):
    """A small key performance line: "% of successful completions: Q1 40%, Q2 40%, Q3 47%"."""

    update = models.ForeignKey(DeliveryUpdate, on_delete=models.CASCADE, related_name="kpis")
    label = models.CharField(max_length=300)
    q1 = models.CharField("Q1", max_length=30, blank=True)
    q2 = models.CharField("Q2", max_length=30, blank=True)
    q3 = models.CharField("Q3", max_length=30, blank=True)
    q4 = models.CharField("Q4", max_length=30, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["update", "order", "pk"]
        verbose_name = "KPI line"

    def __str__(self):
        return self.label

    def quarter_values(self) -> list[tuple[str, str]]:
        """("Q1", "40%") pairs for the quarters that have a value, in order."""
        return [(name.upper(), getattr(self, name)) for name in QUARTERS if getattr(self, name)]


class Quotation(models.Model):
    class Kind(models.TextChoices):
        PARTNER = "partner", "Partner"
        CLIENT = "client", "Client"

    update = models.ForeignKey(DeliveryUpdate, on_delete=models.CASCADE, related_name="quotations")
    text = models.TextField()
    attribution = models.CharField(
        max_length=200, blank=True, help_text="Empty means anonymous, which is the default.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PARTNER)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["update", "order", "pk"]

    def __str__(self):
        return self.text[:60]

    @property
    def attribution_text(self) -> str:
        return self.attribution.strip() or f"Anonymous {self.get_kind_display().lower()}"


class Transition(models.Model):
    """One step of an update's workflow: who did what, when, and what they said."""

    class Action(models.TextChoices):
        STARTED = "started", "Started"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        APPROVED = "approved", "Approved"

    update = models.ForeignKey(DeliveryUpdate, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=300, help_text="Kept if the account is deleted.")
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    snapshot = models.JSONField(
        null=True, blank=True, help_text="The update's words as submitted (submissions only).",
    )
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor_name}"
