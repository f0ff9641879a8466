"""The demo loads the seed's delivery updates, approved for 2020-21 Q3, and a live Q4."""

import json
from pathlib import Path

import pytest

from delivery.models import DeliveryUpdate, Obligation, Round, Status
from delivery.report_blocks import render_delivery_block
from demo import delivery as demo_delivery
from demo.loading import load_areas, load_organisations, load_users
from measures.models import Priority

SEED = json.loads((Path(demo_delivery.__file__).parent / "2020-21-Q3" / "delivery_updates.json").read_text())
PRIORITIES = [
    "Tackle crime and anti-social behaviour", "Safeguard vulnerable people",
    "Work to improve criminal justice", "Support victims and witnesses",
]


@pytest.fixture
def loaded(db, settings):
    settings.DEMO_PASSWORD = "demo"
    load_areas()
    load_organisations()
    load_users()
    for order, name in enumerate(PRIORITIES, start=1):  # what the measures loader creates
        Priority.objects.get_or_create(name=name, defaults={"slug": f"priority-{order}", "order": order})
    demo_delivery.load()


def test_every_seed_update_is_approved_for_2020_21_q3_under_its_organisation_and_section(loaded):
    q3 = DeliveryUpdate.objects.filter(period__code="2020-21-Q3")
    assert q3.count() == len(SEED) == 34
    assert set(q3.values_list("status", flat=True)) == {Status.APPROVED}
    by_section = {str(n): name for n, name in enumerate(PRIORITIES, start=2)}
    for item in SEED:
        update = q3.get(title=item["title"])
        expected = "opcc" if item["organisation"] == "all-districts" else item["organisation"]
        assert update.organisation.slug == expected
        assert update.priority.name == by_section[item["section"]]
        assert [t.action for t in update.transitions.all()] == ["started", "submitted", "approved"]


def test_the_seed_details_survive(loaded):
    iom = DeliveryUpdate.objects.get(title="IOM Support Service (Leeds)")
    assert [(k.label, k.q1, k.q2, k.q3) for k in iom.kpis.all()][0] == (
        "% of successful completions from caseload", "40%", "40%", "47%"
    )
    marac = DeliveryUpdate.objects.get(title="MARAC Navigator project")
    assert len(marac.key_fact_list) == 4
    assert [(q.kind, q.attribution_text) for q in marac.quotations.all()] == [
        ("partner", "Inspector, WYP (Bradford District)"), ("client", "Anonymous client"),
    ]
    hate = DeliveryUpdate.objects.get(title="Hate Crime Week")
    assert hate.for_all_districts and hate.organisation.slug == "opcc"


def test_the_seed_block_groups_section_5_as_the_seed_does(loaded):
    q3_round = Round.objects.get(period__code="2020-21-Q3")
    block = render_delivery_block(period=q3_round.period, priority=Priority.objects.get(name=PRIORITIES[3]))
    assert [g["heading"] for g in block["groups"]] == ["Police delivery", "OPCC delivery", "Partners’ delivery"]
    assert [s["heading"] for s in block["groups"][2]["sections"]] == ["All districts", "Bradford"]
    section_2 = render_delivery_block(period=q3_round.period, priority=Priority.objects.get(name=PRIORITIES[0]))
    assert [s["heading"] for s in section_2["groups"][2]["sections"]] == ["Kirklees", "Leeds", "Wakefield"]


def test_2020_21_q4_is_open_with_a_draft_a_submission_and_nothing_from_calderdale(loaded):
    q4 = Round.objects.get(is_open=True)
    assert q4.period.code == "2020-21-Q4" and q4.due_on.isoformat() == "2021-04-16"
    updates = {u.organisation.slug: u.status for u in DeliveryUpdate.objects.filter(period=q4.period)}
    assert updates == {"bradford-csp": Status.DRAFT, "leeds-csp": Status.SUBMITTED}
    owing = set(Obligation.objects.filter(round=q4).values_list("organisation__slug", flat=True))
    assert {"bradford-csp", "leeds-csp", "calderdale-csp"} <= owing


def test_loading_twice_changes_nothing(loaded):
    before = (DeliveryUpdate.objects.count(), Obligation.objects.count(), Round.objects.count(),
              list(DeliveryUpdate.objects.order_by("pk").values("pk", "status", "version")))
    demo_delivery.load()
    after = (DeliveryUpdate.objects.count(), Obligation.objects.count(), Round.objects.count(),
             list(DeliveryUpdate.objects.order_by("pk").values("pk", "status", "version")))
    assert after == before


def test_the_demo_pages_show_every_state(loaded, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="bradford"))
    page = client.get("/partners/").content.decode()
    assert "Safer Streets in Bradford city centre" in page and "MARAC Navigator project" in page
    client.force_login(get_user_model().objects.get(username="opcc"))
    page = client.get("/review/").content.decode()
    assert "Student noise and anti-social behaviour service: second term" in page
    for tag in ["Overdue", "Submitted", "Draft", "Not started"]:
        assert f"\">{tag}</strong>" in page
    page = client.get("/review/?quarter=2020-21-Q3").content.decode()
    assert "\">Approved</strong>" in page
