"""GET /api/v1/coverage/current/: everyone away at an instant, with who covers them."""

import datetime as dt

import pytest

from rules.models import Rule
from tests.coverage.factories import T0, AwayFactory, RuleFactory, one_time
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/coverage/current/"
AT = T0 + dt.timedelta(hours=1)


def current(client, **params):
    params.setdefault("at", AT.isoformat())
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


class TestRows:
    def test_one_row_per_away_user_with_coverer(self, user, other, alice_client):
        absence = AwayFactory(user=user, coverer=other, title="Beach", message="Ask {coverer}.")
        AwayFactory(user=user, start_at=T0 - dt.timedelta(hours=1), end_at=T0 + dt.timedelta(hours=2))  # overlaps
        carol = UserFactory(username="carol")
        one_time(carol, T0, T0 + dt.timedelta(hours=3), action=Rule.Action.REASSIGN, coverer=other, message="Rule.")
        AwayFactory(user=UserFactory(username="dave"), type_id="meeting")
        AwayFactory(user=UserFactory(username="erin"), start_at=T0 + dt.timedelta(hours=2))
        body = current(alice_client)
        assert body["count"] == 2
        alice_row, carol_row = body["results"]
        assert alice_row["user"]["username"] == "alice"
        assert alice_row["absence"]["id"] == absence.pk and alice_row["absence"]["title"] == "Beach"
        assert alice_row["coverer"]["username"] == "bob" and alice_row["rule"] is None
        assert alice_row["start_at"] == "2026-11-23T08:00:00Z"  # the earliest covering absence
        assert alice_row["end_at"] == "2026-11-23T17:00:00Z"
        assert alice_row["message"] == "Ask Bob Jones."
        assert carol_row["user"]["username"] == "carol" and carol_row["absence"] is None
        assert carol_row["rule"]["kind"] == "one_time" and carol_row["coverer"]["username"] == "bob"
        assert carol_row["message"] == "Rule."

    def test_recurring_absences_by_their_occurrences(self, user, alice_client):
        AwayFactory(user=user, start_at=T0 - dt.timedelta(days=7), recurrence="FREQ=WEEKLY;BYDAY=MO")
        AwayFactory(user=UserFactory(username="tue"), start_at=T0 - dt.timedelta(days=6), recurrence="FREQ=WEEKLY")
        body = current(alice_client)
        assert [r["user"]["username"] for r in body["results"]] == ["alice"]
        assert body["results"][0]["absence"]["start_at"] == "2026-11-23T09:00:00Z"

    def test_rule_scope_is_shown_and_project_picks_the_rule(self, user, other, alice_client):
        AwayFactory(user=user)
        carol = UserFactory(username="carol")
        RuleFactory(user=user, action=Rule.Action.REASSIGN, coverer=other)
        RuleFactory(user=user, action=Rule.Action.REASSIGN, coverer=carol, projects=["OPS"], issue_types=["Bug"])
        row = current(alice_client)["results"][0]
        assert row["coverer"]["username"] == "carol"
        assert (row["projects"], row["issue_types"]) == (["OPS"], ["Bug"])
        row = current(alice_client, project="WEB")["results"][0]
        assert row["coverer"]["username"] == "bob" and row["projects"] == []

    def test_unassign_rule_has_no_coverer(self, user, other, alice_client):
        AwayFactory(user=user, coverer=other)
        RuleFactory(user=user, action=Rule.Action.UNASSIGN)
        row = current(alice_client)["results"][0]
        assert row["coverer"] is None and row["rule"]["action"] == "unassign"

    def test_team_filter(self, user, other, alice_client):
        AwayFactory(user=user)
        AwayFactory(user=other)
        team = TeamFactory(members=[other])
        assert [r["user"]["username"] for r in current(alice_client, team=team.pk)["results"]] == ["bob"]

    def test_private_absence_is_away_to_others(self, user, client_for):
        AwayFactory(user=user, type_id="sickness", title="Flu", message="Sick")
        row = current(client_for(UserFactory(username="zed")))["results"][0]
        assert row["absence"]["type"] == "away" and row["absence"]["title"] == "" and row["message"] == ""
        row = current(client_for(user))["results"][0]
        assert row["absence"]["type"] == "sickness"

    def test_inactive_users_are_left_out(self, alice_client):
        AwayFactory(user=UserFactory(username="gone", is_active=False))
        assert current(alice_client)["count"] == 0


def test_sort_and_fields(user, other, alice_client):
    AwayFactory(user=user)
    AwayFactory(user=other)
    body = current(alice_client, sort="-user", fields="user,end_at")
    assert [r["user"]["username"] for r in body["results"]] == ["bob", "alice"]
    assert set(body["results"][0]) == {"user", "end_at"}


class TestBadInput:
    @pytest.mark.parametrize(
        ("params", "attr"),
        [
            ({"sort": "coverer"}, "sort"),
            ({"project": "OPS\x00"}, "project"),
            ({"fields": "nope"}, "fields"),
            ({"at": "nope"}, "at"),
            ({"at": "9999-12-31T00:00:00Z"}, "at"),
            ({"team": "x"}, "team"),
            ({"team": 999}, "team"),
            ({"page_size": 501}, "page_size"),
        ],
    )
    def test_400_names_the_parameter(self, alice_client, params, attr):
        response = alice_client.get(URL, params)
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == attr


@pytest.mark.parametrize("page_size", [10, 500])
def test_query_count_is_flat_with_page_size(page_size, client_for, staff, django_assert_num_queries):
    """Seven queries per page: the token; who is away at ``at`` (series and one-off absences
    running then, in one round trip on PostgreSQL; one-time rule windows open then); the page of
    users with their count (``COUNT(*) OVER ()``); the page's absences ahead with the covering ones
    and their coverers (values), and rules (one round trip). Staff: no visibility query."""
    coverer = UserFactory(username="cov")
    for n in range(page_size):
        person = UserFactory(username=f"p{n:03}")
        AwayFactory(user=person, coverer=coverer, message="Ask {coverer}")
        monday = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
        AwayFactory(
            user=person, start_at=monday, end_at=monday + dt.timedelta(days=1), all_day=True, recurrence="FREQ=WEEKLY"
        )
        RuleFactory(user=person, action=Rule.Action.REASSIGN, coverer=coverer, projects=["OPS"])
    client = client_for(staff)
    with django_assert_num_queries(7) as captured:
        body = current(client, page_size=page_size)
    assert not any("COUNT(*) AS" in query["sql"] for query in captured.captured_queries)
    assert len(body["results"]) == page_size
    assert all(row["coverer"]["username"] == "cov" for row in body["results"])


def test_query_count_for_a_member_caller(user, client_for, django_assert_num_queries):
    """A caller who is not admin adds one query: whose private details they may see."""
    for n in range(5):
        AwayFactory(user=UserFactory(username=f"p{n}"))
    client = client_for(user)
    with django_assert_num_queries(8):
        assert current(client, page_size=10)["count"] == 5
