"""GET /api/v1/teams/{id}/staffing/: per-day staffing with work schedules and public holidays."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.coverage.factories import AwayFactory
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def local_day(user, day: dt.date, days: int = 1) -> dict:
    zone = ZoneInfo(str(user.timezone))
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return {"start_at": start, "end_at": dt.datetime.combine(day + dt.timedelta(days=days), dt.time.min, tzinfo=zone)}


@pytest.fixture
def team(user, other):
    # alice: Berlin, German public holidays, Mon-Fri. bob: UTC, Mon-Thu. carol: UTC, Mon-Fri, no holidays.
    user.holiday_country = "DE"
    user.save()
    other.working_days = [0, 1, 2, 3]
    other.save()
    carol = UserFactory(username="carol", first_name="Carol", last_name="")
    lead = UserFactory(username="lea")
    return TeamFactory(name="Ops", members=[user, other, carol], leads=[lead], min_available=2)


def staffing(client, team, start="2026-12-21", end="2026-12-27"):
    response = client.get(f"/api/v1/teams/{team.pk}/staffing/", {"start": start, "end": end})
    assert response.status_code == 200, response.content
    return response.json()


def test_days_count_schedules_holidays_and_away_members(team, user, other, alice_client):
    carol = team.members.get(username="carol")
    AwayFactory(user=user, **local_day(user, dt.date(2026, 12, 22)))
    AwayFactory(user=carol, **local_day(carol, dt.date(2026, 12, 23), days=2))
    AwayFactory(user=other, **local_day(other, dt.date(2026, 12, 24)))
    AwayFactory(user=other, type_id="meeting", **local_day(other, dt.date(2026, 12, 21)))  # not away
    rows = staffing(alice_client, team)
    table = [(r["date"], r["available"], [u["username"] for u in r["away"]], r["below_minimum"]) for r in rows]
    assert table == [
        ("2026-12-21", 3, [], False),
        ("2026-12-22", 2, ["alice"], False),
        ("2026-12-23", 2, ["carol"], False),
        ("2026-12-24", 1, ["bob", "carol"], True),
        ("2026-12-25", 1, [], True),  # alice: Christmas (DE); bob does not work Fridays
        ("2026-12-26", 0, [], False),  # weekend: nobody scheduled, never below minimum
        ("2026-12-27", 0, [], False),
    ]
    assert rows[1]["away"][0] == {
        "id": user.pk,
        "username": "alice",
        "email": "alice@example.com",
        "name": "Alice Smith",
    }


def test_single_day_and_92_days(team, alice_client):
    assert len(staffing(alice_client, team, "2026-12-21", "2026-12-21")) == 1
    rows = staffing(alice_client, team, "2026-10-01", "2026-12-31")
    assert len(rows) == 92 and rows[-1]["date"] == "2026-12-31"


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"end": "2026-12-27"}, "start"),
        ({"start": "2026-12-21"}, "end"),
        ({"start": "21.12.2026", "end": "2026-12-27"}, "start"),
        ({"start": "2026-12-21", "end": "2026-12-20"}, "end"),
        ({"start": "2026-10-01", "end": "2027-01-01"}, "end"),
        ({"start": "0001-01-01", "end": "0001-01-02"}, "start"),
        ({"start": "9999-12-30", "end": "9999-12-31"}, "start"),
    ],
)
def test_bad_range_is_400_naming_the_field(team, alice_client, params, attr):
    response = alice_client.get(f"/api/v1/teams/{team.pk}/staffing/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error" and body["errors"][0]["attr"] == attr


def test_members_leads_and_staff_may_read_others_get_404(team, client_for, staff):
    lead = team.leads.get()
    assert len(staffing(client_for(lead), team)) == 7
    assert len(staffing(client_for(staff), team)) == 7
    stranger = client_for(UserFactory(username="zed"))
    response = stranger.get(f"/api/v1/teams/{team.pk}/staffing/", {"start": "2026-12-21", "end": "2026-12-27"})
    assert response.status_code == 404 and response.json()["type"] == "client_error"
    assert (
        client_for(staff).get("/api/v1/teams/999/staffing/", {"start": "2026-12-21", "end": "2026-12-21"}).status_code
        == 404
    )


def test_staffing_cost_does_not_grow_with_the_team(team, alice_client, django_assert_num_queries):
    for n in range(30):
        member = UserFactory(username=f"m{n}")
        team.members.add(member)
        AwayFactory(user=member, **local_day(member, dt.date(2026, 12, 22)))
    # the bearer token with its user, the team, its members (prefetched), their absences in the window
    with django_assert_num_queries(4):
        rows = staffing(alice_client, team)
    assert len(rows[1]["away"]) == 30
