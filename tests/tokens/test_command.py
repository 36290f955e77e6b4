"""``manage.py create_token``: the plaintext alone on stdout, clear errors otherwise."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.tokens.conftest import bearer
from tokens.models import APIToken

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("create_token", *args, stdout=out)
    return out.getvalue()


def test_prints_only_the_plaintext(user):
    out = _run("alice", "--scopes", "read,write", "--name", "ci", "--expires-in-days", "7", "--rate-limit", "50")
    plaintext = out.strip()
    assert out == plaintext + "\n" and plaintext.startswith("stn_")
    token = APIToken.objects.get(name="ci")
    assert token.scopes == ["read", "write"] and token.rate_limit_per_hour == 50
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=1)
    assert bearer(plaintext).get("/api/v1/users/").status_code == 200


def test_unknown_user(db):
    with pytest.raises(CommandError, match="No active user 'ghost'"):
        _run("ghost", "--scopes", "read")


def test_a_scope_the_user_may_not_hold(user):
    with pytest.raises(CommandError, match="admin scope is only for staff"):
        _run("alice", "--scopes", "read,admin")
    with pytest.raises(CommandError, match="non-empty subset"):
        _run("alice", "--scopes", "read,root")
    assert not APIToken.objects.exists()


def test_inactive_user(user):
    user.is_active = False
    user.save()
    with pytest.raises(CommandError, match="No active user 'alice'"):
        _run("alice", "--scopes", "read")


def test_calendars_without_a_calendars_app_are_refused(user):
    with pytest.raises(CommandError, match="calendar"):
        _run("alice", "--scopes", "read", "--calendars", "1,2")


def test_exits_non_zero_with_the_message_on_stderr(user, capsys):
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "create_token", "ghost", "--scopes", "read"])
    captured = capsys.readouterr()
    assert exit_info.value.code != 0
    assert "No active user 'ghost'" in captured.err and captured.out == ""
