"""The scope matrix: each scope by each method on a real endpoint (/api/v1/teams/)."""

import json

import pytest
from rest_framework.test import APIClient

from tests.factories import TeamFactory
from tokens.checks import check_api_views_enforce_scopes

pytestmark = pytest.mark.django_db

METHODS = {
    "GET": "read",
    "HEAD": "read",
    "OPTIONS": "read",
    "POST": "write",
    "PUT": "write",
    "PATCH": "write",
    "DELETE": "delete",
}
# OPTIONS has no metadata (DEFAULT_METADATA_CLASS = None): past the scope check it is a 405.
SUCCESS = {"GET": 200, "HEAD": 200, "OPTIONS": 405, "POST": 201, "PUT": 200, "PATCH": 200, "DELETE": 204}


def _call(client: APIClient, method: str, team):
    if method == "POST":
        return client.post("/api/v1/teams/", {"name": "New team"}, format="json")
    url = f"/api/v1/teams/{team.pk}/"
    body = {"name": "Renamed", "min_available": 1, "members": [], "leads": []}
    if method in ("PUT", "PATCH"):
        return client.generic(method, url, data=json.dumps(body), content_type="application/json")
    return client.generic(method, url)


@pytest.mark.parametrize("scope", ["read", "write", "delete", "admin"])
@pytest.mark.parametrize("method", list(METHODS))
def test_scope_matrix(client_for, staff, scope, method):
    # Staff with the admin scope may do everything on teams, so only the method scope decides.
    scopes = sorted({scope, "admin"})
    client = client_for(staff, scopes=scopes)
    team = TeamFactory(name="Ops")
    response = _call(client, method, team)
    if METHODS[method] in scopes:
        assert response.status_code == SUCCESS[method], response.content
    else:
        assert response.status_code == 403, response.content
        if method != "HEAD":
            error = response.json()["errors"][0]
            assert error["detail"] == f"This token lacks the '{METHODS[method]}' scope needed for {method}."
        team.refresh_from_db()
        assert team.name == "Ops"  # nothing changed


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND"])
def test_a_method_no_view_implements_is_a_405_whatever_the_scopes(client_for, user, method):
    team = TeamFactory(name="Ops", members=[user])
    response = _call(client_for(user, scopes=["read"]), method, team)

    assert response.status_code == 405, response.content
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


def test_session_callers_are_not_scope_limited(staff):
    client = APIClient()
    client.force_login(staff)
    team = TeamFactory(name="Ops")
    assert client.delete(f"/api/v1/teams/{team.pk}/").status_code == 204


def test_admin_scope_is_what_reaches_other_users(client_for, staff):
    """A staff token without ``admin`` acts as a plain user: staff-only writes are 403."""
    client = client_for(staff, scopes=["read", "write"])
    response = client.post("/api/v1/teams/", {"name": "New team"}, format="json")
    assert response.status_code == 403
    assert client_for(staff).post("/api/v1/teams/", {"name": "New team"}, format="json").status_code == 201


def test_every_api_view_enforces_scopes():
    assert check_api_views_enforce_scopes() == []


def test_the_check_names_a_view_that_drops_the_scope_permission(settings):
    from django.urls import clear_url_caches, path
    from rest_framework import permissions
    from rest_framework.views import APIView

    class Careless(APIView):
        permission_classes = [permissions.IsAuthenticated]

    import sys
    import types

    module = types.ModuleType("tests.tokens._careless_urls")
    module.urlpatterns = [path("api/v1/careless/", Careless.as_view())]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    try:
        errors = check_api_views_enforce_scopes()
    finally:
        del sys.modules[module.__name__]
        clear_url_caches()
    assert [error.id for error in errors] == ["tokens.E001"]
    assert "Careless" in errors[0].msg
