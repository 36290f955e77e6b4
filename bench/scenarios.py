"""The measured requests. Each is a function of the request number, so consecutive requests vary
(another person, another chain, another page) the way an integrator's traffic does."""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench.seed import Organisation
from bench.timing import QueryCounter, Result, measure
from rules.lifecycle import EMAIL_BATCH, transitions_notify
from rules.models import Rule, RuleTransition
from rules.services import rules_sweep
from tokens.authentication import forget_tokens, token_authenticate
from tokens.hashing import parse_token
from tokens.models import APIToken

DUE_RULES = 10_000
ANONYMOUS_RATE_LIMIT = 1_000_000_000  # the rate-limited floor is counted per IP, and never throttled


class UnexpectedResponse(Exception):
    """A measured request did not answer as the scenario expects: the bench fails loudly."""


@dataclass(frozen=True)
class Scenario:
    name: str
    call: Callable[[int], object]
    note: str = ""


def iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _checked(response, status: int = 200):
    if response.status_code != status:
        body = getattr(response, "content", b"")[:300]
        raise UnexpectedResponse(f"{response.request['PATH_INFO']}: {response.status_code} {body!r}")
    return response


def http_scenarios(org: Organisation) -> list[Scenario]:
    """Floor, auth and the API endpoints, all through Django's test client with a bearer token (the
    rate-limited floor without one). The first four are measured interleaved (``bench``)."""
    client = Client(headers={"authorization": f"Bearer {org.token}"}, raise_request_exception=True)
    anonymous = Client(raise_request_exception=True)
    people, at = org.people, iso(org.now)
    monday = (org.now - dt.timedelta(days=org.now.weekday())).date()
    team_of_50 = org.teams[len(org.teams) // 2]

    def get(path: str, **params):
        return _checked(client.get(path, params))

    def resolve(i: int):
        assignee, _, _ = org.chains[i % len(org.chains)]
        body = {
            "assignee": assignee,
            "project": "PAY",
            "issue_type": "Bug",
            "event": "assigned",
            "at": at,
            "issue": {"key": f"PAY-{i}", "labels": ["backend"], "priority": "High", "status": "Open"},
        }
        response = _checked(client.post("/api/v1/coverage/resolve/", json.dumps(body), content_type="application/json"))
        if i == 0 and len(response.json()["chain"]) != 2:
            raise UnexpectedResponse(f"resolve: expected a 2-hop chain, got {response.json()}")
        return response

    window = {"from": iso(org.now - dt.timedelta(days=30)), "to": iso(org.now + dt.timedelta(days=30))}
    search = {
        "calendars": [org.calendar],
        "start": iso(org.now - dt.timedelta(days=46)),
        "end": iso(org.now + dt.timedelta(days=46)),
        "include_holidays": True,
    }

    def event_search(i: int):
        return _checked(client.post("/api/v1/events/search/", json.dumps(search), content_type="application/json"))

    return [
        Scenario(
            "floor: bare view, same indexed query", lambda i: get(f"/bench/floor/{people[i % len(people)]}/", at=at)
        ),
        Scenario(
            "floor + bearer auth (token lookup, HMAC)",
            lambda i: get(f"/bench/floor-auth/{people[i % len(people)]}/", at=at),
        ),
        Scenario(
            "floor, rate-limited (per IP, no token)",
            lambda i: _checked(anonymous.get(f"/api/bench/floor/{people[i % len(people)]}/", {"at": at})),
        ),
        Scenario(
            "floor, rate-limited + bearer auth",
            lambda i: get(f"/api/bench/floor-auth/{people[i % len(people)]}/", at=at),
        ),
        Scenario(
            "availability GET /coverage/availability/{u}/",
            lambda i: get(f"/api/v1/coverage/availability/{people[(i * 7919) % len(people)]}/", at=at),
        ),
        Scenario(
            "resolve POST /coverage/resolve/ (2-hop chain)", resolve, "rules + 2-hop chain, issue key (reply log)"
        ),
        Scenario(
            "absences list (page_size 50, filters)",
            lambda i: get("/api/v1/absences/", type=["vacation", "sickness"], page_size=50, page=1 + i % 5, **window),
            "admin token; type x2, from/to = 60 days, pages 1-5",
        ),
        Scenario("event search (92 days, 500 members)", event_search, "one calendar of 500, holidays included"),
        Scenario("ICS feed of a 500-member calendar", lambda i: get(f"/api/v1/calendars/{org.calendar}/feed.ics")),
        Scenario(
            "coverage/current (first page of 100)", lambda i: get("/api/v1/coverage/current/", at=at, page_size=100)
        ),
        Scenario(
            "team staffing (50 people, a week)",
            lambda i: get(f"/api/v1/teams/{team_of_50}/staffing/", start=monday, end=monday + dt.timedelta(days=6)),
        ),
    ]


def with_token_cache(seconds: int, call: Callable[[int], object]) -> Callable[[int], object]:
    """``call`` run with ``TOKEN_CACHE_SECONDS=seconds`` (set on the settings object, not with
    ``override_settings``, whose set-up would cost more than what is measured)."""

    def run(i: int):
        before = settings.TOKEN_CACHE_SECONDS
        settings.TOKEN_CACHE_SECONDS = seconds
        try:
            return call(i)
        finally:
            settings.TOKEN_CACHE_SECONDS = before

    return run


def token_scenarios(org: Organisation) -> list[Scenario]:
    """Bearer authentication alone: parse, the token epoch (one cache read) and the kept lookup, or
    one indexed lookup, HMAC, constant-time compare."""

    def authenticate(i: int):
        return token_authenticate(org.token)

    return [
        Scenario("token_authenticate() alone", authenticate),
        Scenario("  no kept lookup (TOKEN_CACHE_SECONDS=0)", with_token_cache(0, authenticate)),
    ]


def page_size_queries(org: Organisation) -> list[tuple[str, int, int]]:
    """Queries per request of the list endpoints at page size 10 and 500 (they must be equal)."""
    client = Client(headers={"authorization": f"Bearer {org.token}"}, raise_request_exception=True)
    at = iso(org.now)
    paths = {
        "absences list": ("/api/v1/absences/", {"type": ["vacation", "sickness"]}),
        "coverage/current": ("/api/v1/coverage/current/", {"at": at}),
        "rules list": ("/api/v1/rules/", {}),
    }
    rows = []
    for name, (path, params) in paths.items():
        counts = []
        for size in (10, 500):
            _fresh_usage_stamp(org)  # the token's once-a-minute usage stamp is not the list's
            forget_tokens()  # and each counted request looks the token up, none from the kept lookup
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                _checked(client.get(path, {**params, "page_size": size}))
            counts.append(counter.queries)
        rows.append((name, *counts))
    return rows


def _fresh_usage_stamp(org: Organisation) -> None:
    """Stamp the bench token as just used, so no request in the next minute writes the stamp (a
    warm-up request did not do: it may fall a second before the minute is up)."""
    key_id = parse_token(org.token)[0]
    APIToken.objects.filter(key_id=key_id).update(last_used_at=timezone.now())


def _due_rules(org: Organisation, count: int) -> list[int]:
    """``count`` one-time rules whose window began an hour ago (inserted only now: they would
    otherwise make 10,000 people away for the HTTP scenarios)."""
    people = org.people
    start, end = org.now - dt.timedelta(hours=1), org.now + dt.timedelta(days=1)
    due = [
        Rule(
            user_id=people[n % len(people)],
            kind=Rule.Kind.ONE_TIME,
            action=Rule.Action.REASSIGN,
            coverer_id=people[(n + 1) % len(people)],
            start_at=start,
            end_at=end,
            name=f"due {n}",
        )
        for n in range(count)
    ]
    Rule.objects.bulk_create(due, batch_size=5000)
    return [rule.pk for rule in due]


def _reset(ids: list[int]) -> None:
    RuleTransition.objects.filter(rule_id__in=ids).delete()
    Rule.objects.filter(pk__in=ids).update(status=Rule.Status.SCHEDULED, activated_at=None, expired_at=None)


def _sweep(moment: dt.datetime, expected: int, kind: str) -> Callable[[int], object]:
    def run(i: int):
        result = rules_sweep(now=moment)
        claimed = getattr(result, kind)  # seeded rules whose window ends by then expire along
        if claimed < expected or (expected == 0 and claimed):
            raise UnexpectedResponse(f"sweep at {moment}: expected {expected} {kind}, got {result}")
        return result

    return run


def measure_sweeps(org: Organisation, *, idle_runs: int, rounds: int, due: int = DUE_RULES) -> list[Result]:
    """The idle sweep ``idle_runs`` times; then ``rounds`` times: 10,000 due activations, a rerun,
    10,000 due expiries, a rerun (the reruns must claim and change nothing)."""
    idle = measure("rules sweep, idle", _sweep(org.now, 0, "activated"), count=idle_runs, warmup=5)
    ids = _due_rules(org, due)
    later = org.now + dt.timedelta(days=1, minutes=1)
    steps = [
        (f"rules sweep, {due:,} due activations", org.now, due, "activated"),
        ("rules sweep rerun (activations)", org.now, 0, "activated"),
        (f"rules sweep, {due:,} due expiries", later, due, "expired"),
        ("rules sweep rerun (expiries)", later, 0, "expired"),
    ]
    results = {name: Result(name) for name, *_ in steps}
    # The sweep hands its transitions to the email task after commit; here they are held back (no
    # task reaches the configured broker, whose worker would look for these ids in its own
    # database) and the last round's batches then go through the task's work directly.
    batches: list[list[int]] = []

    def hold_back(transition_ids: list[int]) -> None:
        batches.extend(transition_ids[i : i + EMAIL_BATCH] for i in range(0, len(transition_ids), EMAIL_BATCH))

    with mock.patch("rules.services.announce_after_commit", side_effect=hold_back):
        for _ in range(rounds):
            _reset(ids)
            batches.clear()
            for name, moment, expected, kind in steps:
                one = measure(name, _sweep(moment, expected, kind), count=1)
                results[name].samples += one.samples
                results[name].queries += one.queries
                results[name].rows_written += one.rows_written
    for result in results.values():
        result.note = f"rows written per run: {max(result.rows_written)}"
    emails = measure(
        "transition emails, one task (500)",
        lambda i: transitions_notify(batches[i]),
        count=len(batches),
        note=f"{len(batches)} tasks for {2 * due:,} transitions; composed, dummy backend",
    )
    Rule.objects.filter(pk__in=ids).delete()
    return [idle, *results.values(), emails]
