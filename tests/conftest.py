import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and cached lookups never leak from one test into another."""
    from django.core.cache import cache

    from tokens.authentication import forget_tokens
    from tokens.ratelimit import reset_cache_breaker

    cache.clear()
    reset_cache_breaker()
    forget_tokens()
    yield


@pytest.fixture
def api_client():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def client_for(db):
    """``client_for(user, scopes=None, **token_fields)``: an API client with a real bearer token of ``user``.

    Default scopes: read, write, delete, plus admin for staff. ``client.token`` is the token row,
    ``client.plaintext`` its secret.
    """
    from django.utils import timezone

    from tokens.models import APIToken
    from tokens.ratelimit import default_token_limit
    from tokens.services import token_create

    def make(user, scopes=None, **kwargs) -> APIClient:
        if scopes is None:
            scopes = ["read", "write", "delete", *(["admin"] if user.is_staff else [])]
        token, plaintext = token_create(user=user, name=kwargs.pop("name", "test client"), scopes=scopes, **kwargs)
        # As if just used: query counts pinned by tests measure the endpoint, not the first-use stamp.
        APIToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        default_token_limit()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        client.token, client.plaintext = token, plaintext
        return client

    return make


@pytest.fixture
def user(db):
    return UserFactory(username="alice", first_name="Alice", last_name="Smith", timezone="Europe/Berlin")


@pytest.fixture
def other(db):
    return UserFactory(username="bob", first_name="Bob", last_name="Jones")


@pytest.fixture
def staff(db):
    return UserFactory(username="root", is_staff=True, first_name="Sam", last_name="Staff")


@pytest.fixture
def alice_client(client_for, user):
    return client_for(user)


requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (row locks and real concurrency)"
)


@pytest.fixture(autouse=True)
def _absence_types_survive_flushes(request):
    """Transactional tests end by flushing every table, rows seeded by data migrations included.
    Re-seed the default absence types for tests that run on a flushed database."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("_django_db_helper")  # pytest-django's database set-up for the marker
    elif {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
    else:
        return
    import importlib

    from django.apps import apps as django_apps

    seed_types = importlib.import_module("absences.migrations.0002_seed_types")
    seed_types.seed(django_apps, None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serving(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/api/unknown/", timeout=5)  # noqa: S310 - a local test server
    except urllib.error.HTTPError:
        return True  # the JSON 404 of an unknown API path: answered without the database
    except OSError:
        return False
    return True


@pytest.fixture
def gunicorn_server(tmp_path):
    """``gunicorn_server(workers=1, **env) -> url``: gunicorn (sync workers, persistent connections)
    serving this test's PostgreSQL database and the configured cache (``REDIS_URL``), for tests that
    need real processes. Use with ``django_db(transaction=True)`` so the server sees the test's rows.
    Each server is stopped by its PID when the test ends; its log is ``tmp_path/gunicorn-<port>.log``."""
    processes = []

    def start(workers: int = 1, **env: str) -> str:
        db = connection.settings_dict
        port = free_port()
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "DB_CONN_MAX_AGE": "600",
            **env,
        }
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        command = [gunicorn, "config.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
        log = (tmp_path / f"gunicorn-{port}.log").open("w")
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=log)  # noqa: S603
        processes.append((process, log))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not _serving(url):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"gunicorn did not start: {(tmp_path / f'gunicorn-{port}.log').read_text()[-2000:]}")
            time.sleep(0.2)
        return url

    yield start
    for process, log in processes:
        process.terminate()
        process.wait(timeout=30)
        log.close()
