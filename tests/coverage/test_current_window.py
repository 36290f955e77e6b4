"""coverage/current at the edges of absences: the window query ("who is away at ``at``") agrees with
availability on both backends (a stored range with a GiST index on PostgreSQL, btrees on SQLite)."""

import datetime as dt
import re

import pytest
from django.db import connection

from absences.models import Absence
from coverage import selectors
from coverage.selectors import MAX_ABSENCE_LENGTH
from tests.coverage.factories import T0, AwayFactory, one_time
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/coverage/current/"
BERLIN_DST_START = dt.date(2026, 3, 29)  # clocks go 02:00 CET -> 03:00 CEST


def away_names(client, at: dt.datetime) -> list[str]:
    response = client.get(URL, {"at": at.isoformat()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return [row["user"]["username"] for row in body["results"]]


def availability(client, username: str, at: dt.datetime) -> bool:
    response = client.get(f"/api/v1/coverage/availability/{username}/", {"at": at.isoformat()})
    assert response.status_code == 200, response.content
    return response.json()["available"]


class TestOneOffEdges:
    def test_start_is_inside_and_end_is_outside(self, alice_client):
        AwayFactory(user=UserFactory(username="starts"), start_at=T0, end_at=T0 + dt.timedelta(hours=2))
        AwayFactory(user=UserFactory(username="ends"), start_at=T0 - dt.timedelta(hours=2), end_at=T0)
        assert away_names(alice_client, T0) == ["starts"]
        assert away_names(alice_client, T0 - dt.timedelta(microseconds=1)) == ["ends"]
        assert away_names(alice_client, T0 + dt.timedelta(hours=2)) == []

    def test_a_year_long_absence_is_found_at_its_last_moment(self, alice_client):
        start = T0 - dt.timedelta(days=366) + dt.timedelta(hours=1)
        AwayFactory(user=UserFactory(username="long"), start_at=start, end_at=start + dt.timedelta(days=366))
        last = start + dt.timedelta(days=366) - dt.timedelta(microseconds=1)
        assert away_names(alice_client, last) == ["long"]
        assert away_names(alice_client, last + dt.timedelta(microseconds=1)) == []

    def test_non_away_types_and_rule_windows(self, alice_client):
        AwayFactory(user=UserFactory(username="meeting"), type_id="meeting")
        one_time(UserFactory(username="ruled"), T0, T0 + dt.timedelta(hours=1))
        assert away_names(alice_client, T0) == ["ruled"]
        assert away_names(alice_client, T0 + dt.timedelta(hours=1)) == []


class TestSeries:
    def test_only_at_an_occurrence(self, alice_client):
        start = T0 - dt.timedelta(days=14)  # Mondays 09:00-17:00 UTC, three of them (the last on T0)
        AwayFactory(
            user=UserFactory(username="weekly", timezone="UTC"), start_at=start, recurrence="FREQ=WEEKLY;COUNT=3"
        )
        assert away_names(alice_client, T0) == ["weekly"]
        assert away_names(alice_client, T0 - dt.timedelta(days=3)) == []  # inside the series, between occurrences
        assert away_names(alice_client, T0 + dt.timedelta(hours=8)) == []  # its very end
        assert away_names(alice_client, T0 + dt.timedelta(days=7)) == []  # after it

    def test_endless_series_years_later(self, alice_client):
        first = T0 - dt.timedelta(days=7 * 400)
        AwayFactory(user=UserFactory(username="endless", timezone="UTC"), start_at=first, recurrence="FREQ=WEEKLY")
        later = T0 + dt.timedelta(days=7 * 300)
        assert away_names(alice_client, later) == ["endless"]
        assert away_names(alice_client, later - dt.timedelta(microseconds=1)) == []

    def test_an_exception_date_is_not_away(self, alice_client):
        AwayFactory(
            user=UserFactory(username="except", timezone="UTC"),
            start_at=T0 - dt.timedelta(days=7),
            recurrence="FREQ=WEEKLY",
            recurrence_exceptions=[T0.date().isoformat()],
        )
        assert away_names(alice_client, T0 - dt.timedelta(days=7)) == ["except"]
        assert away_names(alice_client, T0) == []


class TestAllDayAcrossDst:
    def test_local_midnights_on_the_day_clocks_change(self, client_for, staff):
        # An all-day absence of a Berlin user on 2026-03-29: 23:00Z the day before to 22:00Z (23 hours).
        UserFactory(username="berlin", timezone="Europe/Berlin")
        admin = client_for(staff)
        day = BERLIN_DST_START.isoformat()
        body = {"user": "berlin", "start_date": day, "end_date": day}
        created = admin.post("/api/v1/absences/", body, content_type="application/json")
        assert created.status_code == 201, created.content
        assert (created.json()["start_at"], created.json()["end_at"]) == (
            "2026-03-28T23:00:00Z",
            "2026-03-29T22:00:00Z",
        )
        assert away_names(admin, dt.datetime(2026, 3, 28, 22, 59, 59, tzinfo=dt.UTC)) == []
        assert away_names(admin, dt.datetime(2026, 3, 28, 23, tzinfo=dt.UTC)) == ["berlin"]
        assert away_names(admin, dt.datetime(2026, 3, 29, 21, 59, 59, tzinfo=dt.UTC)) == ["berlin"]
        assert away_names(admin, dt.datetime(2026, 3, 29, 22, tzinfo=dt.UTC)) == []

    def test_weekly_all_day_keeps_local_midnight_after_the_change(self, alice_client):
        berlin = UserFactory(username="berlin", timezone="Europe/Berlin")
        AwayFactory(  # Saturdays from 2026-03-21 (CET): after the change they start at 22:00Z, not 23:00Z
            user=berlin,
            all_day=True,
            start_at=dt.datetime(2026, 3, 20, 23, tzinfo=dt.UTC),
            end_at=dt.datetime(2026, 3, 21, 23, tzinfo=dt.UTC),
            recurrence="FREQ=WEEKLY;COUNT=4",
        )
        assert away_names(alice_client, dt.datetime(2026, 3, 27, 23, tzinfo=dt.UTC)) == ["berlin"]
        assert away_names(alice_client, dt.datetime(2026, 4, 3, 22, tzinfo=dt.UTC)) == ["berlin"]
        assert away_names(alice_client, dt.datetime(2026, 4, 3, 21, 59, tzinfo=dt.UTC)) == []
        assert away_names(alice_client, dt.datetime(2026, 4, 11, 22, tzinfo=dt.UTC)) == []  # after the 4th


class TestPrivateTypes:
    def test_private_absence_is_listed_as_away_and_agrees_with_availability(self, client_for):
        sick = UserFactory(username="sick")
        AwayFactory(user=sick, type_id="sickness", title="Flu", end_at=T0 + dt.timedelta(days=2))
        stranger = client_for(UserFactory(username="zed"))
        row = stranger.get(URL, {"at": T0.isoformat()}).json()["results"][0]
        assert row["user"]["username"] == "sick" and row["absence"]["type"] == "away" and row["absence"]["title"] == ""
        assert availability(stranger, "sick", T0) is False
        assert availability(stranger, "sick", T0 + dt.timedelta(days=2)) is True
        assert away_names(stranger, T0 + dt.timedelta(days=2)) == []


def test_current_agrees_with_availability_around_every_edge(alice_client):
    """Each person's row in coverage/current matches their availability, just before, at and after
    every start and end of the data above (the two answers come from different queries)."""
    people = {
        "one": [(T0, T0 + dt.timedelta(hours=3))],
        "two": [
            (T0 - dt.timedelta(days=1), T0 + dt.timedelta(hours=1)),
            (T0 + dt.timedelta(hours=1), T0 + dt.timedelta(hours=5)),
        ],
    }
    for name, spans in people.items():
        person = UserFactory(username=name, timezone="UTC")
        for start, end in spans:
            AwayFactory(user=person, start_at=start, end_at=end)
    AwayFactory(
        user=UserFactory(username="series", timezone="UTC"),
        start_at=T0 - dt.timedelta(days=7),
        recurrence="FREQ=DAILY;COUNT=9",
    )
    edges = sorted(
        {moment for spans in people.values() for span in spans for moment in span} | {T0 + dt.timedelta(hours=8)}
    )
    for edge in edges:
        for at in (edge - dt.timedelta(microseconds=1), edge, edge + dt.timedelta(microseconds=1)):
            listed = set(away_names(alice_client, at))
            for name in ("one", "two", "series"):
                assert (name in listed) == (not availability(alice_client, name, at)), (name, at)


def test_same_instant_and_rule_in_two_zones_keep_their_own_wall_time(alice_client):
    """Two weekly series starting at the same instant with the same rule, in Berlin and New York:
    after the US clock change (8 March) and before the EU one (29 March) they part by an hour."""
    start = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)  # 13:00 in Berlin, 07:00 in New York
    for name, zone in (("berlin", "Europe/Berlin"), ("newyork", "America/New_York")):
        person = UserFactory(username=name, timezone=zone)
        AwayFactory(user=person, start_at=start, end_at=start + dt.timedelta(minutes=30), recurrence="FREQ=WEEKLY")
    assert away_names(alice_client, start) == ["berlin", "newyork"]
    assert away_names(alice_client, dt.datetime(2026, 3, 16, 12, tzinfo=dt.UTC)) == ["berlin"]
    assert away_names(alice_client, dt.datetime(2026, 3, 16, 11, tzinfo=dt.UTC)) == ["newyork"]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored range is PostgreSQL's")
def test_who_is_away_now_reads_the_one_off_range_index_alone():
    """The one-off arm of "who is away now" stabs the partial SP-GiST index of migration 0008 and
    needs nothing else of the table (the user and the type are in the index)."""
    AwayFactory(user=UserFactory(username="now"), start_at=T0, end_at=T0 + dt.timedelta(hours=2))
    one_off = Absence.objects.one_off_running_at(T0, longest=MAX_ABSENCE_LENGTH).order_by().values("user_id", "type_id")
    sql, params = one_off.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using absence_one_off_period" in plan, plan
    assert list(one_off.values_list("user__username", flat=True)) == ["now"]


def _generic_plan(compiled, *values) -> str:
    """EXPLAIN of ``compiled``'s statement as the hot path runs it: prepared, with a generic plan."""
    from django.db import connections

    sql, params, _ = compiled._statement(connections["default"], "default", values)
    numbered = iter(range(1, len(params) + 1))
    prepared = re.sub("%s", lambda _: f"${next(numbered)}", sql)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")
        types = ", ".join("timestamptz" if isinstance(p, dt.datetime) else "text" for p in params)
        cursor.execute(f"PREPARE away_at({types}) AS {prepared}")
        try:
            cursor.execute(f"EXPLAIN EXECUTE away_at({', '.join(['%s'] * len(params))})", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE away_at")


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored range is PostgreSQL's")
def test_who_is_away_now_is_read_on_the_partial_range_indexes_by_a_generic_plan():
    """Prepared once, planned without knowing ``at``, the series and one-off reads still use the
    partial range indexes: their predicate (``recurrence`` empty or not) is in the SQL's text, not
    a parameter a generic plan cannot see."""
    AwayFactory(user=UserFactory(username="now"), start_at=T0, end_at=T0 + dt.timedelta(hours=2))
    weekly = UserFactory(username="weekly")
    AwayFactory(user=weekly, start_at=T0, end_at=T0 + dt.timedelta(hours=2), recurrence="FREQ=WEEKLY")
    series_plan = _generic_plan(selectors._series_running, T0)
    assert "absence_series_period" in series_plan and "$1" in series_plan, series_plan
    one_off_plan = _generic_plan(selectors._one_offs_running, T0)
    assert "absence_one_off_period" in one_off_plan and "$1" in one_off_plan, one_off_plan
    assert selectors.away_user_ids(T0 + dt.timedelta(hours=1)) == {
        Absence.objects.get(recurrence="").user_id,
        Absence.objects.exclude(recurrence="").get().user_id,
    }
