"""Per-token hourly limits over the cache: headers, 429, defaults, session/IP limits, cache outages."""

import logging
import os
import subprocess
import sys
import time

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from tests.conftest import requires_postgres
from tests.tokens.conftest import bearer
from tests.tokens.factories import APITokenFactory
from tokens.ratelimit import HOUR, window_end

pytestmark = pytest.mark.django_db
HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit-Policy", "RateLimit")


def test_headers_count_down_then_429(client_for, user):
    client = client_for(user, rate_limit_per_hour=3)
    remaining = []
    for _ in range(3):
        response = client.get("/api/v1/users/")
        assert response.status_code == 200
        remaining.append(int(response["X-RateLimit-Remaining"]))
        assert response["X-RateLimit-Limit"] == "3"
        assert response["RateLimit-Policy"] == '"hourly";q=3;w=3600'
    assert remaining == [2, 1, 0]
    reset_at, seconds = int(response["X-RateLimit-Reset"]), int(response["RateLimit"].split("t=")[1])
    assert response["RateLimit"].startswith('"hourly";r=0;')
    assert 0 < seconds <= 3600 and abs(reset_at - (time.time() + seconds)) <= 2

    limited = client.get("/api/v1/users/")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert limited.json() == {
        "type": "client_error",
        "errors": [{"code": "throttled", "detail": limited.json()["errors"][0]["detail"], "attr": None}],
    }
    assert "throttled" in limited.json()["errors"][0]["detail"]
    assert limited["X-RateLimit-Remaining"] == "0"
    assert client.post("/api/v1/teams/", {"name": "x"}, format="json").status_code == 429  # every method counts


def test_a_window_resets_at_its_announced_epoch(client_for, user):
    client = client_for(user, rate_limit_per_hour=2)
    reset_at = window_end(str(client.token.pk), HOUR, int(time.time()))
    with time_machine.travel(reset_at - 2, tick=False):
        first, second, third = (client.get("/api/v1/users/") for _ in range(3))
    assert [r.status_code for r in (first, second, third)] == [200, 200, 429]
    assert {r["X-RateLimit-Reset"] for r in (first, second, third)} == {str(reset_at)}
    assert third["Retry-After"] == "2" and third["RateLimit"] == '"hourly";r=0;t=2'

    with time_machine.travel(reset_at, tick=False):  # the announced second: a new window, a new count
        again = client.get("/api/v1/users/")
    assert again.status_code == 200
    assert again["X-RateLimit-Remaining"] == "1"
    assert again["X-RateLimit-Reset"] == str(reset_at + HOUR)


def test_error_responses_carry_the_headers_too(client_for, user):
    client = client_for(user, rate_limit_per_hour=10)
    for path, status in (("/api/v1/tokens/999999/", 404), ("/api/v1/nowhere/", 404)):
        response = client.get(path)
        assert response.status_code == status
        assert all(name in response for name in HEADERS)
    forbidden = client_for(user, scopes=["read"]).delete("/api/v1/teams/1/")
    assert forbidden.status_code == 403 and forbidden["X-RateLimit-Limit"] == "1000"


def test_each_token_has_its_own_window(client_for, user):
    first = client_for(user, rate_limit_per_hour=1)
    second = client_for(user, rate_limit_per_hour=1)
    assert first.get("/api/v1/users/").status_code == 200
    assert first.get("/api/v1/users/").status_code == 429
    assert second.get("/api/v1/users/").status_code == 200


def test_default_limit_follows_the_settings(client_for, user, staff):
    client = client_for(user)
    assert client.get("/api/v1/users/")["X-RateLimit-Limit"] == "1000"
    client_for(staff).patch("/api/v1/settings/tokens/", {"default_rate_limit_per_hour": 2}, format="json")
    # A new limit starts a new count (django-ratelimit keys its counters by rate).
    assert [client.get("/api/v1/users/")["X-RateLimit-Remaining"] for _ in range(2)] == ["1", "0"]
    assert client.get("/api/v1/users/").status_code == 429


@override_settings(API_RATE_LIMIT_ANON_PER_HOUR=2)
def test_anonymous_and_bad_tokens_are_limited_per_ip(api_client):
    assert api_client.get("/api/v1/users/").status_code == 401
    assert bearer("stn_AAAAAAAA_" + "B" * 40).get("/api/v1/users/").status_code == 401
    response = api_client.get("/api/v1/users/", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 429 and response["X-RateLimit-Limit"] == "2"
    assert APIClient(REMOTE_ADDR="10.0.0.9").get("/api/v1/users/").status_code == 401  # another IP


@override_settings(API_RATE_LIMIT_USER_PER_HOUR=2)
def test_session_calls_are_limited_per_user(user, other):
    client = APIClient()
    client.force_login(user)
    assert [client.get("/api/v1/users/").status_code for _ in range(3)] == [200, 200, 429]
    other_client = APIClient()
    other_client.force_login(other)
    assert other_client.get("/api/v1/users/").status_code == 200


UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def test_unreachable_cache_fails_open_with_a_warning(client_for, user, caplog):
    client = client_for(user, rate_limit_per_hour=1)
    with override_settings(CACHES=UNREACHABLE), caplog.at_level(logging.WARNING, logger="tokens.ratelimit"):
        responses = [client.get("/api/v1/users/") for _ in range(3)]
        login = APIClient().get("/api/v1/users/")
    assert [r.status_code for r in responses] == [200, 200, 200]  # past the limit of 1: the API keeps serving
    assert login.status_code == 401
    assert not any(name in r for r in responses for name in HEADERS)
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1  # one warning, then the cache is left alone for a while


def test_unreachable_cache_keeps_settings_changes_working(client_for, staff):
    with override_settings(CACHES=UNREACHABLE):
        response = client_for(staff).patch(
            "/api/v1/settings/tokens/", {"default_rate_limit_per_hour": 9}, format="json"
        )
    assert response.status_code == 200 and response.json()["default_rate_limit_per_hour"] == 9


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="counts Redis round trips (REDIS_URL)")
def test_counting_a_request_is_one_redis_round_trip(client_for, user, monkeypatch):
    """Create-if-missing and increment go out in one pipeline; the default limit comes with the token."""
    from redis.connection import Connection

    client = client_for(user)
    client.get("/api/v1/users/")  # the counter of this window exists from here on
    sent = []
    original = Connection.send_packed_command
    monkeypatch.setattr(
        Connection, "send_packed_command", lambda conn, *a, **k: sent.append(1) or original(conn, *a, **k)
    )
    responses = [client.get("/api/v1/users/") for _ in range(2)]
    assert [r["X-RateLimit-Remaining"] for r in responses] == ["998", "997"]
    assert len(sent) == 2


_WORKER = """
import django, os, sys
django.setup()
from django.test import Client
client = Client(HTTP_AUTHORIZATION="Bearer " + sys.argv[1])
codes = [client.get("/api/v1/users/").status_code for _ in range(int(sys.argv[2]))]
print(codes.count(200), codes.count(429))
"""


@requires_postgres
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis shared by processes (REDIS_URL)")
@pytest.mark.django_db(transaction=True)
def test_two_processes_on_one_token_get_exactly_the_limit(user):
    token = APITokenFactory(user=user, rate_limit_per_hour=25)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
    }
    workers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", _WORKER, token.plaintext, "20"], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [tuple(map(int, worker.communicate(timeout=120)[0].split())) for worker in workers]
    assert sum(ok for ok, _ in results) == 25
    assert sum(limited for _, limited in results) == 15
    assert bearer(token.plaintext).get("/api/v1/users/").status_code == 429


class TestLogin:
    @override_settings(LOGIN_RATE_LIMIT_PER_USERNAME="2/15m")
    def test_login_is_limited_per_username(self, client, user):
        for _ in range(2):
            assert client.post("/accounts/login/", {"username": "alice", "password": "wrong"}).status_code == 200
        response = client.post("/accounts/login/", {"username": "alice", "password": "pw"})
        assert response.status_code == 429 and int(response["Retry-After"]) > 0
        assert "Too many sign-in attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session  # even the right password waits
        assert client.post("/accounts/login/", {"username": "bob", "password": "x"}).status_code == 200

    @override_settings(LOGIN_RATE_LIMIT_PER_IP="2/15m")
    def test_login_is_limited_per_ip(self, client, user, other):
        client.post("/accounts/login/", {"username": "x1", "password": "wrong"})
        client.post("/accounts/login/", {"username": "x2", "password": "wrong"})
        assert client.post("/accounts/login/", {"username": "bob", "password": "pw"}).status_code == 429

    def test_login_works_below_the_limit(self, client, user):
        response = client.post("/accounts/login/", {"username": "alice", "password": "pw"})
        assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
