"""Bearer authentication: hashing, constant 401s, expiry, revocation, usage stamps, pepper rotation."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory, override_settings
from django.utils import timezone

from tests.factories import UserFactory
from tests.tokens.conftest import bearer
from tests.tokens.factories import APITokenFactory
from tokens.authentication import token_authenticate
from tokens.hashing import format_token, parse_token
from tokens.models import APIToken

pytestmark = pytest.mark.django_db


def test_token_format_and_a_working_request(user):
    token = APITokenFactory(user=user)
    key_id, secret = parse_token(token.plaintext)
    assert token.plaintext.startswith(f"stn_{key_id}_") and len(key_id) == 8 and len(secret) >= 32
    assert token.prefix == f"stn_{key_id}"
    response = bearer(token.plaintext).get("/api/v1/work-schedules/me/")
    assert response.status_code == 200
    assert response.json()["timezone"] == "Europe/Berlin"


def test_unknown_id_and_wrong_secret_give_identical_401(user):
    token = APITokenFactory(user=user)
    key_id, secret = parse_token(token.plaintext)
    wrong_secret = bearer(format_token(key_id, "A" * 43)).get("/api/v1/users/")
    unknown_id = bearer(format_token("Zz9Zz9Zz", secret)).get("/api/v1/users/")
    garbage = bearer("not-a-token").get("/api/v1/users/")
    for response in (wrong_secret, unknown_id, garbage):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert wrong_secret.content == unknown_id.content == garbage.content
    assert wrong_secret.json()["errors"][0]["detail"] == "Invalid token."


def test_missing_credentials_is_401_with_bearer_challenge(api_client):
    response = api_client.get("/api/v1/teams/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_expired_token_is_rejected_at_once(user):
    token = APITokenFactory(user=user, expires_at=timezone.now() + dt.timedelta(hours=1))
    client = bearer(token.plaintext)
    assert client.get("/api/v1/users/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, seconds=1)):
        response = client.get("/api/v1/users/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["detail"] == "Token expired."


def test_revoked_token_is_rejected_at_once(user, client_for):
    client = client_for(user)
    assert client.delete(f"/api/v1/tokens/{client.token.pk}/").status_code == 204
    response = client.get("/api/v1/users/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["detail"] == "Token revoked."


def test_token_of_a_deactivated_user_is_rejected(user):
    token = APITokenFactory(user=user)
    user.is_active = False
    user.save()
    assert bearer(token.plaintext).get("/api/v1/users/").status_code == 401


def test_authentication_costs_one_query(user, django_assert_num_queries):
    token = APITokenFactory(user=user)
    with django_assert_num_queries(2):  # the lookup (token + user) and the first last_used_at stamp
        assert token_authenticate(token.plaintext).user == user
    with django_assert_num_queries(1):
        found = token_authenticate(token.plaintext)
    with django_assert_num_queries(0):
        assert found.user.username == "alice"  # the user came with the token


def test_last_used_at_is_written_at_most_once_a_minute(user):
    token = APITokenFactory(user=user)
    client = bearer(token.plaintext)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/api/v1/users/")
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        client.get("/api/v1/users/")
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        client.get("/api/v1/users/")
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(seconds=61)


def test_no_plaintext_secret_in_the_database(user, staff):
    tokens = [APITokenFactory(user=user), APITokenFactory(user=staff, scopes=["read", "admin"])]
    dump = _dump_tokens_tables()
    for token in tokens:
        _key_id, secret = parse_token(token.plaintext)
        assert secret not in dump
        assert secret[:16] not in dump
        assert token.key_id in dump  # the public id is stored, so the dump is not empty
    assert token.secret_hash in dump


def _dump_tokens_tables() -> str:
    from io import StringIO

    out = StringIO()
    call_command("dumpdata", "tokens", stdout=out)
    with connection.cursor() as cursor:
        for table in ("tokens_apitoken", "tokens_historicalapitoken"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            out.write(repr(cursor.fetchall()))
    return out.getvalue()


def test_pepper_rotation(user):
    old = {"test1": "first-test-pepper-0123456789"}
    with override_settings(TOKEN_PEPPERS=old):
        token = APITokenFactory(user=user)
    assert token.pepper_id == "test1"
    old_hash = token.secret_hash
    # The test settings list test2 first: it is current, test1 is still accepted.
    assert bearer(token.plaintext).get("/api/v1/users/").status_code == 200
    token.refresh_from_db()
    assert token.pepper_id == "test2" and token.secret_hash != old_hash  # re-hashed on use
    with override_settings(TOKEN_PEPPERS={"test2": "second-test-pepper-0123456789"}):
        assert bearer(token.plaintext).get("/api/v1/users/").status_code == 200


def test_a_retired_pepper_invalidates_its_tokens(user):
    with override_settings(TOKEN_PEPPERS={"test1": "first-test-pepper-0123456789"}):
        token = APITokenFactory(user=user)
    with override_settings(TOKEN_PEPPERS={"test3": "third-test-pepper-0123456789"}):
        assert bearer(token.plaintext).get("/api/v1/users/").status_code == 401


def test_session_still_works_for_the_browser_app(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    assert client.get("/api/v1/users/").status_code == 200


def test_request_auth_exposes_scopes_and_calendar_ids(user):
    token = APITokenFactory(user=user, scopes=["read", "write"])
    request = RequestFactory().get("/api/v1/users/", HTTP_AUTHORIZATION=f"Bearer {token.plaintext}")
    from tokens.authentication import BearerAuthentication

    found_user, auth = BearerAuthentication().authenticate(request)
    assert found_user == user and isinstance(auth, APIToken)
    assert auth.scopes == ["read", "write"] and auth.calendar_ids == []


def test_a_new_user_token_hashes_under_the_current_pepper():
    token = APITokenFactory(user=UserFactory())
    assert token.pepper_id == "test2"


def test_calendar_limit_reaches_the_shared_access_helper(user):
    from config.api.access import token_calendar_ids

    token = APITokenFactory(user=user)
    factory = RequestFactory()
    request = factory.get("/", HTTP_AUTHORIZATION=f"Bearer {token.plaintext}")
    request.auth = token_authenticate(token.plaintext)
    assert token_calendar_ids(request) is None  # an empty list means every visible calendar
    APIToken.objects.filter(pk=token.pk).update(calendars=[3, 1])
    request.auth = token_authenticate(token.plaintext)
    assert token_calendar_ids(request) == [3, 1]
