"""The list's ``from``/``to`` window at its edges, on both backends (a stored range with a GiST
index on PostgreSQL, btree conditions on SQLite), and its cost at page sizes 10 and 500."""

import datetime as dt

import pytest
from django.db import connection

from absences.models import Absence
from tests.absences.factories import AbsenceFactory
from tests.factories import TeamFactory, UserFactory
from tokens.authentication import forget_tokens

pytestmark = pytest.mark.django_db
URL = "/api/v1/absences/"


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def listed(client, start: dt.datetime, end: dt.datetime, **params) -> list[int]:
    response = client.get(URL, {"from": iso(start), "to": iso(end), **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return [item["id"] for item in body["results"]]


@pytest.fixture
def admin_client(client_for, staff):
    return client_for(staff)


class TestSeriesEdges:
    def test_series_ending_exactly_at_from_is_out(self, alice_client, user):
        # Mondays 09:00-10:00 UTC, three times: the last one ends 2026-03-16T10:00Z.
        weekly = AbsenceFactory(
            user=user, start_at=utc(2026, 3, 2, 9), end_at=utc(2026, 3, 2, 10), recurrence="FREQ=WEEKLY;COUNT=3"
        )
        assert weekly.series_end_at == utc(2026, 3, 16, 10)
        assert listed(alice_client, utc(2026, 3, 16, 10), utc(2026, 4, 1)) == []
        assert listed(alice_client, utc(2026, 3, 16, 9, 59), utc(2026, 4, 1)) == [weekly.pk]
        assert listed(alice_client, utc(2026, 2, 1), utc(2026, 3, 2, 9)) == []  # ends where it starts

    def test_endless_series_years_later_by_its_occurrences(self, alice_client, user):
        endless = AbsenceFactory(
            user=user, start_at=utc(2026, 3, 2, 9), end_at=utc(2026, 3, 2, 10), recurrence="FREQ=WEEKLY"
        )
        assert endless.series_end_at is None
        monday = utc(2031, 3, 3, 9)  # a Monday five years on; Berlin is on CET again, so 09:00Z
        assert listed(alice_client, monday, monday + dt.timedelta(minutes=1)) == [endless.pk]
        assert listed(alice_client, monday + dt.timedelta(hours=1), monday + dt.timedelta(days=6)) == []


class TestAllDayAcrossDst:
    def test_window_edges_at_local_midnights_of_the_change(self, client_for, staff, user):
        # Alice is in Berlin: 29 March 2026 (clocks go forward) runs 23:00Z on the 28th to 22:00Z.
        admin = client_for(staff)
        body = {"user": "alice", "start_date": "2026-03-29", "end_date": "2026-03-29", "type": "vacation"}
        created = admin.post(URL, body, content_type="application/json")
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        assert listed(admin, utc(2026, 3, 29, 22), utc(2026, 3, 31)) == []
        assert listed(admin, utc(2026, 3, 29, 21, 59), utc(2026, 3, 31)) == [pk]
        assert listed(admin, utc(2026, 3, 28), utc(2026, 3, 28, 23)) == []
        # Naive bounds are read in the caller's zone (staff: UTC by default, alice: Berlin).
        alice = client_for(user)
        local = {
            ("2026-03-30T00:00", "2026-03-30T02:00"): [],  # local midnight after: its exclusive end
            ("2026-03-29T23:59:59", "2026-03-30T02:00"): [pk],  # 21:59:59Z, an hour before UTC midnight
            ("2026-03-28T23:00", "2026-03-29T00:00"): [],  # the local hour before it starts
            ("2026-03-29T00:00", "2026-03-29T00:00:01"): [pk],
        }
        for (start, end), expected in local.items():
            found = alice.get(URL, {"from": start, "to": end})
            assert [item["id"] for item in found.json()["results"]] == expected, (start, end)


class TestPrivateAndTypes:
    def test_a_private_absence_in_the_window_is_listed_to_its_lead_by_type(self, client_for, user):
        lead = UserFactory(username="lead")
        TeamFactory(members=[user], leads=[lead])
        sick = AbsenceFactory(user=user, type_id="sickness", title="Flu")
        AbsenceFactory(user=user, type_id="trip")
        AbsenceFactory(user=UserFactory(username="outsider"), type_id="sickness")
        client = client_for(lead)
        found = client.get(URL, {"from": "2026-03-02T00:00:00Z", "to": "2026-03-03T00:00:00Z", "type": "sickness"})
        assert [(a["id"], a["type"], a["title"]) for a in found.json()["results"]] == [(sick.pk, "sickness", "Flu")]


class TestEmptyAndMoved:
    def test_an_empty_or_inverted_window_has_nothing_in_it(self, alice_client, user):
        AbsenceFactory(user=user, start_at=utc(2026, 3, 1), end_at=utc(2026, 3, 10))
        assert listed(alice_client, utc(2026, 3, 5), utc(2026, 3, 5)) == []
        assert listed(alice_client, utc(2026, 3, 6), utc(2026, 3, 4)) == []

    def test_a_moved_absence_is_found_in_its_new_window_only(self, alice_client, user):
        absence = AbsenceFactory(user=user, start_at=utc(2026, 3, 2, 9), end_at=utc(2026, 3, 2, 17))
        moved = alice_client.patch(
            f"{URL}{absence.pk}/",
            {"start_at": "2026-05-04T09:00:00Z", "end_at": "2026-05-04T17:00:00Z"},
            content_type="application/json",
        )
        assert moved.status_code == 200, moved.content
        assert listed(alice_client, utc(2026, 3, 1), utc(2026, 3, 3)) == []
        assert listed(alice_client, utc(2026, 5, 4, 16), utc(2026, 5, 5)) == [absence.pk]

    def test_a_series_made_endless_is_found_after_its_old_end(self, alice_client, user):
        series = AbsenceFactory(
            user=user, start_at=utc(2026, 3, 2, 9), end_at=utc(2026, 3, 2, 10), recurrence="FREQ=WEEKLY;COUNT=2"
        )
        later = (utc(2026, 6, 1), utc(2026, 6, 2))  # a Monday
        assert listed(alice_client, *later) == []
        changed = alice_client.patch(
            f"{URL}{series.pk}/", {"recurrence": "FREQ=WEEKLY"}, content_type="application/json"
        )
        assert changed.status_code == 200, changed.content
        assert listed(alice_client, *later) == [series.pk]


def test_window_and_type_filters_cost_the_same_at_10_and_500(client_for, staff, django_assert_num_queries):
    """The bench's list request (two types, a from/to window): five queries at any page size — the
    token, the filter's types, the window's series (checked by occurrence), the total (on PostgreSQL
    both arms of the window counted in one statement, elsewhere ``COUNT(*) OVER ()`` on the page's
    keys), the page's rows."""
    people = UserFactory.create_batch(10)
    for index in range(1100):
        AbsenceFactory(
            user=people[index % 10],
            type_id=["vacation", "sickness", "trip"][index % 3],
            coverer=people[(index + 1) % 10],
            approval_delegate=staff,
            start_at=utc(2026, 1, 1) + dt.timedelta(hours=3 * index),
            recurrence="FREQ=DAILY;COUNT=3" if index % 50 == 0 else "",
        )
    client = client_for(staff)
    params = {"type": ["vacation", "sickness"], "from": "2026-01-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"}
    client.get(URL, params)  # the token's once-a-minute usage stamp is not the list's
    counts = []
    for size in (10, 500):
        forget_tokens()  # each request looks its token up (a kept lookup would make the second one cheaper)
        with django_assert_num_queries(5) as captured:
            body = client.get(URL, {**params, "page_size": size}).json()
        assert not any("COUNT(*) AS" in query["sql"] for query in captured.captured_queries)
        assert len(body["results"]) == size and body["count"] == 2 * 1100 // 3 + 1
        counts.append(len(captured.captured_queries))
    assert counts == [5, 5]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored range exists on PostgreSQL only")
class TestStoredPeriod:
    def test_the_database_keeps_the_range_of_one_offs_and_series(self, user):
        one_off = AbsenceFactory(user=user, start_at=utc(2026, 3, 2, 9), end_at=utc(2026, 3, 2, 17))
        series = AbsenceFactory(
            user=user, start_at=utc(2026, 3, 2, 9), end_at=utc(2026, 3, 2, 10), recurrence="FREQ=WEEKLY;COUNT=2"
        )
        endless = AbsenceFactory(
            user=user, start_at=utc(2026, 3, 2, 9), end_at=utc(2026, 3, 2, 10), recurrence="FREQ=DAILY"
        )
        Absence.objects.filter(pk=one_off.pk).update(end_at=utc(2026, 3, 3))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, lower(period), upper(period), upper_inf(period) FROM absences_absence ORDER BY id"
            )
            rows = cursor.fetchall()
        assert rows == [
            (one_off.pk, utc(2026, 3, 2, 9), utc(2026, 3, 3), False),
            (series.pk, utc(2026, 3, 2, 9), utc(2026, 3, 9, 10), False),
            (endless.pk, utc(2026, 3, 2, 9), None, True),
        ]

    @pytest.mark.parametrize(("series_only", "index"), [(False, "absence_period"), (True, "absence_series_period")])
    def test_window_queries_can_use_the_gist_indexes(self, user, series_only, index):
        AbsenceFactory(user=user)
        query = Absence.objects.in_window(utc(2026, 3, 1), utc(2026, 3, 3))
        if series_only:
            query = query.exclude(recurrence="")
        sql, params = query.order_by().values("id").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert f" {index} " in plan, plan
