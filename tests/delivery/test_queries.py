"""Every delivery page takes a fixed number of queries: pinned at N rows and again at 2N.

Each page's first queries are the same: the session, the user and the user's groups (3), and for
partners the membership and its organisation (2 more).
"""

import pytest

from delivery import services
from delivery.models import Status, Transition
from tests.delivery.factories import (
    KpiFactory,
    ObligationFactory,
    PriorityFactory,
    QuotationFactory,
    UpdateFactory,
    quarter,
)
from tests.factories import OrganisationFactory


def _add_updates(n, *, organisation, priority, open_round, partner_user):
    q3 = quarter("2020-21-Q3")
    for _ in range(n):
        UpdateFactory(organisation=organisation, priority=priority, period=open_round.period)
        submitted = UpdateFactory(organisation=organisation, priority=priority, period=open_round.period)
        services.update_submit(update=submitted, user=partner_user, expected_version=1)
        UpdateFactory(organisation=organisation, priority=priority, period=q3, status=Status.APPROVED)


@pytest.mark.parametrize("n", [3, 6])
def test_the_task_list_takes_nine_queries(n, partner_client, partner_user, obligations, organisation, priority, open_round, django_assert_num_queries):
    _add_updates(n, organisation=organisation, priority=priority, open_round=open_round, partner_user=partner_user)
    for i in range(n):
        ObligationFactory(round=open_round, organisation=organisation, priority=PriorityFactory())
    # round, obligations with sections, this quarter's updates, earlier approved updates
    with django_assert_num_queries(5 + 4):
        response = partner_client.get("/partners/")
    assert response.content.decode().count('<li class="govuk-task-list__item') == 2 * n


@pytest.mark.parametrize("n", [3, 6])
def test_an_update_page_takes_nine_queries(n, partner_client, staff_user, draft, django_assert_num_queries):
    for i in range(n):
        KpiFactory(update=draft, label=f"KPI {i}")
        QuotationFactory(update=draft)
        Transition.objects.create(update=draft, action="returned", to_status="returned", actor=staff_user,
                                  actor_name="Staff", comment=f"Comment {i}")
    # the update (with organisation, area, period, section, district, last editor), KPI lines,
    # quotations, transitions
    with django_assert_num_queries(5 + 4):
        assert partner_client.get(f"/partners/updates/{draft.pk}/").status_code == 200
    with django_assert_num_queries(5 + 3):  # no history on the preview
        assert partner_client.get(f"/partners/updates/{draft.pk}/preview/").status_code == 200


@pytest.mark.parametrize("n", [3, 6])
def test_the_review_page_takes_eight_queries(n, staff_client, partner_user, obligations, open_round, django_assert_num_queries):
    for i in range(n):
        organisation = OrganisationFactory()
        PriorityFactory()
        ObligationFactory(round=open_round, organisation=organisation, priority=obligations[0].priority)
        _add_updates(1, organisation=organisation, priority=obligations[0].priority, open_round=open_round,
                     partner_user=partner_user)
    # rounds, sections, obligations with organisations, the quarter's updates, the queue
    with django_assert_num_queries(3 + 5):
        response = staff_client.get("/review/")
    assert response.content.decode().count("<th scope=\"row\"") == 2 + n + n  # tracker rows + queue rows


@pytest.mark.parametrize("n", [3, 6])
def test_the_review_of_one_update_takes_seven_queries(n, staff_client, submitted, staff_user, django_assert_num_queries):
    for i in range(n):
        KpiFactory(update=submitted, label=f"KPI {i}")
        QuotationFactory(update=submitted)
    # the update, KPI lines, quotations, transitions
    with django_assert_num_queries(3 + 4):
        assert staff_client.get(f"/review/updates/{submitted.pk}/").status_code == 200
