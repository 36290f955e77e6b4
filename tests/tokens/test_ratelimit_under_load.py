"""Rate limit under load (PostgreSQL + Redis): 50 concurrent clients on one token against a
2-worker gunicorn get exactly the limit in successes, and every response carries consistent
headers — the classic ``X-RateLimit-*`` ones and the IETF draft's ``RateLimit-Policy``/``RateLimit``."""

import re
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.conf import settings

from tests.conftest import requires_postgres
from tests.tokens.factories import APITokenFactory
from tokens.ratelimit import HOUR, window_end

pytestmark = [
    requires_postgres,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs a Redis shared by the server's workers (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),
]
LIMIT, CLIENTS, REQUESTS_EACH = 40, 50, 3
HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit-Policy", "RateLimit")
RATELIMIT_FIELD = re.compile(r'^"hourly";r=(\d+);t=(\d+)$')


def token_with_a_long_window(user):
    """A token whose hourly window does not end during the test (windows are offset per token)."""
    while True:
        token = APITokenFactory(user=user, rate_limit_per_hour=LIMIT)
        if window_end(str(token.pk), HOUR, int(time.time())) > time.time() + 300:
            return token


def get(url: str, plaintext: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {plaintext}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - a local test server
            response.read()
            return response.status, {name.lower(): value for name, value in response.headers.items()}
    except urllib.error.HTTPError as error:
        error.read()
        return error.code, {name.lower(): value for name, value in error.headers.items()}


def fire(url: str, plaintext: str) -> list[tuple[int, dict]]:
    """CLIENTS threads, started together, each sending REQUESTS_EACH requests one after another."""
    barrier = threading.Barrier(CLIENTS)
    results, errors = [], []

    def client():
        try:
            barrier.wait(timeout=30)
            for _ in range(REQUESTS_EACH):
                results.append(get(url, plaintext))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 180
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0))
    assert not any(thread.is_alive() for thread in threads), "clients still waiting after 180 s"
    assert errors == []
    return results


def test_50_concurrent_clients_on_one_token_get_exactly_the_limit(gunicorn_server, user):
    token = token_with_a_long_window(user)
    url = gunicorn_server(workers=2) + "/api/v1/users/"
    started = time.time()
    results = fire(url, token.plaintext)
    finished = time.time()

    assert Counter(status for status, _ in results) == {200: LIMIT, 429: CLIENTS * REQUESTS_EACH - LIMIT}
    for status, headers in results:
        assert all(name.lower() in headers for name in HEADERS), (status, headers)
        assert headers["x-ratelimit-limit"] == str(LIMIT)
        assert headers["ratelimit-policy"] == f'"hourly";q={LIMIT};w=3600'
        remaining, seconds = map(int, RATELIMIT_FIELD.match(headers["ratelimit"]).groups())
        assert remaining == int(headers["x-ratelimit-remaining"])
        # The reset epoch is "now + t" on the server: the two fields describe the same moment.
        assert started - 1 <= int(headers["x-ratelimit-reset"]) - seconds <= finished + 1
        if status == 429:
            assert headers["retry-after"] == str(seconds)
            assert remaining == 0

    # Each count of the window was handed out once: Remaining counts down 39 … 0 across both workers.
    assert sorted(int(h["x-ratelimit-remaining"]) for status, h in results if status == 200) == list(range(LIMIT))
    assert len({headers["x-ratelimit-reset"] for _, headers in results}) == 1  # one window, one reset epoch
    assert int(results[0][1]["x-ratelimit-reset"]) == window_end(str(token.pk), HOUR, int(started))
