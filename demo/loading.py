"""Load the demo: the seed quarter's organisations, people and (from the measures issue on) figures.

Every step is idempotent: `make run` calls it on each start and a second run changes nothing.
"""

import csv
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from demo import delivery as demo_delivery
from demo import measures as demo_measures
from demo import report as demo_report
from demo import surveys as demo_surveys
from measures import calculation
from measures.models import Area
from organisations import roles
from organisations.models import Membership, Organisation

DEMO_DIR = Path(__file__).resolve().parent

ORGANISATIONS = [
    # slug, name, kind, area code
    ("west-yorkshire-police", "West Yorkshire Police", Organisation.Kind.POLICE_FORCE, None),
    ("opcc", "Office of the Police and Crime Commissioner", Organisation.Kind.OPCC, None),
    ("bradford-csp", "Bradford Community Safety Partnership", Organisation.Kind.COMMUNITY_SAFETY_PARTNERSHIP, "bradford"),
    ("calderdale-csp", "Calderdale Community Safety Partnership", Organisation.Kind.COMMUNITY_SAFETY_PARTNERSHIP, "calderdale"),
    ("kirklees-csp", "Kirklees Community Safety Partnership", Organisation.Kind.COMMUNITY_SAFETY_PARTNERSHIP, "kirklees"),
    ("leeds-csp", "Leeds Community Safety Partnership", Organisation.Kind.COMMUNITY_SAFETY_PARTNERSHIP, "leeds"),
    ("wakefield-csp", "Wakefield Community Safety Partnership", Organisation.Kind.COMMUNITY_SAFETY_PARTNERSHIP, "wakefield"),
    ("victim-support", "Victim Support", Organisation.Kind.COMMISSIONED_SERVICE, None),
    ("change-grow-live", "Change Grow Live", Organisation.Kind.COMMISSIONED_SERVICE, None),
    ("restorative-solutions", "Restorative Solutions", Organisation.Kind.COMMISSIONED_SERVICE, None),
]

USERS = [
    # username, full name, role, organisation slug
    ("opcc", "Olivia Performance", roles.OPCC_STAFF, "opcc"),
    ("bradford", "Bilal Partnership", roles.PARTNER, "bradford-csp"),
    ("leeds", "Lucy Partnership", roles.PARTNER, "leeds-csp"),
    ("wyp", "William Police", roles.PARTNER, "west-yorkshire-police"),
    ("panel", "Priya Panel", roles.PANEL, None),
]


def load_areas() -> int:
    with open(DEMO_DIR / "areas.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for order, row in enumerate(rows):
        Area.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "population": int(row["population"]) if row["population"] else None,
                "parent": Area.objects.get(code=row["parent"]) if row["parent"] else None,
                "order": order,
            },
        )
    return len(rows)


def load_organisations() -> int:
    for slug, name, kind, area_code in ORGANISATIONS:
        Organisation.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "area": Area.objects.get(code=area_code) if area_code else None,
            },
        )
    return len(ORGANISATIONS)


def load_users() -> int:
    User = get_user_model()
    roles.ensure_groups()
    for username, full_name, role, organisation_slug in USERS:
        first_name, last_name = full_name.split(" ", 1)
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.org",
                "is_staff": role == roles.OPCC_STAFF,
                "is_active": True,
            },
        )
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        if organisation_slug:
            Membership.objects.update_or_create(
                user=user, defaults={"organisation": Organisation.objects.get(slug=organisation_slug)}
            )
        else:
            Membership.objects.filter(user=user).delete()
    return len(USERS)


def demo_is_loaded() -> bool:
    return get_user_model().objects.filter(username="opcc").exists()


@transaction.atomic
def load_demo(*, stdout=None) -> None:
    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    say(f"Areas: {load_areas()}")
    say(f"Organisations: {load_organisations()}")
    say(f"Users: {load_users()}")
    demo_measures.load(stdout=stdout)
    demo_surveys.load(stdout=stdout)
    # Results are computed here rather than left to the queued job, so the demo is complete
    # the moment the server starts (the queued job then finds nothing to change).
    say(f"Results: {calculation.recalculate().as_dict()}")
    demo_delivery.load(stdout=stdout)
    demo_report.load(stdout=stdout)  # last: it publishes what the steps above loaded
