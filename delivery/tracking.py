"""Where each obligation stands: the partner's task list, the OPCC's tracker and the reminders.

An obligation (organisation × section for a round) may be answered by several updates, one per
topic. Its progress is that of the update furthest from done, so a section is "approved" only
when every topic is, and "returned" as soon as one topic needs the partner again. It is overdue
while outstanding after the due date: computed from the date, so pages are right even when the
scheduled task has not run (it records the marking and sends the e-mail).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from delivery.models import DeliveryUpdate, Obligation, Round, Status


class Progress(enum.StrEnum):
    NOT_STARTED = "not-started"
    DRAFT = "draft"
    RETURNED = "returned"
    SUBMITTED = "submitted"
    APPROVED = "approved"


# Outstanding: the organisation still has something to send.
OUTSTANDING = frozenset({Progress.NOT_STARTED, Progress.DRAFT, Progress.RETURNED})
_LEAST_DONE_FIRST = (Status.RETURNED, Status.DRAFT, Status.SUBMITTED, Status.APPROVED)


def progress_of(statuses: Iterable[str]) -> Progress:
    present = set(statuses)
    for status in _LEAST_DONE_FIRST:
        if status in present:
            return Progress(status)
    return Progress.NOT_STARTED


@dataclass
class Cell:
    """One organisation × section of a round: what is owed and what has been written."""

    organisation: object
    priority: object
    obligation: Obligation | None
    updates: list = field(default_factory=list)
    overdue: bool = False

    @property
    def is_owed(self) -> bool:
        return self.obligation is not None

    @property
    def progress(self) -> Progress:
        return progress_of(update.status for update in self.updates)

    @property
    def is_outstanding(self) -> bool:
        return self.is_owed and self.progress in OUTSTANDING

    @property
    def is_overdue(self) -> bool:
        return self.overdue and self.is_outstanding


def owed_sections(round: Round, organisation, *, today: date) -> list[Cell]:
    """An organisation's sections for a round, each with its updates (3 queries)."""
    obligations = list(
        round.obligations.filter(organisation=organisation).select_related("priority")
    )
    updates = (
        DeliveryUpdate.objects.for_organisation(organisation)
        .filter(period_id=round.period_id)
        .only("id", "title", "status", "priority_id", "updated_at", "organisation_id", "period_id")
        .order_by("created_at", "pk")
    )
    by_priority = defaultdict(list)
    for update in updates:
        by_priority[update.priority_id].append(update)
    overdue = round.is_overdue_on(today)
    return [
        Cell(organisation, obligation.priority, obligation, by_priority[obligation.priority_id], overdue)
        for obligation in sorted(obligations, key=lambda o: (o.priority.order, o.priority.name))
    ]


@dataclass
class Tracker:
    round: Round
    priorities: list
    rows: list[tuple[object, list[Cell]]]

    def count(self, progress: Progress) -> int:
        return sum(1 for _, cells in self.rows for cell in cells if cell.is_owed and cell.progress == progress)

    @property
    def column_count(self) -> int:
        return len(self.priorities) + 1

    @property
    def all_updates(self) -> list[tuple[object, object, object]]:
        """(organisation, section, update) for every update of the round, in grid order."""
        return [
            (organisation, cell.priority, update)
            for organisation, cells in self.rows
            for cell in cells
            for update in cell.updates
        ]

    @property
    def overdue_count(self) -> int:
        return sum(1 for _, cells in self.rows for cell in cells if cell.is_overdue)


def tracker(round: Round, *, priorities, today: date) -> Tracker:
    """Every organisation that owes or wrote an update for the round × every section (2 queries
    besides the priorities, whatever the number of organisations)."""
    obligations = list(round.obligations.select_related("organisation"))
    updates = list(
        DeliveryUpdate.objects.filter(period_id=round.period_id)
        .select_related("organisation")
        .only("id", "title", "status", "priority_id", "organisation__id", "organisation__name")
        .order_by("created_at", "pk")
    )
    organisations = {o.organisation_id: o.organisation for o in obligations}
    organisations.update({u.organisation_id: u.organisation for u in updates})
    owed = {(o.organisation_id, o.priority_id): o for o in obligations}
    written = defaultdict(list)
    for update in updates:
        written[(update.organisation_id, update.priority_id)].append(update)
    overdue = round.is_overdue_on(today)
    rows = []
    for organisation in sorted(organisations.values(), key=lambda o: o.name):
        cells = [
            Cell(
                organisation, priority, owed.get((organisation.pk, priority.pk)),
                written[(organisation.pk, priority.pk)], overdue,
            )
            for priority in priorities
        ]
        rows.append((organisation, cells))
    return Tracker(round=round, priorities=list(priorities), rows=rows)


def outstanding_by_organisation(round: Round, *, today: date) -> dict:
    """Organisation → its outstanding cells, for reminders and overdue marking."""
    priorities = {o.priority_id: o.priority for o in round.obligations.select_related("priority")}
    grid = tracker(round, priorities=list(priorities.values()), today=today)
    outstanding = {}
    for organisation, cells in grid.rows:
        cells = [cell for cell in cells if cell.is_outstanding]
        if cells:
            outstanding[organisation] = cells
    return outstanding
