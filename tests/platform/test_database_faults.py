"""A lost database is a 503 in the error shape (never a 500 or an HTML page), and a server whose
connections were killed recovers on the next request without a restart (CONN_HEALTH_CHECKS)."""

import json
import urllib.error
import urllib.request
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.db.backends.utils import CursorWrapper
from rest_framework.test import APIClient

from tests.conftest import requires_postgres
from tests.factories import TeamFactory, UserFactory


def database_down(exc_class=OperationalError):
    return mock.patch.object(CursorWrapper, "execute", side_effect=exc_class("server closed the connection"))


def assert_unavailable(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["type"] == "server_error"
    assert body["errors"][0]["code"] == "service_unavailable"
    assert "database is unreachable" in body["errors"][0]["detail"]


@pytest.mark.parametrize("exc_class", [OperationalError, InterfaceError])
def test_database_lost_inside_a_view_is_a_503(db, exc_class):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(UserFactory())  # no query before the view

    with database_down(exc_class):
        response = client.get("/api/v1/teams/")

    assert_unavailable(response)


def test_database_lost_while_authenticating_a_token_is_a_503(client_for, user):
    client = client_for(user)  # bearer token: looked up by the rate-limit middleware, before any view
    client.raise_request_exception = False

    with database_down():
        response = client.get("/api/v1/teams/")

    assert_unavailable(response)


def test_other_server_errors_outside_views_are_json_500s(client_for, user):
    client = client_for(user)
    client.raise_request_exception = False

    with mock.patch("tokens.middleware._limit_key", side_effect=RuntimeError("boom")):
        response = client.get("/api/v1/teams/")

    assert response.status_code == 500
    assert response.json() == {
        "type": "server_error",
        "errors": [{"code": "error", "detail": "Server Error (500)", "attr": None}],
    }


def test_the_same_client_is_served_again_once_the_database_is_back(client_for, user):
    TeamFactory(name="Platform", members=[user])
    client = client_for(user)
    client.raise_request_exception = False

    with database_down():
        assert client.get("/api/v1/teams/").status_code == 503
    response = client.get("/api/v1/teams/")

    assert response.status_code == 200
    assert [team["name"] for team in response.json()["results"]] == ["Platform"]


def http_get(url: str, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (a local test server)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _terminate_other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_killed_connections_recover_on_the_next_request_without_a_restart(client_for, gunicorn_server):
    url = gunicorn_server(workers=1)
    alice = UserFactory(username="alice")
    TeamFactory(name="Platform", members=[alice])
    headers = {"Authorization": f"Bearer {client_for(alice).plaintext}"}
    status, _ = http_get(f"{url}/api/v1/teams/", headers)
    assert status == 200

    killed = _terminate_other_backends()
    status, body = http_get(f"{url}/api/v1/teams/", headers)

    assert killed >= 1  # the worker's persistent connection was among them
    assert status == 200
    assert [team["name"] for team in body["results"]] == ["Platform"]
