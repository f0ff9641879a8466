"""The report's delivery block: approved updates only, grouped as the seed groups them, frozen."""

import datetime
import json

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from delivery.models import Status
from delivery.report_blocks import render_delivery_block
from measures.models import Area
from organisations.models import Organisation
from tests.delivery.factories import KpiFactory, QuotationFactory, UpdateFactory, quarter
from tests.factories import OrganisationFactory


@pytest.fixture
def q3(db):
    return quarter("2020-21-Q3")


@pytest.fixture
def districts(db):
    force = Area.objects.create(code="west-yorkshire", name="West Yorkshire", order=0)
    return {
        code: Area.objects.create(code=code, name=code.title(), parent=force, order=order)
        for order, code in enumerate(["bradford", "calderdale", "kirklees", "leeds", "wakefield"], start=1)
    }


@pytest.fixture
def organisations(districts):
    kind = Organisation.Kind
    return {
        "police": OrganisationFactory(name="West Yorkshire Police", slug="wyp", kind=kind.POLICE_FORCE),
        "opcc": OrganisationFactory(name="OPCC", slug="opcc", kind=kind.OPCC),
        "wakefield": OrganisationFactory(name="Wakefield CSP", slug="wakefield-csp", area=districts["wakefield"]),
        "bradford": OrganisationFactory(name="Bradford CSP", slug="bradford-csp", area=districts["bradford"]),
        "leeds": OrganisationFactory(name="Leeds CSP", slug="leeds-csp", area=districts["leeds"]),
        "cgl": OrganisationFactory(name="Change Grow Live", slug="cgl", kind=kind.COMMISSIONED_SERVICE),
    }


def approved(**fields):
    return UpdateFactory(status=Status.APPROVED, **fields)


def test_the_block_groups_police_opcc_and_partners_by_district(q3, priority, organisations, districts):
    o = organisations
    approved(organisation=o["wakefield"], period=q3, priority=priority, title="Roads policing plan")
    approved(organisation=o["police"], period=q3, priority=priority, title="Operation Jemlock")
    approved(organisation=o["opcc"], period=q3, priority=priority, title="Community Outcomes Meeting")
    approved(organisation=o["opcc"], period=q3, priority=priority, title="Hate Crime Week", for_all_districts=True)
    approved(organisation=o["leeds"], period=q3, priority=priority, title="Student noise")
    iom = approved(organisation=o["cgl"], period=q3, priority=priority, title="IOM Support Service (Leeds)",
                   district=districts["leeds"])
    KpiFactory(update=iom, label="Number of referrals to Forward Leads", q1="21", q2="84", q3="14")
    approved(organisation=o["bradford"], period=q3, priority=priority, title="MARAC Navigator project")

    block = render_delivery_block(period=q3, priority=priority)
    assert block["count"] == 7
    shape = [
        (group["heading"], [(s["heading"], [u["title"] for u in s["updates"]]) for s in group["sections"]])
        for group in block["groups"]
    ]
    assert shape == [
        ("Police delivery", [(None, ["Operation Jemlock"])]),
        ("OPCC delivery", [(None, ["Community Outcomes Meeting"])]),
        ("Partners’ delivery", [
            ("All districts", ["Hate Crime Week"]),
            ("Bradford", ["MARAC Navigator project"]),
            ("Leeds", ["IOM Support Service (Leeds)", "Student noise"]),
            ("Wakefield", ["Roads policing plan"]),
        ]),
    ]
    iom_data = block["groups"][2]["sections"][2]["updates"][0]
    assert iom_data["organisation"] == "Change Grow Live"
    assert iom_data["kpis"] == {
        "caption": "Key performance information 2020/21",
        "quarters": ["Q1", "Q2", "Q3"],
        "rows": [{"label": "Number of referrals to Forward Leads", "values": ["21", "84", "14"]}],
    }
    assert block["groups"][2]["sections"][0]["updates"][0]["attribution"] == "All districts"


def test_only_approved_updates_of_the_quarter_and_section_appear(q3, priority, other_priority, organisation):
    approved(organisation=organisation, period=q3, priority=priority, title="In")
    approved(organisation=organisation, period=q3, priority=other_priority, title="Other section")
    approved(organisation=organisation, period=quarter("2020-21-Q4"), priority=priority, title="Other quarter")
    for status in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED):
        UpdateFactory(organisation=organisation, period=q3, priority=priority, status=status, title=status)
    block = render_delivery_block(period=q3, priority=priority)
    assert [u["title"] for g in block["groups"] for s in g["sections"] for u in s["updates"]] == ["In"]


def test_an_update_approved_after_as_of_is_left_out(q3, priority, organisation):
    published = timezone.now()
    approved(organisation=organisation, period=q3, priority=priority, title="Before",
             approved_at=published - datetime.timedelta(hours=1))
    approved(organisation=organisation, period=q3, priority=priority, title="After",
             approved_at=published + datetime.timedelta(hours=1))
    frozen = render_delivery_block(period=q3, priority=priority, as_of=published)
    assert [u["title"] for u in frozen["groups"][0]["sections"][0]["updates"]] == ["Before"]
    assert frozen["as_of"] == published.isoformat()
    later = render_delivery_block(period=q3, priority=priority)
    assert [u["title"] for u in later["groups"][0]["sections"][0]["updates"]] == ["Before", "After"]


def test_the_block_is_json_and_renders_without_the_database(q3, priority, organisation, django_assert_num_queries):
    update = approved(organisation=organisation, period=q3, priority=priority, title="MARAC Navigator project",
                      body="The **Navigator** approach.", key_facts="High engagement\nFewer referrals")
    KpiFactory(update=update)
    QuotationFactory(update=update, kind="client", attribution="", text="I feel safer.")
    block = json.loads(json.dumps(render_delivery_block(period=q3, priority=priority)))
    with django_assert_num_queries(0):
        html = render_to_string("delivery/report_block.html", {"block": block})
    assert "<h3" in html and "Update on delivery from the OPCC, police and partners" in html
    assert "<strong>Navigator</strong>" in html
    assert "<caption class=\"govuk-table__caption govuk-table__caption--s\">Key performance information 2020/21" in html
    assert '<th scope="row" class="govuk-table__header">% of successful completions from caseload</th>' in html
    assert "Client quotation" in html and "Anonymous client" in html and "I feel safer." in html
    assert "<li>High engagement</li>" in html


def test_an_empty_block_says_so(q3, priority):
    block = render_delivery_block(period=q3, priority=priority)
    assert block["groups"] == [] and block["count"] == 0
    assert "No update on delivery was approved for this section." in render_to_string(
        "delivery/report_block.html", {"block": block}
    )


def test_the_block_takes_three_queries_whatever_the_number_of_updates(q3, priority, organisations, django_assert_num_queries):
    def add(n):
        for i in range(n):
            org = list(organisations.values())[i % len(organisations)]
            update = approved(organisation=org, period=q3, priority=priority)
            KpiFactory(update=update)
            QuotationFactory(update=update)

    add(3)
    with django_assert_num_queries(3):  # updates (with organisation, area, period, section), KPIs, quotations
        render_delivery_block(period=q3, priority=priority)
    add(3)
    with django_assert_num_queries(3):
        assert render_delivery_block(period=q3, priority=priority)["count"] == 6
