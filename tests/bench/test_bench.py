"""The bench's seed and scenarios on a small organisation: every measured request answers as
expected (the scenarios raise otherwise), the sweep's reruns change nothing, the table prints."""

import datetime as dt
import random
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from absences.models import Absence
from bench import scenarios
from bench.seed import ZONES, _absences, seed
from bench.timing import measure, table
from calendars.models import Calendar
from people.models import User
from rules.models import Rule

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 18, 10, tzinfo=dt.UTC)


@pytest.fixture
def org():
    return seed(people=400, absences=2000, rng=random.Random(7), now=NOW)


def test_seed_builds_the_organisation_the_scenarios_need(org):
    assert Absence.objects.count() == 2000 + 2 * len(org.chains)
    assert len(org.chains) == 40
    assert Absence.objects.exclude(recurrence="").exists()
    calendar = Calendar.objects.get(pk=org.calendar)
    members = set(calendar.members.values_list("pk", flat=True))
    members |= set(calendar.teams.values_list("members", flat=True))
    assert len(members) == 400  # 5 teams of 50 and 250 direct members, capped by the 400 people here
    assert Rule.objects.filter(kind=Rule.Kind.RECURRING).exists()


def test_absences_are_reproducible_from_the_seed():
    owners = [User(pk=n, first_name="Ada", timezone=ZoneInfo(ZONES[n % len(ZONES)])) for n in range(1, 60)]
    batches = []
    for _ in range(2):
        rows = []
        with mock.patch("bench.seed._insert_absences", rows.extend):
            _absences(500, owners, random.Random(7), now=NOW, span=dt.timedelta(days=400))
        batches.append(rows)
    assert batches[0] == batches[1] and len(batches[0]) == 500
    assert {row["type_id"] for row in batches[0]} >= {"vacation", "sickness", "meeting"}


@override_settings(ROOT_URLCONF="bench.urls")
def test_every_http_scenario_answers_and_counts_its_queries(org):
    results = [measure(s.name, s.call, count=3, warmup=1) for s in scenarios.http_scenarios(org)]
    assert [r.name for r in results][:2] == [
        "floor: bare view, same indexed query",
        "floor + bearer auth (token lookup, HMAC)",
    ]
    assert results[0].queries == [1, 1, 1]
    assert all(len(r.samples) == 3 and min(r.queries) >= 1 for r in results)
    printed = table(results, results[0])
    assert "availability" in printed and "x floor" in printed


@override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
def test_sweeps_claim_every_due_rule_once_and_reruns_write_nothing(org, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        mock.patch("rules.tasks.send_transition_emails.apply_async") as sent,
    ):
        results = scenarios.measure_sweeps(org, idle_runs=2, rounds=2, due=300)
    by_name = {r.name: r for r in results}
    # The emails are held back from the broker and run as their own scenario: one task per sweep
    # batch claimed in the last round (300 activations; 300 and more expiries).
    assert sent.call_count == 0 and callbacks == []
    assert len(by_name["transition emails, one task (500)"].samples) >= 2
    assert by_name["rules sweep, idle"].rows_written == [0, 0]
    assert by_name["rules sweep rerun (activations)"].rows_written == [0, 0]
    assert by_name["rules sweep rerun (expiries)"].rows_written == [0, 0]
    assert min(by_name["rules sweep, 300 due activations"].rows_written) >= 300
    assert not Rule.objects.filter(name__startswith="due ").exists()


@override_settings(ROOT_URLCONF="bench.urls")
def test_list_queries_are_flat_in_page_size(org):
    for name, small, large in scenarios.page_size_queries(org):
        assert small == large, name


def test_a_seeded_database_is_reused_with_the_same_organisation(org):
    from bench.seed import organisation_from_database
    from tokens.authentication import token_authenticate

    again = organisation_from_database()
    assert again.now == org.now
    assert (again.people, again.teams, again.calendar) == (org.people, org.teams, org.calendar)
    assert again.chains == org.chains
    assert again.absences == org.absences
    assert token_authenticate(again.token).user == org.admin  # a new token: the first one's secret is not stored


def test_the_http_script_cycles_through_people_with_the_token(org):
    from bench.http import _lua, _paths

    paths = _paths(org, "2026-11-18T10:00:00Z")
    assert list(paths) == ["floor: bare view (HTTP)", "availability (HTTP)"]
    assert all(len(group) == len(set(group)) > 100 for group in paths.values())
    script = _lua(paths["availability (HTTP)"], org.token)
    assert f'"Bearer {org.token}"' in script and paths["availability (HTTP)"][0] in script


def test_interleaved_scenarios_take_turns_and_their_difference_is_paired():
    from bench.timing import Result, measure_interleaved, paired_difference

    calls = []
    results = measure_interleaved(
        [("a", lambda i: calls.append(("a", i))), ("b", lambda i: calls.append(("b", i)))], count=3, warmup=1
    )
    assert calls == [("a", 0), ("b", 0), ("a", 0), ("b", 0), ("a", 1), ("b", 1), ("a", 2), ("b", 2)]
    assert [len(r.samples) for r in results] == [3, 3]
    # Samples drifting upwards together: every pair differs by 0.2 ms.
    base = Result("floor", samples=[0.0020, 0.0030, 0.0040])
    other = Result("auth", samples=[0.0022, 0.0032, 0.0042])
    assert round(paired_difference(base, other), 6) == 0.2
