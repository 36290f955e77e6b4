"""SPEC §6 resolve: the decision table, one row per case, through the API as an integrator asks."""

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest

from rules.models import Rule, UserRoutingPreference
from tests.coverage.factories import T0, AwayFactory, RuleFactory, one_time
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AT = T0 + dt.timedelta(hours=1)  # Monday 10:00 UTC, inside the default absence
R = Rule.Action


@pytest.fixture
def w(routing):
    names = ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank"]
    users = {n: UserFactory(username=n, first_name=n.title(), last_name="") for n in names}
    return SimpleNamespace(routing=routing, **users)


def away(user, **kwargs):
    kwargs.setdefault("start_at", T0)
    kwargs.setdefault("end_at", kwargs["start_at"] + dt.timedelta(hours=8))
    return AwayFactory(user=user, **kwargs)


def chain_of(w, length):
    """alice → bob → carol → …: each of the first ``length`` coverers away, handing on to the next."""
    people = [w.alice, w.bob, w.carol, w.dave, w.erin, w.frank, w.gina, w.hank]
    for person, coverer in itertools.pairwise(people[: length + 1]):
        away(person, coverer=coverer)


def setting(**values):
    def apply(w):
        for name, value in values.items():
            setattr(w.routing, name, value)
        w.routing.save()

    return apply


def steps(*functions):
    def run(w):
        for function in functions:
            function(w)

    return run


def case(id_, setup, expected, **request):
    return pytest.param(setup, request, expected, id=id_)


CASES = [
    case("not-away", lambda w: None, ("none", "alice", "not_away", [])),
    case(
        "meeting-is-not-away",
        lambda w: away(w.alice, type_id="meeting", coverer=w.bob),
        ("none", "alice", "not_away", []),
    ),
    case("away-no-coverer-keeps", lambda w: away(w.alice), ("keep", "alice", "no_coverer", [])),
    case("absence-coverer", lambda w: away(w.alice, coverer=w.bob), ("reassign", "bob", "absence_coverer", ["bob"])),
    case(
        "mention-ignored-by-default",
        lambda w: away(w.alice, coverer=w.bob),
        ("none", "alice", "mentioned", []),
        event="mentioned",
    ),
    case(
        "mention-routed-when-reply-when-mentioned",
        steps(lambda w: away(w.alice, coverer=w.bob), setting(reply_when_mentioned=True)),
        ("reassign", "bob", "absence_coverer", ["bob"]),
        event="mentioned",
    ),
    case(
        "default-exclusion-matches",
        steps(lambda w: away(w.alice, coverer=w.bob), setting(default_exclusion_filter="priority = Blocker")),
        ("none", "alice", "excluded", []),
        issue={"priority": "blocker"},
    ),
    case(
        "default-exclusion-does-not-match",
        steps(lambda w: away(w.alice, coverer=w.bob), setting(default_exclusion_filter="priority = Blocker")),
        ("reassign", "bob", "absence_coverer", ["bob"]),
        issue={"priority": "Minor"},
    ),
    case(
        "user-exclusion-matches-in-user-mode",
        steps(
            lambda w: away(w.alice, coverer=w.bob),
            lambda w: UserRoutingPreference.objects.create(user=w.alice, exclusion_filter="labels in (ops)"),
            setting(exclusion_mode="user", default_exclusion_filter="project = NONE"),
        ),
        ("none", "alice", "excluded", []),
        issue={"labels": ["ops", "db"]},
    ),
    case(
        "default-filter-unused-in-user-mode",
        steps(
            lambda w: away(w.alice, coverer=w.bob),
            setting(exclusion_mode="user", default_exclusion_filter="project = PROJ"),
        ),
        ("reassign", "bob", "absence_coverer", ["bob"]),
        project="PROJ",
    ),
    case(
        "self-assign-ignored-when-on",
        steps(lambda w: away(w.alice, coverer=w.bob), setting(ignore_self_assign=True)),
        ("none", "alice", "self_assign", []),
        actor="alice",
    ),
    case(
        "self-assign-routed-when-off",
        lambda w: away(w.alice, coverer=w.bob),
        ("reassign", "bob", "absence_coverer", ["bob"]),
        actor="alice",
    ),
    case(
        "coverer-assign-back-allowed",
        steps(lambda w: away(w.alice, coverer=w.bob), setting(allow_coverer_assign_back=True)),
        ("none", "alice", "coverer_assign_back", []),
        actor="bob",
    ),
    case(
        "coverer-assign-back-via-rule-coverer",
        steps(
            lambda w: away(w.alice),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.carol),
            setting(allow_coverer_assign_back=True),
        ),
        ("none", "alice", "coverer_assign_back", []),
        actor="carol",
    ),
    case(
        "coverer-assign-back-off",
        lambda w: away(w.alice, coverer=w.bob),
        ("reassign", "bob", "absence_coverer", ["bob"]),
        actor="bob",
    ),
    case(
        "rule-unassign",
        steps(lambda w: away(w.alice, coverer=w.bob), lambda w: RuleFactory(user=w.alice, action=R.UNASSIGN)),
        ("unassign", None, "rule", []),
    ),
    case(
        "rule-keep-beats-absence-coverer",
        steps(lambda w: away(w.alice, coverer=w.bob), lambda w: RuleFactory(user=w.alice, action=R.KEEP)),
        ("keep", "alice", "rule", []),
    ),
    case(
        "one-time-before-recurring",
        steps(
            lambda w: away(w.alice),
            lambda w: one_time(w.alice, T0, T0 + dt.timedelta(days=1), action=R.REASSIGN, coverer=w.carol),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.dave, projects=["PROJ"]),
        ),
        ("reassign", "carol", "rule", ["carol"]),
        project="PROJ",
    ),
    case(
        "listed-project-before-all",
        steps(
            lambda w: away(w.alice),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.carol, projects=["PROJ"]),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.dave),
        ),
        ("reassign", "carol", "rule", ["carol"]),
        project="proj",
    ),
    case(
        "other-project-falls-back-to-all",
        steps(
            lambda w: away(w.alice),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.carol, projects=["PROJ"]),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.dave),
        ),
        ("reassign", "dave", "rule", ["dave"]),
        project="OTHER",
    ),
    case(
        "listed-project-rule-needs-a-project",
        steps(
            lambda w: away(w.alice, coverer=w.bob),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.carol, projects=["PROJ"]),
        ),
        ("reassign", "bob", "absence_coverer", ["bob"]),
    ),
    case(
        "listed-issue-type-before-all",
        steps(
            lambda w: away(w.alice),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.carol, issue_types=["Bug"]),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.dave),
        ),
        ("reassign", "carol", "rule", ["carol"]),
        issue_type="bug",
    ),
    case(
        "listed-project-before-listed-issue-type",
        steps(
            lambda w: away(w.alice),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.carol, issue_types=["Bug"]),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.dave, projects=["PROJ"]),
        ),
        ("reassign", "dave", "rule", ["dave"]),
        project="PROJ",
        issue_type="Bug",
    ),
    case(
        "newest-wins-a-full-tie",
        steps(
            lambda w: away(w.alice),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.carol),
            lambda w: RuleFactory(user=w.alice, action=R.REASSIGN, coverer=w.dave),
        ),
        ("reassign", "dave", "rule", ["dave"]),
    ),
    case(
        "disabled-rule-ignored",
        steps(
            lambda w: away(w.alice, coverer=w.bob),
            lambda w: RuleFactory(user=w.alice, action=R.UNASSIGN, enabled=False),
        ),
        ("reassign", "bob", "absence_coverer", ["bob"]),
    ),
    case(
        "ended-one-time-rule-ignored",
        steps(
            lambda w: away(w.alice, coverer=w.bob),
            lambda w: one_time(w.alice, T0 - dt.timedelta(days=2), T0 - dt.timedelta(days=1), action=R.UNASSIGN),
        ),
        ("reassign", "bob", "absence_coverer", ["bob"]),
    ),
    case(
        "one-time-window-makes-away-without-absence",
        lambda w: one_time(w.alice, T0, T0 + dt.timedelta(hours=2), action=R.REASSIGN, coverer=w.carol),
        ("reassign", "carol", "rule", ["carol"]),
    ),
    case("chain-2-hops", lambda w: chain_of(w, 2), ("reassign", "carol", "absence_coverer", ["bob", "carol"])),
    case(
        "chain-3-hops",
        lambda w: chain_of(w, 3),
        ("reassign", "dave", "absence_coverer", ["bob", "carol", "dave"]),
    ),
    case(
        "chain-4-hops",
        lambda w: chain_of(w, 4),
        ("reassign", "erin", "absence_coverer", ["bob", "carol", "dave", "erin"]),
    ),
    case(
        "chain-5-hops",
        lambda w: chain_of(w, 5),
        ("reassign", "frank", "absence_coverer", ["bob", "carol", "dave", "erin", "frank"]),
    ),
    case(
        "chain-longer-than-5",
        lambda w: chain_of(w, 6),
        ("keep", "alice", "no_available_coverer", ["bob", "carol", "dave", "erin", "frank"]),
    ),
    case(
        "cycle-back-to-assignee",
        steps(lambda w: away(w.alice, coverer=w.bob), lambda w: away(w.bob, coverer=w.alice)),
        ("keep", "alice", "no_available_coverer", ["bob"]),
    ),
    case(
        "cycle-between-coverers",
        steps(
            lambda w: away(w.alice, coverer=w.bob),
            lambda w: away(w.bob, coverer=w.carol),
            lambda w: away(w.carol, coverer=w.bob),
        ),
        ("keep", "alice", "no_available_coverer", ["bob", "carol"]),
    ),
    case(
        "chain-follows-the-coverers-rule-for-the-item",
        steps(
            lambda w: away(w.alice, coverer=w.bob),
            lambda w: away(w.bob, coverer=w.carol),
            lambda w: RuleFactory(user=w.bob, action=R.REASSIGN, coverer=w.dave, projects=["PROJ"]),
        ),
        ("reassign", "dave", "absence_coverer", ["bob", "dave"]),
        project="PROJ",
    ),
    case(
        "away-coverer-who-keeps-ends-the-chain",
        steps(lambda w: away(w.alice, coverer=w.bob), lambda w: away(w.bob)),
        ("keep", "alice", "no_available_coverer", ["bob"]),
    ),
    case(
        "inactive-coverer-is-not-available",
        steps(
            lambda w: away(w.alice, coverer=w.bob),
            lambda w: type(w.bob).objects.filter(pk=w.bob.pk).update(is_active=False),
        ),
        ("keep", "alice", "no_available_coverer", ["bob"]),
    ),
    case(
        "recurring-absence-inside-occurrence",
        lambda w: away(w.alice, coverer=w.bob, start_at=T0 - dt.timedelta(days=7), recurrence="FREQ=WEEKLY;BYDAY=MO"),
        ("reassign", "bob", "absence_coverer", ["bob"]),
    ),
    case(
        "recurring-absence-outside-occurrence",
        lambda w: away(w.alice, coverer=w.bob, start_at=T0 - dt.timedelta(days=6), recurrence="FREQ=WEEKLY;BYDAY=TU"),
        ("none", "alice", "not_away", []),
    ),
    case(
        "private-absence-still-routes",
        lambda w: away(w.alice, type_id="sickness", coverer=w.bob),
        ("reassign", "bob", "absence_coverer", ["bob"]),
    ),
]


@pytest.mark.parametrize(("setup", "request_extra", "expected"), CASES)
def test_resolve_decision_table(w, client_for, staff, setup, request_extra, expected):
    setup(w)
    body = {"assignee": "alice", "event": "assigned", "at": AT.isoformat(), **request_extra}
    response = client_for(staff).post("/api/v1/coverage/resolve/", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    action, assign_to, reason, chain = expected
    assert (data["action"], data["reason"]) == (action, reason)
    assert (data["assign_to"] or {}).get("username") == assign_to
    assert [u["username"] for u in data["chain"]] == chain
    assert data["assignee"]["username"] == "alice"
    assert data["assignee_away"] is (reason != "not_away")


def test_table_has_at_least_30_cases():
    assert len(CASES) >= 30
