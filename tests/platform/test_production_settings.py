"""``config.settings.production``: passes ``check --deploy``, refuses to start without its secrets,
and sends the security headers. Each case runs Django in a subprocess with the env it names."""

import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def production_env(tmp_path, **overrides) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="standin.example.com",
        TOKEN_PEPPERS=f"p2026:{secrets.token_urlsafe(32)}",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STANDIN_VAR_DIR=str(tmp_path / "var"),
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_without_warnings(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "TOKEN_PEPPERS"])
def test_refuses_to_start_without_its_secrets(tmp_path, missing):
    result = run(["manage.py", "check"], production_env(tmp_path, **{missing: None}))

    assert result.returncode != 0
    assert f"ImproperlyConfigured: The environment variable {missing} must be set." in result.stderr


def test_refuses_a_malformed_pepper(tmp_path):
    result = run(["manage.py", "check"], production_env(tmp_path, TOKEN_PEPPERS="short"))

    assert result.returncode != 0
    assert "TOKEN_PEPPERS entries look like 'id:secret'" in result.stderr


HEADERS_SCRIPT = textwrap.dedent(
    """
    import json

    import django
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    django.setup()
    call_command("migrate", verbosity=0)
    from people.models import User

    User.objects.create_user("alice", password="a-long-password-1")
    client = Client(HTTP_HOST="standin.example.com")
    out = {}
    # Static files are served from a collected manifest in production; the pages here need none of it.
    plain = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES={**django.conf.settings.STORAGES, **plain}):
        out["http"] = client.get("/accounts/login/").status_code, client.get("/accounts/login/")["Location"]
        page = client.get("/accounts/login/", secure=True)
        out["page"] = {"status": page.status_code, "headers": dict(page.headers)}
        out["csrf_cookie"] = {k: page.cookies["csrftoken"][k] for k in ("secure", "httponly", "samesite")}
        login = client.post("/accounts/login/", {"username": "alice", "password": "a-long-password-1"}, secure=True)
        session = login.cookies["sessionid"]
        out["session_cookie"] = {k: session[k] for k in ("secure", "httponly", "samesite")}
        api = client.get("/api/v1/users/", secure=True)
        out["api"] = {"status": api.status_code, "headers": dict(api.headers)}
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def production_responses(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    result = run(["-c", HEADERS_SCRIPT], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_plain_http_is_redirected_to_https(production_responses):
    status, location = production_responses["http"]
    assert status == 301
    assert location == "https://standin.example.com/accounts/login/"


@pytest.mark.parametrize("part", ["page", "api"])
def test_security_headers_on_pages_and_api(production_responses, part):
    headers = production_responses[part]["headers"]

    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(directive.strip().split(" ", 1) for directive in headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no CDN
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


def test_login_page_and_the_signed_in_api_answer(production_responses):
    assert production_responses["page"]["status"] == 200
    assert production_responses["api"]["status"] == 200  # the browser session works for the API


def test_cookies_are_secure_and_the_session_cookie_http_only(production_responses):
    assert production_responses["session_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    # The CSRF cookie stays readable by the page's own scripts (htmx sends it back as a header).
    assert production_responses["csrf_cookie"]["secure"] is True
    assert production_responses["csrf_cookie"]["samesite"] == "Lax"
