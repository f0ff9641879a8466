"""Every reports URL, for every role: published things are public, drafts are staff-only.

The reports URL conf is walked, so a new reports URL without an expectation here fails.
"""

import pytest
from django.urls import URLResolver, get_resolver

from reports.models import Block
from reports.services import report_copy_structure, report_publish

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "partner", "other-partner", "panel", "staff")
PUBLIC = dict.fromkeys(ROLES, 200)
STAFF_ONLY = dict(anonymous=302, partner=403, **{"other-partner": 403}, panel=403, staff=200)
HIDDEN = dict.fromkeys(ROLES, 404)

# route -> (path for the published 2020-21-q3 with a draft 2020-21-q4, expected status per role)
EXPECTATIONS = {
    "": ("/reports/", PUBLIC),
    "<slug:slug>.pdf": ("/reports/2020-21-q3.pdf", PUBLIC),
    "<slug:slug>/": ("/reports/2020-21-q3/", PUBLIC),
    "<slug:slug>/measures.<fmt:fmt>": ("/reports/2020-21-q3/measures.xlsx", PUBLIC),
    "<slug:slug>/tables/<slug:key>.<fmt:fmt>": ("/reports/2020-21-q3/tables/{table}.csv", PUBLIC),
    "<slug:slug>/preview/": ("/reports/2020-21-q3/preview/", STAFF_ONLY),
    "<slug:slug>/preview/measures.<fmt:fmt>": ("/reports/2020-21-q4/preview/measures.csv", STAFF_ONLY),
    "<slug:slug>/preview/tables/<slug:key>.<fmt:fmt>": ("/reports/2020-21-q4/preview/tables/{draft_table}.xlsx", STAFF_ONLY),
    "<slug:slug>/v<int:number>/": ("/reports/2020-21-q3/v1/", PUBLIC),
    "<slug:slug>/v<int:number>/report.pdf": ("/reports/2020-21-q3/v1/report.pdf", PUBLIC),
    "<slug:slug>/v<int:number>/measures.<fmt:fmt>": ("/reports/2020-21-q3/v1/measures.csv", PUBLIC),
    "<slug:slug>/v<int:number>/tables/<slug:key>.<fmt:fmt>": ("/reports/2020-21-q3/v1/tables/{table}.xlsx", PUBLIC),
}
# The draft's public addresses: not found for anyone (staff are sent on to its preview).
DRAFT = {
    "/reports/2020-21-q4/": dict(HIDDEN, staff=302),
    "/reports/2020-21-q4.pdf": HIDDEN,
    "/reports/2020-21-q4/v1/": HIDDEN,
    "/reports/2020-21-q4/measures.csv": HIDDEN,
    "/reports/2020-21-q4/tables/{draft_table}.csv": HIDDEN,
    "/reports/2020-21-q4/v1/tables/{draft_table}.csv": HIDDEN,
}


def _reports_routes():
    resolver = next(
        pattern for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == "reports/"
    )
    return {str(pattern.pattern) for pattern in resolver.url_patterns}


def test_every_reports_url_has_an_access_expectation():
    assert _reports_routes() == set(EXPECTATIONS)


@pytest.fixture
def reports(report, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report_publish(report=report, user=None)
    draft = report_copy_structure(report=report, period="2020-21-Q4", user=None)
    return {
        "table": Block.objects.filter(section__report=report, kind=Block.Kind.MEASURE_TABLE).first().pk,
        "draft_table": Block.objects.filter(section__report=draft, kind=Block.Kind.MEASURE_TABLE).first().pk,
    }


def test_each_role_gets_exactly_what_it_may(reports, role_clients):
    cases = [(path, expected) for path, expected in EXPECTATIONS.values()] + list(DRAFT.items())
    for path, expected in cases:
        path = path.format(**reports)
        for role, client in role_clients.items():
            response = client.get(path)
            assert response.status_code == expected[role], f"{role} GET {path}"
            if response.status_code == 302 and role == "anonymous":
                assert response["Location"].startswith("/sign-in/")
