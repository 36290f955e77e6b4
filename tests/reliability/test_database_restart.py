# ruff: noqa: S603, S310 - the test starts gunicorn and manage.py with fixed arguments and calls its local URL
"""PostgreSQL restarted under a running server (issue 11): while the database is down every request
is a 503 in the error shape, promptly; once it is back, the same gunicorn worker (not restarted)
serves again and nothing written before the outage is lost (``CONN_HEALTH_CHECKS``).

The database is a throwaway cluster the test creates, stops and starts itself
(``throwaway_postgres``); the machine's PostgreSQL is never restarted."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import requires_postgres
from tests.reliability.conftest import ROOT

pytestmark = requires_postgres  # the production mode; the throwaway cluster needs PostgreSQL's binaries
BIN = Path(sys.executable).parent


def call(url: str, token: str, body: dict | None = None) -> tuple[int, dict, dict]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def server_on(throwaway_postgres, gunicorn_server):
    """A migrated throwaway database with a staff user's token, and one gunicorn worker on it."""
    env = {
        "DATABASE_URL": throwaway_postgres.url,
        "REDIS_URL": "",  # local-memory cache: this test is about the database alone
        "DJANGO_SUPERUSER_PASSWORD": "unused-in-this-test",
    }
    manage_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env}
    manage(manage_env, "migrate", "--noinput", "-v", "0")
    manage(manage_env, "createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.com")
    token = manage(manage_env, "create_token", "ops", "--scopes", "read,write,admin")
    return f"{gunicorn_server(workers=1, **env)}/api/v1", token


def test_a_database_restart_is_a_clean_503_then_the_same_server_recovers(throwaway_postgres, server_on):
    url, token = server_on
    status, _, team = call(f"{url}/teams/", token, {"name": "Platform", "min_available": 1})
    assert status == 201, team

    throwaway_postgres.stop()
    started = time.monotonic()
    outage = [call(f"{url}/teams/", token) for _ in range(3)]
    elapsed = time.monotonic() - started

    for status, headers, body in outage:
        assert status == 503
        assert headers["Content-Type"] == "application/json"
        assert headers["Retry-After"] == "5"
        assert body["type"] == "server_error"
        assert body["errors"][0]["code"] == "service_unavailable"
    assert elapsed < 10, f"a down database must fail fast, not hang ({elapsed:.1f}s for 3 requests)"

    throwaway_postgres.start()
    status, _, listing = call(f"{url}/teams/", token)

    assert status == 200  # the same gunicorn, never restarted
    assert [t["name"] for t in listing["results"]] == ["Platform"]
    status, _, created = call(f"{url}/teams/", token, {"name": "Support", "min_available": 0})
    assert status == 201, created
