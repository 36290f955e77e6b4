"""Kept token lookups (``TOKEN_CACHE_SECONDS``) checked against the token epoch: a burst of requests
looks the token up once, the secret is checked every time, and a change applies at once, in this
worker (signals) and in every other (a new epoch); without an epoch nothing kept is used."""

from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.tokens.conftest import bearer
from tests.tokens.factories import APITokenFactory
from tokens import authentication
from tokens.authentication import forget_tokens, token_authenticate
from tokens.epoch import new_token_epoch, token_epoch
from tokens.hashing import format_token, parse_token
from tokens.models import APIToken, TokenSettings
from tokens.services import token_revoke

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_for_a_second")]
URL = "/api/v1/users/"


@pytest.fixture
def kept_for_a_second(settings):
    settings.TOKEN_CACHE_SECONDS = 1


def test_kept_ten_seconds_by_default():
    from config.settings import base

    assert base.TOKEN_CACHE_SECONDS == 10


def token_lookups(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return sum('FROM "tokens_apitoken"' in query["sql"] for query in captured.captured_queries)


@pytest.fixture
def token(user):
    TokenSettings.get_solo()  # as in any running installation (its creation drops kept lookups)
    token = APITokenFactory(user=user)
    token_authenticate(token.plaintext)  # the first use stamps last_used_at (and drops the kept lookup)
    return token


def test_a_burst_of_requests_looks_the_token_up_once(token):
    client = bearer(token.plaintext)
    assert token_lookups(lambda: client.get(URL)) == 1
    assert token_lookups(lambda: [client.get(URL) for _ in range(5)]) == 0
    assert client.get(URL).status_code == 200


@override_settings(TOKEN_CACHE_SECONDS=0)
def test_turned_off_every_request_looks_it_up(token):
    client = bearer(token.plaintext)
    assert token_lookups(lambda: [client.get(URL) for _ in range(3)]) == 3


def test_the_secret_is_checked_on_every_request(token):
    bearer(token.plaintext).get(URL)  # kept now
    key_id, _ = parse_token(token.plaintext)
    response = bearer(format_token(key_id, "B" * 43)).get(URL)
    assert response.status_code == 401 and response.json()["errors"][0]["detail"] == "Invalid token."


def test_revoking_here_applies_at_once(token):
    client = bearer(token.plaintext)
    assert client.get(URL).status_code == 200
    token_revoke(token=APIToken.objects.get(pk=token.pk))
    response = client.get(URL)
    assert response.status_code == 401 and response.json()["errors"][0]["detail"] == "Token revoked."


def test_deactivating_the_user_here_applies_at_once(token, user):
    client = bearer(token.plaintext)
    assert client.get(URL).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(URL).status_code == 401


def test_changed_settings_drop_every_kept_token(token):
    client = bearer(token.plaintext)
    client.get(URL)
    assert authentication._cache
    TokenSettings.objects.update_or_create(pk=1, defaults={"default_rate_limit_per_hour": 7})
    assert not authentication._cache


def test_a_revocation_in_another_worker_applies_at_once(token):
    client = bearer(token.plaintext)
    assert client.get(URL).status_code == 200
    assert token_lookups(lambda: client.get(URL)) == 0  # kept
    # Another worker revokes it: no signal reaches this process, only the new epoch its commit sets.
    APIToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    new_token_epoch()
    response = client.get(URL)
    assert response.status_code == 401 and response.json()["errors"][0]["detail"] == "Token revoked."


def test_a_change_that_starts_no_epoch_applies_within_the_cache_time(token):
    client = bearer(token.plaintext)
    assert client.get(URL).status_code == 200
    APIToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())  # SQL from outside the app
    assert client.get(URL).status_code == 200  # still kept here
    later = authentication.time.monotonic() + 1.01
    with mock.patch.object(authentication.time, "monotonic", return_value=later):
        assert client.get(URL).status_code == 401


def test_saving_starts_a_new_epoch_after_the_commit(token, django_capture_on_commit_callbacks):
    before = token_epoch() or token_epoch()  # the first read of an empty cache starts one
    with django_capture_on_commit_callbacks(execute=True):
        token_revoke(token=APIToken.objects.get(pk=token.pk))
    assert token_epoch() not in (None, before)


def test_without_an_epoch_nothing_kept_is_used(token):
    """The cache cannot tell the epoch (lost, unreachable): every request looks its token up,
    whether the epoch is read on its own or with the rate-limit counter."""
    client = bearer(token.plaintext)
    client.get(URL)
    with mock.patch("tokens.epoch.epoch_from", return_value=None):
        assert token_lookups(lambda: [client.get(URL) for _ in range(3)]) == 3
        assert token_lookups(lambda: token_authenticate(token.plaintext)) == 1


def test_a_lost_epoch_is_started_again(token):
    """A restarted Redis has no epoch: the request that finds none starts one, and lookups are
    kept again from the next."""
    from tokens.epoch import EPOCH_KEY
    from tokens.ratelimit import shared_cache

    client = bearer(token.plaintext)
    client.get(URL)
    shared_cache().delete(EPOCH_KEY)
    assert token_lookups(lambda: client.get(URL)) == 1  # no epoch: looked up, not kept
    assert token_epoch() is not None
    assert token_lookups(lambda: client.get(URL)) == 1  # looked up and kept under the new epoch
    assert token_lookups(lambda: client.get(URL)) == 0


def remaining(response) -> tuple[str, int]:
    return response["X-RateLimit-Limit"], int(response["X-RateLimit-Remaining"])


@pytest.fixture
def limited(user):
    TokenSettings.get_solo()
    token = APITokenFactory(user=user, rate_limit_per_hour=50)
    token_authenticate(token.plaintext)
    return token


def test_a_kept_token_reads_the_epoch_with_its_counter(limited):
    """One cache round trip counts the request and reads the epoch: no read of its own."""
    client = bearer(limited.plaintext)
    client.get(URL)  # kept now
    with mock.patch.object(authentication, "token_epoch", side_effect=AssertionError("a second read")):
        responses = [client.get(URL) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [remaining(r) for r in responses] == [("50", 48), ("50", 47), ("50", 46)]  # each counted once


def test_a_limit_changed_in_another_worker_counts_under_the_new_limit(limited):
    client = bearer(limited.plaintext)
    assert remaining(client.get(URL)) == ("50", 49)
    APIToken.objects.filter(pk=limited.pk).update(rate_limit_per_hour=5)  # another worker: no signal here
    new_token_epoch()
    assert remaining(client.get(URL)) == ("5", 4)
    assert remaining(client.get(URL)) == ("5", 3)


def test_a_token_revoked_in_another_worker_is_counted_against_the_ip(limited, settings):
    settings.API_RATE_LIMIT_ANON_PER_HOUR = 30
    client = bearer(limited.plaintext)
    assert remaining(client.get(URL)) == ("50", 49)
    APIToken.objects.filter(pk=limited.pk).update(revoked_at=timezone.now())
    new_token_epoch()
    response = client.get(URL)
    assert response.status_code == 401 and remaining(response) == ("30", 29)


def test_an_unrelated_change_keeps_one_count(limited, user):
    """A new epoch for another token's change: the kept token is looked up again, and the request
    counted once (the guessed counter was the right one)."""
    client = bearer(limited.plaintext)
    assert remaining(client.get(URL)) == ("50", 49)
    new_token_epoch()
    assert token_lookups(lambda: client.get(URL)) == 1
    assert remaining(client.get(URL)) == ("50", 47)


def test_a_wrong_secret_for_a_kept_token_counts_against_the_ip(limited, settings):
    settings.API_RATE_LIMIT_ANON_PER_HOUR = 30
    client = bearer(limited.plaintext)
    assert remaining(client.get(URL)) == ("50", 49)
    key_id, _ = parse_token(limited.plaintext)
    wrong = bearer(format_token(key_id, "B" * 43)).get(URL)
    assert wrong.status_code == 401 and remaining(wrong) == ("30", 29)
    assert remaining(client.get(URL)) == ("50", 48)  # the token's own count did not move


def test_an_unreachable_cache_gives_no_epoch(token):
    from tokens.ratelimit import _Breaker

    assert token_epoch() is not None or token_epoch() is not None
    with mock.patch.object(_Breaker, "down_until", authentication.time.monotonic() + 30):
        assert token_epoch() is None


def test_unknown_key_ids_are_not_kept(user):
    forget_tokens()
    for n in range(5):
        bearer(format_token(f"Zz{n}Zz9Zz"[:8], "A" * 43)).get(URL)
    assert authentication._cache == {}
