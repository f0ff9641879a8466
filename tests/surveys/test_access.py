"""Every survey page is for OPCC staff only: the public sees survey results in published reports."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.surveys.factories import segment

pytestmark = pytest.mark.django_db

# route -> a way to build its path from the fixtures; every route under surveys/ must be here.
ROUTES = {
    "surveys/": lambda w, q: reverse("surveys:index"),
    "surveys/import/": lambda w, q: reverse("surveys:import"),
    "surveys/import/confirm/": None,  # POST only: tested below
    "surveys/<slug:survey>/results.<str:file_format>": lambda w, q: reverse("surveys:export", args=[w.survey.slug, "csv"]),
    "surveys/<slug:survey>/<slug:wave>/": lambda w, q: reverse("surveys:wave", args=[w.survey.slug, w.code]),
    "surveys/<slug:survey>/<slug:wave>/results.<str:file_format>":
        lambda w, q: reverse("surveys:wave-export", args=[w.survey.slug, w.code, "xlsx"]),
    "surveys/<slug:survey>/<slug:wave>/<slug:question>/":
        lambda w, q: reverse("surveys:entry", args=[w.survey.slug, w.code, q.code]),
}
EXPECTED = {"anonymous": 302, "partner": 403, "other-partner": 403, "panel": 403, "staff": 200}


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def test_every_survey_url_has_an_access_expectation():
    routes = {route for route in _walk(get_resolver()) if route.startswith("surveys/")}
    assert routes == set(ROUTES)


@pytest.mark.parametrize("route", [route for route, build in ROUTES.items() if build])
def test_only_staff_reach_each_survey_page(route, role_clients, areas, october, police_work):
    segment(october.survey, "attended")
    path = ROUTES[route](october, police_work)
    for role, client in role_clients.items():
        response = client.get(path)
        assert response.status_code == EXPECTED[role], f"{role} GET {path}"
        if role == "anonymous":
            assert "/sign-in/" in response["Location"]


def test_the_import_confirmation_takes_a_post_from_staff_only(role_clients, areas):
    path = reverse("surveys:import-confirm")
    assert role_clients["staff"].get(path).status_code == 405
    for role in ["partner", "panel"]:
        assert role_clients[role].post(path, {"name": "x.csv", "content": ""}).status_code == 403


def test_an_unknown_export_format_is_not_found(staff_client, october):
    assert staff_client.get(reverse("surveys:export", args=[october.survey.slug, "pdf"])).status_code == 404


def test_an_unknown_wave_or_question_is_not_found(staff_client, october, police_work):
    assert staff_client.get(reverse("surveys:wave", args=[october.survey.slug, "1999-01"])).status_code == 404
    assert staff_client.get(reverse("surveys:entry", args=[october.survey.slug, october.code, "nope"])).status_code == 404
