"""POST /api/v1/coverage/resolve/: the answer's shape, messages, reply throttle, validation, cost."""

import datetime as dt

import pytest
import time_machine

from coverage.services import coverage_resolve
from rules.models import Rule
from tests.coverage.factories import T0, AwayFactory, RuleFactory, one_time
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/coverage/resolve/"
AT = T0 + dt.timedelta(hours=1)


def resolve(client, **body):
    body.setdefault("event", "assigned")
    body.setdefault("at", AT.isoformat())
    response = client.post(URL, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def integrator(client_for, staff):
    return client_for(staff)


class TestAnswer:
    def test_full_answer_for_a_rule_reassignment(self, user, other, integrator):
        absence = AwayFactory(user=user, title="Beach", message="{user} is away until {until}.")
        rule = RuleFactory(
            user=user, name="Ops", action=Rule.Action.REASSIGN, coverer=other, message="{coverer} takes it."
        )
        body = resolve(integrator, assignee="alice@example.com", project="OPS", issue_type="Bug")
        assert body == {
            "assignee": {"id": user.pk, "username": "alice", "email": "alice@example.com", "name": "Alice Smith"},
            "assignee_away": True,
            "action": "reassign",
            "assign_to": {"id": other.pk, "username": "bob", "email": "bob@example.com", "name": "Bob Jones"},
            "message": "Alice Smith is away until Mon 23 Nov 2026, 18:00 CET. Bob Jones takes it.",
            "reply": False,
            "reason": "rule",
            "rule": {"id": rule.pk, "kind": "recurring", "name": "Ops", "action": "reassign"},
            "absence": {
                "id": absence.pk,
                "type": "vacation",
                "title": "Beach",
                "start_at": "2026-11-23T09:00:00Z",
                "end_at": "2026-11-23T17:00:00Z",
            },
            "until": "2026-11-23T17:00:00Z",
            "chain": [{"id": other.pk, "username": "bob", "email": "bob@example.com", "name": "Bob Jones"}],
        }

    def test_not_away_answer(self, user, integrator):
        body = resolve(integrator, assignee="alice")
        assert body["action"] == "none" and body["assign_to"]["username"] == "alice"
        assert body["message"] == "" and body["absence"] is None and body["until"] is None and body["rule"] is None

    def test_until_is_the_end_of_the_merged_stretch(self, user, other, integrator):
        AwayFactory(user=user, coverer=other, message="Back {until}.")
        one_time(user, T0 + dt.timedelta(hours=8), T0 + dt.timedelta(days=1, hours=8))
        body = resolve(integrator, assignee="alice")
        assert body["until"] == "2026-11-24T17:00:00Z"
        assert body["message"] == "Back Tue 24 Nov 2026, 18:00 CET."

    def test_no_available_coverer_message_names_nobody(self, user, other, integrator):
        AwayFactory(user=user, coverer=other, message="Ask {coverer}!")
        AwayFactory(user=other)
        body = resolve(integrator, assignee="alice")
        assert (body["action"], body["reason"], body["message"]) == ("keep", "no_available_coverer", "Ask !")

    def test_unassign_has_no_assign_to(self, user, integrator):
        AwayFactory(user=user)
        RuleFactory(user=user, action=Rule.Action.UNASSIGN, message="Unassigned while {user} is out.")
        body = resolve(integrator, assignee="alice")
        assert body["assign_to"] is None and body["message"] == "Unassigned while Alice Smith is out."

    def test_naive_at_is_read_in_the_assignees_zone(self, user, integrator):
        AwayFactory(user=user, start_at=T0, end_at=T0 + dt.timedelta(hours=1))  # 10:00-11:00 in Berlin
        assert resolve(integrator, assignee="alice", at="2026-11-23T10:30:00")["assignee_away"] is True
        assert resolve(integrator, assignee="alice", at="2026-11-23T09:30:00")["assignee_away"] is False

    def test_default_at_is_now_and_status_is_never_read(self, user, other, client_for):
        # The sweep never ran: the rule's status is still "scheduled", yet its window decides.
        one_time(user, T0, T0 + dt.timedelta(hours=2), action=Rule.Action.REASSIGN, coverer=other)
        assert Rule.objects.get().status == Rule.Status.SCHEDULED
        client = client_for(other)
        with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
            body = client.post(URL, {"assignee": "alice", "event": "assigned"}, format="json").json()
        assert body["action"] == "reassign" and body["assign_to"]["username"] == "bob"


class TestPrivateAbsence:
    @pytest.fixture
    def sick(self, user, other):
        return AwayFactory(user=user, type_id="sickness", title="Flu", message="Off sick.", coverer=other)

    def test_integrator_without_rights_sees_away_only(self, sick, client_for):
        body = resolve(client_for(UserFactory(username="bot")), assignee="alice", issue={"key": "OPS-1"})
        assert body["action"] == "reassign" and body["assign_to"]["username"] == "bob"
        assert body["absence"]["type"] == "away" and body["absence"]["title"] == ""
        assert body["message"] == "" and body["reply"] is False  # nothing to post

    def test_lead_sees_the_details(self, sick, user, client_for):
        lead = UserFactory(username="lea")
        TeamFactory(members=[user], leads=[lead])
        body = resolve(client_for(lead), assignee="alice")
        assert body["absence"]["type"] == "sickness" and body["message"] == "Off sick."


class TestReplyThrottle:
    @pytest.fixture
    def away_alice(self, user, other):
        return AwayFactory(user=user, coverer=other, message="Out.", end_at=T0 + dt.timedelta(days=5))

    def test_once_per_issue_within_the_interval(self, away_alice, integrator, routing):
        routing.reply_interval_hours = 2
        routing.save()
        with time_machine.travel(T0, tick=False) as clock:
            assert resolve(integrator, assignee="alice", issue={"key": "OPS-1"})["reply"] is True
            assert resolve(integrator, assignee="alice", issue={"key": "OPS-1"})["reply"] is False
            assert resolve(integrator, assignee="alice", issue={"key": "OPS-2"})["reply"] is True
            clock.shift(dt.timedelta(hours=1, minutes=59))
            assert resolve(integrator, assignee="alice", issue={"key": "OPS-1"})["reply"] is False
            clock.shift(dt.timedelta(minutes=1))
            assert resolve(integrator, assignee="alice", issue={"key": "OPS-1"})["reply"] is True

    def test_no_key_no_reply(self, away_alice, integrator):
        assert resolve(integrator, assignee="alice")["reply"] is False
        assert resolve(integrator, assignee="alice", issue={"labels": []})["reply"] is False

    def test_none_decisions_do_not_reply_or_use_up_the_slot(self, away_alice, integrator):
        with time_machine.travel(T0, tick=False):
            body = resolve(integrator, assignee="alice", event="mentioned", issue={"key": "OPS-1"})
            assert (body["action"], body["reply"]) == ("none", False)
            assert resolve(integrator, assignee="alice", issue={"key": "OPS-1"})["reply"] is True

    def test_throttle_is_per_assignee(self, away_alice, other, integrator):
        AwayFactory(user=other, message="Away too.", end_at=T0 + dt.timedelta(days=5))
        with time_machine.travel(T0, tick=False):
            assert resolve(integrator, assignee="alice", issue={"key": "OPS-1"})["reply"] is True
            assert resolve(integrator, assignee="bob", issue={"key": "OPS-1"})["reply"] is True


class TestValidation:
    @pytest.mark.parametrize(
        ("body", "attr"),
        [
            ({"event": "assigned"}, "assignee"),
            ({"assignee": "nobody", "event": "assigned"}, "assignee"),
            ({"assignee": True, "event": "assigned"}, "assignee"),
            ({"assignee": "alice"}, "event"),
            ({"assignee": "alice", "event": "commented"}, "event"),
            ({"assignee": "alice", "event": "assigned", "at": "soon"}, "at"),
            ({"assignee": "alice", "event": "assigned", "at": "9999-12-31T23:59:59Z"}, "at"),
            ({"assignee": "alice", "event": "assigned", "actor": "nobody"}, "actor"),
            ({"assignee": "alice", "event": "assigned", "project": ["A"]}, "project"),
            ({"assignee": "alice", "event": "assigned", "issue": "OPS-1"}, "issue.non_field_errors"),
            ({"assignee": "alice", "event": "assigned", "issue": {"labels": "ops"}}, "issue.labels"),
            ({"assignee": "alice", "event": "assigned", "issue": {"key": ["x"]}}, "issue.key"),
            ({"assignee": "alice", "event": "assigned", "issue": {"key": "OPS\x00-1"}}, "issue.key"),
            ({"assignee": "al\x00ice", "event": "assigned"}, "assignee"),
            ({"assignee": "alice", "event": "assigned", "issue": {"priority": {"a": 1}}}, "issue.priority"),
        ],
    )
    def test_bad_input_is_400_on_its_field(self, user, integrator, body, attr):
        response = integrator.post(URL, body, format="json")
        assert response.status_code == 400, response.content
        data = response.json()
        assert data["type"] == "validation_error"
        assert attr in [e["attr"] for e in data["errors"]], data

    def test_inactive_assignee_is_400(self, integrator):
        UserFactory(username="gone", is_active=False)
        response = integrator.post(URL, {"assignee": "gone", "event": "assigned"}, format="json")
        assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "assignee"


@pytest.mark.parametrize("count", [1, 40])
def test_resolve_costs_a_fixed_number_of_queries(
    count, user, other, staff, routing, client_for, django_assert_num_queries
):
    """Nine statements with a direct, available coverer and an issue key, however many absences and
    rules: the bearer token with its user, assignee ref, actor ref, the assignee's absences in the
    year ahead, their rules and the routing settings (one round trip), the coverer's rules and
    covering absences (one), the reply claim (one statement, no savepoints)."""
    for n in range(count):
        start = T0 - dt.timedelta(days=200) + dt.timedelta(days=9 * n)
        AwayFactory(user=user, start_at=start, end_at=start + dt.timedelta(days=9), coverer=other)
        RuleFactory(user=user, action=Rule.Action.REASSIGN, coverer=other, projects=[f"P{n}"])
        one_time(user, start, start + dt.timedelta(hours=1), action=Rule.Action.KEEP, projects=[f"Q{n}"])
    AwayFactory(user=user, coverer=other, message="Out.")
    client = client_for(staff)
    body = {"assignee": "alice", "actor": "root", "event": "assigned", "at": AT.isoformat(), "issue": {"key": "X-1"}}
    with django_assert_num_queries(9) as captured:
        response = client.post(URL, body, format="json")
    assert response.json()["assign_to"]["username"] == "bob" and response.json()["reply"] is True
    assert not [q for q in captured.captured_queries if "SAVEPOINT" in q["sql"].upper()]


def test_a_two_hop_chain_costs_one_round_trip_per_hop(
    user, other, staff, routing, client_for, django_assert_num_queries
):
    """Alice routes PAY to Bob by a one-time rule, Bob (away) routes bugs to Carol, who is available.
    Ten statements in six round trips: token, assignee ref, Alice's absences and rules with the
    routing settings (one trip), Bob's rules and covering absences (one), Carol's (one), the claim."""
    carol = UserFactory(username="carol")
    AwayFactory(user=user, start_at=T0, end_at=T0 + dt.timedelta(days=3), coverer=other, message="Away.")
    one_time(user, T0, T0 + dt.timedelta(days=2), action=Rule.Action.REASSIGN, coverer=other, projects=["PAY"])
    AwayFactory(user=other, start_at=T0, end_at=T0 + dt.timedelta(days=4), coverer=carol, type_id="trip")
    RuleFactory(user=other, action=Rule.Action.REASSIGN, coverer=carol, issue_types=["Bug"])
    AwayFactory(user=carol, start_at=T0 + dt.timedelta(days=1), end_at=T0 + dt.timedelta(days=2))
    body = {"assignee": "alice", "project": "PAY", "issue_type": "Bug", "event": "assigned", "at": AT.isoformat()}
    client = client_for(staff)
    with django_assert_num_queries(10):
        data = client.post(URL, {**body, "issue": {"key": "PAY-1"}}, format="json").json()
    assert [u["username"] for u in data["chain"]] == ["bob", "carol"]
    assert data["assign_to"]["username"] == "carol" and data["reason"] == "rule" and data["reply"] is True


def test_service_is_usable_without_a_request(user, other):
    AwayFactory(user=user, coverer=other, type_id="sickness", message="Sick.")
    resolution = coverage_resolve(assignee=user, event="assigned", at=AT)
    assert resolution.action == "reassign" and resolution.assign_to == other
    assert resolution.message == "Sick." and resolution.absence["type"] == "sickness"
