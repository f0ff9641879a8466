"""Delivery fixtures: an open quarter that both test partner organisations owe a section for."""

import pytest

from tests.delivery.factories import ObligationFactory, PriorityFactory, RoundFactory, UpdateFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every test makes several users; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def priority(db):
    return PriorityFactory(name="Tackle crime and anti-social behaviour", slug="tackle-crime", order=1)


@pytest.fixture
def other_priority(db):
    return PriorityFactory(name="Safeguard vulnerable people", slug="safeguard", order=2)


@pytest.fixture
def open_round(db):
    return RoundFactory()


@pytest.fixture
def obligations(open_round, organisation, other_organisation, priority, other_priority):
    return [
        ObligationFactory(round=open_round, organisation=org, priority=p)
        for org in (organisation, other_organisation)
        for p in (priority, other_priority)
    ]


@pytest.fixture
def draft(obligations, organisation, priority, partner_user, open_round):
    """Bradford Partnership's draft, with a KPI line and a quotation, written through the service."""
    from delivery import services
    from delivery.services import KpiData, QuotationData, UpdateContent

    return services.update_create(
        organisation=organisation, period=open_round.period, priority=priority, author=partner_user,
        content=UpdateContent(
            title="Breaking the Cycle project",
            body="The one to one work is **still taking place**, despite lock down.",
            key_facts="High engagement from clients referred.",
            kpis=(KpiData(label="% of successful completions from caseload", q1="40%", q2="40%", q3="47%"),),
            quotations=(QuotationData(text="The trust built up cannot be understated.",
                                      attribution="Inspector, WYP (Bradford District)"),),
        ),
    )


@pytest.fixture
def other_draft(obligations, other_organisation, priority, other_partner_user, open_round):
    """Leeds Partnership's draft: the partner_client must never reach it."""
    return UpdateFactory(
        organisation=other_organisation, priority=priority, period=open_round.period,
        title="Leeds student noise service", created_by=other_partner_user,
    )


@pytest.fixture
def submitted(draft, partner_user):
    from delivery import services

    return services.update_submit(update=draft, user=partner_user, expected_version=draft.version)


@pytest.fixture
def approved(submitted, staff_user):
    from delivery import services

    return services.update_approve(update=submitted, reviewer=staff_user)
