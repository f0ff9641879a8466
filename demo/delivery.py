"""Load the demo's delivery updates: the seed's, approved for 2020-21 Q3, and a live Q4.

Runs after the organisations, users and the measures framework are loaded (demo/loading.py): it
needs the organisations of demo/loading.py, the users "opcc", "bradford" and "leeds", and the four
plan priorities of demo/framework.csv. Idempotent: updates are found again by organisation,
quarter, section and title, and a second load changes nothing.

2020-21 Q3 holds every update of demo/2020-21-Q3/delivery_updates.json, approved, with the history
a real submission leaves (submitted by the organisation, approved by the OPCC). The seed's
"all districts" item (Hate Crime Week) is the OPCC's, shown as "All districts" (ADR 0007).
2020-21 Q4 is open: the police and the five partnerships owe every section, due 16 April 2021;
Bradford has a draft, Leeds has submitted one, Calderdale has written nothing.
"""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from delivery.models import DeliveryUpdate, KpiLine, Obligation, Quotation, Round, Status, Transition
from measures.models import Area, Period, Priority
from organisations.models import Membership, Organisation

DEMO_DIR = Path(__file__).resolve().parent
UPDATES = DEMO_DIR / "2020-21-Q3" / "delivery_updates.json"
FRAMEWORK = DEMO_DIR / "framework.csv"
SEED_QUARTER, NEXT_QUARTER = "2020-21-Q3", "2020-21-Q4"
ALL_DISTRICTS = "all-districts"
LONDON = ZoneInfo("Europe/London")
# A commissioned service's update is about one district when the seed files it under one.
DISTRICTS = {("change-grow-live", "IOM Support Service (Leeds)"): "leeds"}

# When the seed's updates were (notionally) written, submitted and approved.
Q3_DUE = datetime.date(2021, 1, 15)
Q3_STARTED = datetime.datetime(2021, 1, 4, 10, 0, tzinfo=LONDON)
Q3_SUBMITTED = datetime.datetime(2021, 1, 12, 10, 0, tzinfo=LONDON)
Q3_APPROVED = datetime.datetime(2021, 1, 20, 10, 0, tzinfo=LONDON)
Q4_DUE = datetime.date(2021, 4, 16)
Q4_STARTED = datetime.datetime(2021, 4, 6, 10, 0, tzinfo=LONDON)
Q4_SUBMITTED = datetime.datetime(2021, 4, 9, 15, 30, tzinfo=LONDON)
Q4_OWING = ("west-yorkshire-police", "bradford-csp", "calderdale-csp", "kirklees-csp", "leeds-csp", "wakefield-csp")

Q4_UPDATES = [
    {
        "organisation": "bradford-csp", "username": "bradford", "section": "2", "status": Status.DRAFT,
        "title": "Safer Streets in Bradford city centre",
        "body": (
            "Work began on the **Safer Streets** project in Bradford city centre, with new lighting "
            "and CCTV planned for the routes between the bus and rail stations.\n\n"
            "- Residents' walkabouts took place in February and March.\n"
            "- The design is due to be agreed in May."
        ),
        "kpis": [{"label": "Residents taking part in walkabouts", "values": {"Q4": "46"}}],
    },
    {
        "organisation": "leeds-csp", "username": "leeds", "section": "3", "status": Status.SUBMITTED,
        "title": "Student noise and anti-social behaviour service: second term",
        "body": (
            "The enhanced service for student noise and ASB completed its second term. Complaints "
            "fell compared with the autumn, and joint patrols with both universities continued on "
            "Thursday and Friday nights."
        ),
        "quotations": [
            {"text": "We've had our first quiet spring in years.", "attribution": "", "kind": "client"}
        ],
    },
]


def _priorities_by_section() -> dict[str, Priority]:
    """The seed's sections 2–5 are the framework's four priorities, in order."""
    with open(FRAMEWORK, newline="", encoding="utf-8") as handle:
        names = list(dict.fromkeys(row["priority"] for row in csv.DictReader(handle)))
    priorities = {priority.name: priority for priority in Priority.objects.filter(name__in=names)}
    missing = [name for name in names if name not in priorities]
    if missing:
        raise LookupError(f"Load the measures framework first: no priority named {', '.join(missing)}")
    return {str(number): priorities[name] for number, name in enumerate(names, start=2)}


def _owner(slug: str) -> tuple[Organisation, bool]:
    if slug == ALL_DISTRICTS:
        return Organisation.objects.get(slug="opcc"), True
    return Organisation.objects.get(slug=slug), False


def _name(user, organisation) -> str:
    return (user.get_full_name() or user.get_username()) if user else str(organisation)


def _store(item: dict, *, period, priority, organisation, for_all_districts: bool, status, author,
           reviewer, started, submitted, approved, district=None) -> bool:
    """Create the update with its history, unless it is there already. True if created."""
    update, created = DeliveryUpdate.objects.get_or_create(
        organisation=organisation, period=period, priority=priority, title=item["title"],
        defaults={
            "body": item["body"],
            "key_facts": "\n".join(item.get("key_facts", [])),
            "for_all_districts": for_all_districts,
            "status": status,
            "created_by": author, "created_at": started,
            "updated_by": author, "updated_at": started,
            "submitted_at": submitted,
            "approved_at": approved,
            "district": district,
        },
    )
    if not created:
        return False
    for order, kpi in enumerate(item.get("kpis", [])):
        values = {quarter.lower(): value for quarter, value in kpi["values"].items()}
        KpiLine.objects.create(update=update, order=order, label=kpi["label"], **values)
    for order, quotation in enumerate(item.get("quotations", [])):
        Quotation.objects.create(update=update, order=order, **quotation)
    author_name = _name(author, organisation)
    steps = [(Transition.Action.STARTED, "", Status.DRAFT, author, author_name, started)]
    if submitted:
        steps.append((Transition.Action.SUBMITTED, Status.DRAFT, Status.SUBMITTED, author, author_name, submitted))
    if approved:
        steps.append((Transition.Action.APPROVED, Status.SUBMITTED, Status.APPROVED, reviewer,
                      _name(reviewer, "OPCC"), approved))
    for action, before, after, user, name, at in steps:
        Transition.objects.create(
            update=update, action=action, from_status=before, to_status=after, actor=user,
            actor_name=name, at=at, notified_at=at,
            snapshot=update.content_snapshot() if action == Transition.Action.SUBMITTED else None,
        )
    return True


def _district(item: dict):
    code = DISTRICTS.get((item["organisation"], item["title"]))
    return Area.objects.get(code=code) if code else None


@transaction.atomic
def load(stdout=None) -> None:
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=["opcc", "bradford", "leeds"])}
    opcc = users.get("opcc")
    sections = _priorities_by_section()
    periods = Period.objects.for_codes([SEED_QUARTER, NEXT_QUARTER])
    seed_round, _ = Round.objects.get_or_create(
        period=periods[SEED_QUARTER], defaults={"due_on": Q3_DUE, "is_open": False}
    )
    another_is_open = Round.objects.open().exclude(period=periods[NEXT_QUARTER]).exists()
    next_round, _ = Round.objects.get_or_create(
        period=periods[NEXT_QUARTER], defaults={"due_on": Q4_DUE, "is_open": not another_is_open}
    )

    created = 0
    items = json.loads(UPDATES.read_text(encoding="utf-8"))
    members = {}
    for membership in Membership.objects.select_related("user", "organisation").order_by("pk"):
        members.setdefault(membership.organisation_id, membership.user)
    for item in items:
        organisation, for_all_districts = _owner(item["organisation"])
        priority = sections[item["section"]]
        Obligation.objects.get_or_create(round=seed_round, organisation=organisation, priority=priority)
        created += _store(
            item, period=periods[SEED_QUARTER], priority=priority, organisation=organisation,
            for_all_districts=for_all_districts, status=Status.APPROVED,
            author=members.get(organisation.pk), reviewer=opcc,
            started=Q3_STARTED, submitted=Q3_SUBMITTED, approved=Q3_APPROVED,
            district=_district(item),
        )

    for slug in Q4_OWING:
        organisation = Organisation.objects.get(slug=slug)
        for priority in sections.values():
            Obligation.objects.get_or_create(round=next_round, organisation=organisation, priority=priority)
    for item in Q4_UPDATES:
        organisation = Organisation.objects.get(slug=item["organisation"])
        submitted = Q4_SUBMITTED if item["status"] == Status.SUBMITTED else None
        created += _store(
            item, period=periods[NEXT_QUARTER], priority=sections[item["section"]],
            organisation=organisation, for_all_districts=False, status=item["status"],
            author=users.get(item["username"]), reviewer=opcc,
            started=Q4_STARTED, submitted=submitted, approved=None,
        )
    if stdout is not None:
        stdout.write(
            f"Delivery updates: {len(items)} approved for {SEED_QUARTER}, "
            f"{len(Q4_UPDATES)} in progress for {NEXT_QUARTER} ({created} new)"
        )
