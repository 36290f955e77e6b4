# ruff: noqa: S603 - fault tests start local redis-server/celery/python processes with fixed arguments
"""Faults (PostgreSQL + Redis mode): the cache dying mid-run, the Celery broker going away and
coming back, and a sweep worker killed between claiming rule transitions and committing them.

Each test starts and stops what it breaks: a throwaway ``redis-server`` on a free port (the
machine's shared Redis is never touched) and child processes it holds by PID. PostgreSQL restarts
are the platform tests' (503 and recovery), not repeated here.
"""

import datetime as dt
import subprocess
import sys
import threading
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.test import override_settings
from rest_framework.test import APIClient

from rules.models import Rule, RuleTransition
from rules.services import rules_sweep
from rules.tasks import sweep_rules
from tests.factories import UserFactory
from tests.reliability.conftest import ROOT, needs_services, stop_process, subprocess_env
from tests.rules.factories import RuleFactory
from tokens.ratelimit import reset_cache_breaker
from tokens.services import token_revoke

pytestmark = needs_services

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit-Policy", "RateLimit")


def redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "fault-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


# --- Redis (the cache) stopped mid-run -------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_keeps_serving_when_redis_stops_and_limits_come_back_with_it(
    throwaway_redis, client_for, user, other, caplog
):
    with override_settings(CACHES=redis_cache(throwaway_redis.url), RATELIMIT_RETRY_AFTER_ERROR=1):
        client = client_for(user)
        revoked = client_for(other)
        up = client.get("/api/v1/absences/")
        assert up.status_code == 200
        assert int(up["X-RateLimit-Remaining"]) == int(up["X-RateLimit-Limit"]) - 1

        throwaway_redis.stop()
        token_revoke(token=revoked.token)
        started = time.monotonic()
        answers = [client.get("/api/v1/absences/") for _ in range(5)]
        created = client.post(
            "/api/v1/absences/", {"start_at": "2026-12-01T09:00:00Z", "end_at": "2026-12-02T09:00:00Z"}, format="json"
        )
        elapsed = time.monotonic() - started

        # Fail open (docs/tokens.md): served, no rate-limit headers, one warning, one timeout at most.
        assert [a.status_code for a in answers] == [200] * 5
        assert created.status_code == 201, created.content
        assert all(name not in a for a in [*answers, created] for name in RATE_HEADERS)
        assert any("Rate limiting is off" in r.getMessage() for r in caplog.records if r.name == "tokens.ratelimit")
        assert elapsed < 5, f"an outage must cost one cache timeout, not one per request ({elapsed:.1f}s)"
        # Authentication and revocation never depend on the cache.
        assert revoked.get("/api/v1/absences/").status_code == 401
        stranger = APIClient()
        stranger.credentials(HTTP_AUTHORIZATION="Bearer stn_nope")
        assert stranger.get("/api/v1/absences/").status_code == 401

        throwaway_redis.start()  # same port, empty: counting starts again
        time.sleep(1.1)  # RATELIMIT_RETRY_AFTER_ERROR
        back = client.get("/api/v1/absences/")
        assert back.status_code == 200
        assert all(name in back for name in RATE_HEADERS)
        assert int(back["X-RateLimit-Remaining"]) == int(back["X-RateLimit-Limit"]) - 1
    reset_cache_breaker()


# --- Celery: the sweep task retries, and a worker survives a broker outage --------------------------


def due_rules(count: int, *, now: dt.datetime) -> list[Rule]:
    coverer = UserFactory(username="cover")
    return [
        RuleFactory(
            user=UserFactory(username=f"user{i}"),
            coverer=coverer,
            action=Rule.Action.REASSIGN,
            start_at=now - dt.timedelta(minutes=5),
            end_at=now + dt.timedelta(days=1),
        )
        for i in range(count)
    ]


@pytest.mark.django_db
def test_the_sweep_task_retries_after_a_lost_database_connection_and_completes(django_capture_on_commit_callbacks):
    rules = due_rules(3, now=dt.datetime.now(dt.UTC))
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return rules_sweep(**kwargs)

    with mock.patch("rules.tasks.rules_sweep", side_effect=flaky), django_capture_on_commit_callbacks(execute=True):
        sweep_rules.apply(throw=False)  # the first run ends in Retry; the retry runs at once (eager)

    assert len(calls) == 2
    assert set(Rule.objects.filter(pk__in=[r.pk for r in rules]).values_list("status", flat=True)) == {"active"}
    assert RuleTransition.objects.count() == 3
    assert len(mail.outbox) == 6  # each user and the coverer, once per rule


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_the_sweep_once_the_broker_is_back(throwaway_redis, tmp_path):
    from celery import Celery

    rules = due_rules(2, now=dt.datetime.now(dt.UTC))
    env = subprocess_env(REDIS_URL=throwaway_redis.url, CACHE_KEY_PREFIX="fault-worker")
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--without-heartbeat",
         "--without-gossip", "--without-mingle", "-l", "info"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    producer = Celery(broker=throwaway_redis.url)
    try:
        wait_for(lambda: "ready" in (tmp_path / "worker.log").read_text(), 90, "the worker to start")
        throwaway_redis.stop()  # the broker goes away under a running worker
        time.sleep(2)
        assert worker.poll() is None, "the worker must survive a broker outage"
        throwaway_redis.start()  # and comes back on the same address
        producer.send_task("rules.sweep_rules")

        def swept():
            return not Rule.objects.filter(pk__in=[r.pk for r in rules]).exclude(status="active").exists()

        wait_for(swept, 90, "the worker to reconnect and sweep")
        assert RuleTransition.objects.count() == 2
    finally:
        stop_process(worker)
        log.close()
        producer.close()


# --- A sweep worker killed between claiming and committing --------------------------------------------

HANGING_SWEEP = """
import time
import django
django.setup()
from rules import services

def hang(transition_ids):
    # Claims inserted and statuses updated, transaction not committed: the worker dies here.
    print("CLAIMED", len(transition_ids), flush=True)
    time.sleep(600)

services.announce_after_commit = hang
services.rules_sweep()
"""


@pytest.mark.django_db(transaction=True)
def test_a_sweep_killed_mid_run_is_finished_by_the_next_one_and_nothing_is_sent_twice():
    rules = due_rules(4, now=dt.datetime.now(dt.UTC))
    ids = [rule.pk for rule in rules]
    crashing = subprocess.Popen(
        [sys.executable, "-c", HANGING_SWEEP], cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE, text=True
    )
    results = []

    def concurrent_sweep():
        try:
            results.append(rules_sweep())
        finally:
            connection.close()

    try:
        assert crashing.stdout.readline().split() == ["CLAIMED", "4"]
        # Uncommitted: from outside nothing is claimed and no rule has moved.
        assert RuleTransition.objects.count() == 0
        assert set(Rule.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"scheduled"}
        # A second sweep started now waits on the claims' unique index instead of claiming twice.
        second = threading.Thread(target=concurrent_sweep)
        second.start()
        time.sleep(1)
        assert second.is_alive(), "the second sweep should wait for the first one's claims"
        crashing.kill()  # SIGKILL: no cleanup; PostgreSQL rolls the open transaction back
        crashing.wait(timeout=10)
        second.join(timeout=60)
        assert not second.is_alive()
    finally:
        stop_process(crashing)
        crashing.stdout.close()

    assert results and (results[0].activated, results[0].expired) == (4, 0)
    assert set(Rule.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"active"}
    assert RuleTransition.objects.filter(rule_id__in=ids).count() == 4
    sent = sorted((message.subject, tuple(message.to)) for message in mail.outbox)
    assert len(sent) == 8 and len(set(sent)) == 8  # user + coverer per rule, each once

    assert (rules_sweep().activated, len(mail.outbox)) == (0, 8)  # a later sweep sends nothing again


@pytest.mark.django_db
def test_the_change_feed_prune_task_retries_after_a_lost_database_connection():
    from absences.tasks import prune_changes

    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return 0

    with mock.patch("absences.tasks.changes_prune", side_effect=flaky):
        prune_changes.apply(throw=False)
    assert len(calls) == 2
