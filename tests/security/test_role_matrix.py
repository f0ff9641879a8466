"""Every URL the app has × every role → the expected status; refused requests change nothing.

The URL conf is walked (included confs and the admin too), so a new URL without an expectation
here fails the test. The roles: anonymous, `partner` (organisation A, Bradford Partnership),
`other-partner` (organisation B, Leeds Partnership), `panel` and `staff` (OPCC staff).

Object URLs are tried with A's and B's objects: for B, A's update does not exist (404), never
"forbidden" (which would confirm it exists). Drafts of reports, report previews, draft updates,
the data quality page, jobs and the rest of the admin are invisible outside their audience.

Every refused POST (and every POST to a page that only reads) is checked against a snapshot of
every table of the project's apps, users and sign-in records, taken before and after it.

Per-app detail (messages, the owner's own successful writes) stays in tests/delivery/test_access.py,
tests/reports/test_access.py and tests/surveys/test_access.py.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import pytest
from django.contrib.admin import site
from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("anonymous", "partner", "other-partner", "panel", "staff")
pytestmark = pytest.mark.usefixtures("access_fast_passwords")


def roles(anonymous, partner, other_partner, panel, staff) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, partner, other_partner, panel, staff), strict=True))


EVERYONE = roles(200, 200, 200, 200, 200)
NOBODY = roles(404, 404, 404, 404, 404)
STAFF_ONLY = roles(302, 403, 403, 403, 200)
PARTNERS_ONLY = roles(302, 200, 200, 403, 403)
READ_ONLY = roles(405, 405, 405, 405, 405)  # a POST to a page that only reads


@dataclass
class Case:
    route: str  # the URL pattern this path exercises, as the walk below spells it
    path: str
    get: dict[str, int]
    # Refused POSTs: role -> status. Roles left out may POST here (their writes are tested in
    # the app's own tests); a POST by them is not tried.
    post: dict[str, int] = field(default_factory=dict)
    data: dict = field(default_factory=dict)


def walk(resolver: URLResolver | None = None, prefix: str = ""):
    """Every route of the URL conf, included confs and the admin's too."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _update_form(update) -> dict:
    return {
        "title": "Changed title", "body": "Changed body", "key_facts": "", "version": str(update.version),
        "kpis-TOTAL_FORMS": "1", "kpis-INITIAL_FORMS": "0",
        "quotations-TOTAL_FORMS": "1", "quotations-INITIAL_FORMS": "0", "quotations-0-kind": "partner",
    }


def site_cases(w) -> list[Case]:
    """Every URL outside the admin."""
    r, d, m = w.report_slug, w.draft_slug, w.measure_code
    survey, wave, question = w.survey.slug, w.wave.code, w.question.code
    a, a_sent, b = w.a_draft, w.a_submitted, w.b_draft
    csv_file = base64.b64encode(b"survey,wave,question,area,answer,percentage\n").decode()
    staff_posts = roles(302, 403, 403, 403, 405)
    partner_reads = roles(302, 405, 405, 403, 403)
    return [
        Case("", "/", EVERYONE, READ_ONLY),
        Case("healthz", "/healthz", EVERYONE, READ_ONLY),
        Case("accessibility/", "/accessibility/", EVERYONE, READ_ONLY),
        Case("privacy/", "/privacy/", EVERYONE, READ_ONLY),
        # Signing in is for everyone; the signed-in are sent on. Its POSTs are in test_sign_in.py.
        Case("sign-in/", "/sign-in/", roles(200, 302, 302, 302, 302)),
        Case("sign-out/", "/sign-out/", roles(405, 405, 405, 405, 405)),
        # Public measure pages.
        Case("measures/", "/measures/", EVERYONE, READ_ONLY),
        Case("measures/<slug:code>/", f"/measures/{m}/", EVERYONE, READ_ONLY),
        Case("measures/<slug:code>/", "/measures/no-such-measure/", NOBODY, READ_ONLY),
        Case("measures/<slug:code>/chart.svg", f"/measures/{m}/chart.svg", EVERYONE, READ_ONLY),
        # Surveys: OPCC staff only (the public reads survey results in published reports).
        Case("surveys/", "/surveys/", STAFF_ONLY, READ_ONLY),
        Case("surveys/import/", "/surveys/import/", STAFF_ONLY, roles(302, 403, 403, 403, None)),
        Case("surveys/import/confirm/", "/surveys/import/confirm/", READ_ONLY,
             roles(302, 403, 403, 403, None), {"name": "results.csv", "content": csv_file}),
        Case("surveys/<slug:survey>/results.<str:file_format>", f"/surveys/{survey}/results.csv",
             STAFF_ONLY, READ_ONLY),
        Case("surveys/<slug:survey>/<slug:wave>/", f"/surveys/{survey}/{wave}/", STAFF_ONLY, READ_ONLY),
        Case("surveys/<slug:survey>/<slug:wave>/results.<str:file_format>",
             f"/surveys/{survey}/{wave}/results.xlsx", STAFF_ONLY, READ_ONLY),
        Case("surveys/<slug:survey>/<slug:wave>/<slug:question>/", f"/surveys/{survey}/{wave}/{question}/",
             STAFF_ONLY, roles(302, 403, 403, 403, None), {"bases-0": "100"}),
        # Reports: the published one is public; the draft is staff-only, through its preview.
        Case("reports/", "/reports/", EVERYONE, READ_ONLY),
        Case("reports/<slug:slug>.pdf", f"/reports/{r}.pdf", EVERYONE, READ_ONLY),
        Case("reports/<slug:slug>.pdf", f"/reports/{d}.pdf", NOBODY, READ_ONLY),
        Case("reports/<slug:slug>/", f"/reports/{r}/", EVERYONE, READ_ONLY),
        Case("reports/<slug:slug>/", f"/reports/{d}/", roles(404, 404, 404, 404, 302), READ_ONLY),
        Case("reports/<slug:slug>/measures.<fmt:fmt>", f"/reports/{r}/measures.csv", EVERYONE, READ_ONLY),
        Case("reports/<slug:slug>/measures.<fmt:fmt>", f"/reports/{d}/measures.xlsx", NOBODY, READ_ONLY),
        Case("reports/<slug:slug>/tables/<slug:key>.<fmt:fmt>", f"/reports/{r}/tables/{w.table_key}.xlsx",
             EVERYONE, READ_ONLY),
        Case("reports/<slug:slug>/tables/<slug:key>.<fmt:fmt>", f"/reports/{d}/tables/{w.draft_table_key}.csv",
             NOBODY, READ_ONLY),
        Case("reports/<slug:slug>/preview/", f"/reports/{r}/preview/", STAFF_ONLY, staff_posts),
        Case("reports/<slug:slug>/preview/", f"/reports/{d}/preview/", STAFF_ONLY, staff_posts),
        Case("reports/<slug:slug>/preview/measures.<fmt:fmt>", f"/reports/{d}/preview/measures.csv",
             STAFF_ONLY, staff_posts),
        Case("reports/<slug:slug>/preview/tables/<slug:key>.<fmt:fmt>",
             f"/reports/{d}/preview/tables/{w.draft_table_key}.xlsx", STAFF_ONLY, staff_posts),
        Case("reports/<slug:slug>/v<int:number>/", f"/reports/{r}/v1/", EVERYONE, READ_ONLY),
        Case("reports/<slug:slug>/v<int:number>/", f"/reports/{r}/v2/", NOBODY, READ_ONLY),
        Case("reports/<slug:slug>/v<int:number>/", f"/reports/{d}/v1/", NOBODY, READ_ONLY),
        Case("reports/<slug:slug>/v<int:number>/report.pdf", f"/reports/{r}/v1/report.pdf", EVERYONE, READ_ONLY),
        Case("reports/<slug:slug>/v<int:number>/report.pdf", f"/reports/{d}/v1/report.pdf", NOBODY, READ_ONLY),
        Case("reports/<slug:slug>/v<int:number>/measures.<fmt:fmt>", f"/reports/{r}/v1/measures.csv",
             EVERYONE, READ_ONLY),
        Case("reports/<slug:slug>/v<int:number>/measures.<fmt:fmt>", f"/reports/{d}/v1/measures.csv",
             NOBODY, READ_ONLY),
        Case("reports/<slug:slug>/v<int:number>/tables/<slug:key>.<fmt:fmt>",
             f"/reports/{r}/v1/tables/{w.table_key}.csv", EVERYONE, READ_ONLY),
        Case("reports/<slug:slug>/v<int:number>/tables/<slug:key>.<fmt:fmt>",
             f"/reports/{d}/v1/tables/{w.draft_table_key}.csv", NOBODY, READ_ONLY),
        # The partner portal: each organisation reaches its own updates only.
        Case("partners/", "/partners/", PARTNERS_ONLY, partner_reads),
        Case("partners/updates/new/<slug:priority_slug>/", f"/partners/updates/new/{w.priority_slug}/",
             PARTNERS_ONLY, roles(302, None, None, 403, 403), _update_form(a)),
        Case("partners/updates/new/<slug:priority_slug>/", "/partners/updates/new/not-owed/",
             roles(302, 404, 404, 403, 403), roles(302, 404, 404, 403, 403), _update_form(a)),
        Case("partners/updates/<int:pk>/", f"/partners/updates/{a.pk}/", roles(302, 200, 404, 403, 403),
             partner_reads),
        Case("partners/updates/<int:pk>/", f"/partners/updates/{b.pk}/", roles(302, 404, 200, 403, 403),
             partner_reads),
        Case("partners/updates/<int:pk>/edit/", f"/partners/updates/{a.pk}/edit/", roles(302, 200, 404, 403, 403),
             roles(302, None, 404, 403, 403), _update_form(a)),
        Case("partners/updates/<int:pk>/edit/", f"/partners/updates/{b.pk}/edit/", roles(302, 404, 200, 403, 403),
             roles(302, 404, None, 403, 403), _update_form(b)),
        # Submitted: no longer editable, even by its own organisation (sent back to the update).
        Case("partners/updates/<int:pk>/edit/", f"/partners/updates/{a_sent.pk}/edit/",
             roles(302, 302, 404, 403, 403), roles(302, None, 404, 403, 403), _update_form(a_sent)),
        Case("partners/updates/<int:pk>/preview/", f"/partners/updates/{a.pk}/preview/",
             roles(302, 200, 404, 403, 403), partner_reads),
        Case("partners/updates/<int:pk>/preview/", f"/partners/updates/{b.pk}/preview/",
             roles(302, 404, 200, 403, 403), partner_reads),
        Case("partners/updates/<int:pk>/submit/", f"/partners/updates/{a.pk}/submit/", partner_reads,
             roles(302, None, 404, 403, 403), {"version": a.version}),
        Case("partners/updates/<int:pk>/submit/", f"/partners/updates/{b.pk}/submit/", partner_reads,
             roles(302, 404, None, 403, 403), {"version": b.version}),
        Case("partners/updates/<int:pk>/delete/", f"/partners/updates/{a.pk}/delete/",
             roles(302, 200, 404, 403, 403), roles(302, None, 404, 403, 403), {"version": a.version}),
        Case("partners/updates/<int:pk>/delete/", f"/partners/updates/{b.pk}/delete/",
             roles(302, 404, 200, 403, 403), roles(302, 404, None, 403, 403), {"version": b.version}),
        # Submitted updates are kept: their own organisation is sent back to the update.
        Case("partners/updates/<int:pk>/delete/", f"/partners/updates/{a_sent.pk}/delete/",
             roles(302, 302, 404, 403, 403), roles(302, 302, 404, 403, 403), {"version": a_sent.version}),
        # The OPCC's review: staff only, every organisation's updates.
        Case("review/", "/review/", STAFF_ONLY, staff_posts),
        Case("review/updates/<int:pk>/", f"/review/updates/{a_sent.pk}/", STAFF_ONLY, staff_posts),
        Case("review/updates/<int:pk>/", f"/review/updates/{b.pk}/", STAFF_ONLY, staff_posts),
        Case("review/updates/<int:pk>/return/", f"/review/updates/{a_sent.pk}/return/",
             roles(302, 403, 403, 403, 405), roles(302, 403, 403, 403, None), {"return-comment": "No"}),
        Case("review/updates/<int:pk>/approve/", f"/review/updates/{a_sent.pk}/approve/",
             roles(302, 403, 403, 403, 405), roles(302, 403, 403, 403, None), {"approve-comment": ""}),
    ]


# The admin ---------------------------------------------------------------------------------------
#
# Anyone who is not OPCC staff is sent to the admin's sign-in (302) from every admin URL, and a
# POST from them is refused the same way. For staff, each registered model is one of:
#   MANAGED    staff view, add, change and delete
#   READ_ONLY  computed or frozen rows: staff view; adding, changing and deleting are refused
#   NO_ADD     rows the app creates (jobs, reminders): staff view and delete, never add
#   SUPERUSER  user accounts, groups, sign-in records, the audit trail: superusers only
#   AUDIT      the audit trail's events, for superusers; a view with no ids of its own, so an
#              event's history page finds nothing and sends staff back to the admin's home
# kind -> staff's GET status for (changelist, add, change, history, delete), and the statuses of
# a refused staff POST to (changelist, add, change, delete); None: staff may POST there.
MANAGED, READ_ONLY_ADMIN, NO_ADD, SUPERUSER, AUDIT = "managed", "read-only", "no-add", "superuser", "audit"
ADMIN_KINDS = {
    MANAGED: ((200, 200, 200, 200, 200), (None, None, None, None)),
    READ_ONLY_ADMIN: ((200, 403, 200, 200, 403), (None, 403, 403, 403)),
    NO_ADD: ((200, 403, 200, 200, 200), (None, 403, None, None)),
    SUPERUSER: ((403, 403, 403, 403, 403), (403, 403, 403, 403)),
    AUDIT: ((403, 403, 403, 302, 403), (403, 403, 403, 403)),
}
ADMIN_MODELS = {
    "auth.group": SUPERUSER,
    "auth.user": SUPERUSER,
    "axes.accessattempt": SUPERUSER,
    "axes.accesslog": SUPERUSER,
    "axes.accessfailurelog": SUPERUSER,
    "pghistory.events": AUDIT,
    "organisations.organisation": MANAGED,
    "organisations.membership": MANAGED,
    "jobs.job": NO_ADD,
    "measures.area": MANAGED,
    "measures.priority": MANAGED,
    "measures.objective": MANAGED,
    "measures.measure": MANAGED,
    "measures.value": MANAGED,
    "measures.period": READ_ONLY_ADMIN,
    "measures.result": READ_ONLY_ADMIN,
    "measures.qualityflag": READ_ONLY_ADMIN,  # the data quality page
    "measures.printedfigure": MANAGED,
    "measures.recalculation": READ_ONLY_ADMIN,
    "reports.report": MANAGED,
    "reports.section": MANAGED,
    "reports.reportversion": READ_ONLY_ADMIN,
    "reports.glossaryterm": MANAGED,
    "delivery.round": MANAGED,
    "delivery.reminder": NO_ADD,
    "delivery.deliveryupdate": MANAGED,
    "surveys.survey": MANAGED,
    "surveys.wave": MANAGED,
    "surveys.question": MANAGED,
    "surveys.surveymeasure": MANAGED,
    "surveys.result": READ_ONLY_ADMIN,  # entered on the grid or imported, never row by row
    "surveys.responsebase": READ_ONLY_ADMIN,
}
TO_ADMIN_SIGN_IN = dict(anonymous=302, partner=302, **{"other-partner": 302}, panel=302)


def staff_admin(get: int | None, post: int | None = None) -> tuple[dict, dict]:
    return {**TO_ADMIN_SIGN_IN, "staff": get}, {**TO_ADMIN_SIGN_IN, "staff": post}


def admin_cases(w) -> list[Case]:
    cases = []
    for model in site._registry:
        opts = model._meta
        label = f"{opts.app_label}.{opts.model_name}"
        base = f"admin/{opts.app_label}/{opts.model_name}/"
        pk = w.objects[label]
        (changelist, add, change, history, delete), refused = ADMIN_KINDS[ADMIN_MODELS[label]]
        change_data = {"_save": "Save", "name": "Changed by a refused request"}
        delete_all = {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
        for route, path, get, post, data in [
            ("", "", changelist, refused[0], delete_all),
            ("add/", "add/", add, refused[1], change_data),
            ("<path:object_id>/change/", f"{pk}/change/", change, refused[2], change_data),
            ("<path:object_id>/history/", f"{pk}/history/", history, None, {}),
            ("<path:object_id>/delete/", f"{pk}/delete/", delete, refused[3], {"post": "yes"}),
            ("<path:object_id>/", f"{pk}/", 302, None, {}),  # on to the change page
        ]:
            cases.append(Case(base + route, f"/{base}{path}", *staff_admin(get, post), data))
    report = w.objects["reports.report"]
    cases += [
        Case("admin/", "/admin/", *staff_admin(200)),
        # The admin's own sign-in: the signed-in without the staff role see it (and may try).
        Case("admin/login/", "/admin/login/", roles(200, 200, 200, 200, 302)),
        Case("admin/logout/", "/admin/logout/", *staff_admin(405)),
        Case("admin/password_change/", "/admin/password_change/", *staff_admin(200)),
        Case("admin/password_change/done/", "/admin/password_change/done/", *staff_admin(200)),
        Case("admin/autocomplete/", "/admin/autocomplete/", *staff_admin(403, 405)),
        Case("admin/jsi18n/", "/admin/jsi18n/", *staff_admin(200)),
        Case("admin/r/<path:content_type_id>/<path:object_id>/",
             f"/admin/r/{w.version_content_type}/{w.version.pk}/", *staff_admin(302)),
        Case("admin/^(?P<app_label>auth|axes|organisations|jobs|measures|reports|delivery|surveys|pghistory)/$",
             "/admin/measures/", *staff_admin(200)),
        Case("admin/^(?P<app_label>auth|axes|organisations|jobs|measures|reports|delivery|surveys|pghistory)/$",
             "/admin/auth/", *staff_admin(404)),
        Case("admin/(?P<url>.*)$", "/admin/no-such-page/", *staff_admin(404)),
        Case("admin/auth/user/<id>/password/", f"/admin/auth/user/{w.objects['auth.user']}/password/",
             *staff_admin(403, 403), {"password1": "a-new-long-password-1", "password2": "a-new-long-password-1"}),
        # Figures and the framework: import (preview, then confirm), export, recalculate.
        Case("admin/measures/value/import/", "/admin/measures/value/import/", *staff_admin(200)),
        Case("admin/measures/value/import/confirm/", "/admin/measures/value/import/confirm/", *staff_admin(302)),
        Case("admin/measures/value/export/", "/admin/measures/value/export/", *staff_admin(200),
             {"format": "csv"}),
        Case("admin/measures/measure/import/", "/admin/measures/measure/import/", *staff_admin(200)),
        Case("admin/measures/measure/import/confirm/", "/admin/measures/measure/import/confirm/",
             *staff_admin(302)),
        Case("admin/measures/measure/export/", "/admin/measures/measure/export/", *staff_admin(200),
             {"format": "csv"}),
        Case("admin/measures/measure/recalculate-all/", "/admin/measures/measure/recalculate-all/",
             *staff_admin(200)),
        # Publishing and starting a new quarter.
        Case("admin/reports/report/<int:report_id>/publish/", f"/admin/reports/report/{report}/publish/",
             *staff_admin(200), {"note": "Published by a refused request"}),
        Case("admin/reports/report/<int:report_id>/copy-structure/",
             f"/admin/reports/report/{report}/copy-structure/", *staff_admin(200), {"period": "2021-22-Q1"}),
    ]
    return cases


@pytest.fixture
def every_case(access_world):
    from django.contrib.contenttypes.models import ContentType

    access_world.version_content_type = ContentType.objects.get_for_model(type(access_world.version)).pk
    return site_cases(access_world) + admin_cases(access_world)


def test_every_url_for_every_role_gets_the_expected_status_and_refused_posts_change_nothing(
    every_case, role_clients, access_snapshot, role_users
):
    routes = set(walk())
    tried = {case.route for case in every_case}
    assert routes - tried == set(), "add an expectation for every role to these new URLs"
    assert tried - routes == set(), "these expectations name URLs that no longer exist"

    wrong = []
    for case in every_case:
        for role, client in role_clients.items():
            response = client.get(case.path)
            if response.status_code != case.get[role]:
                wrong.append(f"{role} GET {case.path}: {response.status_code}, expected {case.get[role]}")
            elif response.status_code == 302 and role == "anonymous":
                location = response["Location"]
                signing_out = case.path == "/admin/logout/" and location == "/admin/"
                if not (location.startswith(("/sign-in/?next=", "/admin/login/?next=")) or signing_out):
                    wrong.append(f"anonymous GET {case.path}: sent to {location}, not to sign in")
    after = access_snapshot()
    for case in every_case:
        for role, expected in case.post.items():
            if expected is None:
                continue
            before = after
            response = role_clients[role].post(case.path, case.data)
            after = access_snapshot()
            if response.status_code != expected:
                wrong.append(f"{role} POST {case.path}: {response.status_code}, expected {expected}")
            changed = sorted(table for table in before if before[table] != after[table])
            if changed:
                wrong.append(f"{role} POST {case.path} was refused but changed {', '.join(changed)}")
    assert wrong == [], "\n".join(wrong)
    # A refused request never signs anyone out or in as someone else.
    for role, client in role_clients.items():
        expected = role_users[role]
        assert client.session.get("_auth_user_id") == (str(expected.pk) if expected else None), role


@pytest.fixture
def role_users(partner_user, other_partner_user, panel_user, staff_user):
    return {"anonymous": None, "partner": partner_user, "other-partner": other_partner_user,
            "panel": panel_user, "staff": staff_user}
