"""A ``from``/``to`` window of the absence list paged by its two arms (PostgreSQL): the absences
running at ``from``, then those beginning inside the window (``AbsenceQuerySet.window_arms``).
Every page must hold what one ``&&`` over the window, sorted by ``start_at`` and id, gives, on
both sides of the seam between the arms and in both directions; on SQLite the same requests take
the btree conditions, so the expectations hold there too."""

import datetime as dt

import pytest
from django.db import connection

from absences.models import Absence
from absences.querysets import PeriodOverlaps
from tests.absences.factories import AbsenceFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/absences/"
START, END = dt.datetime(2026, 3, 10, tzinfo=dt.UTC), dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored range is PostgreSQL's")


def at(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def around(user):
    """Absences on both sides of the window's edges, of two types, with ties on ``start_at``."""
    other = UserFactory(username="carol")
    made = [
        AbsenceFactory(user=user, start_at=at(1), end_at=at(10)),  # ends exactly at from: out
        AbsenceFactory(user=user, start_at=at(1), end_at=at(10, 1)),  # running at from
        AbsenceFactory(user=other, start_at=at(1), end_at=at(25)),  # across the whole window
        AbsenceFactory(user=user, start_at=at(9, 23), end_at=at(11), type_id="sickness"),
        AbsenceFactory(user=user, start_at=at(10), end_at=at(10, 2)),  # starts exactly at from
        AbsenceFactory(user=other, start_at=at(10), end_at=at(10, 3), type_id="sickness"),  # a tie
        AbsenceFactory(user=user, start_at=at(15), end_at=at(16), type_id="trip"),
        AbsenceFactory(user=other, start_at=at(19, 23), end_at=at(21)),
        AbsenceFactory(user=user, start_at=at(20), end_at=at(21)),  # starts exactly at to: out
        # Mondays 09:00-10:00 UTC from 2 March: running at from, with occurrences inside.
        AbsenceFactory(user=user, start_at=at(2, 9), end_at=at(2, 10), recurrence="FREQ=WEEKLY"),
        # Sundays from 1 March, three times: its span crosses from, its occurrences miss the window.
        AbsenceFactory(user=other, start_at=at(1, 9), end_at=at(1, 10), recurrence="FREQ=WEEKLY;COUNT=3"),
    ]
    for index in range(12):  # enough for several pages on each side of from
        made.append(AbsenceFactory(user=other, start_at=at(5 + index % 5, index), end_at=at(12, index)))
        made.append(AbsenceFactory(user=user, start_at=at(11 + index % 6, index), end_at=at(18)))
    return made


def expected(absences, **filters) -> list[int]:
    """What the window holds, by the definition: an occurrence (or the absence) inside [from, to)."""
    from absences.recurrence import occurrences

    inside = [a for a in absences if occurrences(a, START, END) and filters.get("type", a.type_id) == a.type_id]
    return [a.pk for a in sorted(inside, key=lambda a: (a.start_at, a.pk))]


def pages(client, size: int, **params) -> tuple[list[int], int]:
    seen, number, count = [], 1, None
    while True:
        window = {"from": START.isoformat(), "to": END.isoformat()}
        response = client.get(URL, {**window, "page_size": size, "page": number, **params})
        assert response.status_code == 200, response.content
        body = response.json()
        count = body["count"] if count is None else count
        assert body["count"] == count
        seen += [row["id"] for row in body["results"]]
        if body["next"] is None:
            return seen, count
        number += 1


@pytest.mark.parametrize("size", [1, 4, 7, 50])
def test_pages_of_a_window_follow_start_at_across_the_seam(client_for, staff, around, size):
    client = client_for(staff)
    want = expected(around)
    assert 10 < len(want) < len(around)
    assert pages(client, size) == (want, len(want))
    assert pages(client, size, sort="-start_at") == (want[::-1], len(want))


def test_filters_apply_to_both_arms(client_for, staff, around, user):
    client = client_for(staff)
    want = expected(around, type="sickness")
    assert len(want) == 2
    assert pages(client, 1, type="sickness") == (want, 2)
    mine = [pk for pk in expected(around) if Absence.objects.get(pk=pk).user_id == user.pk]
    assert pages(client, 3, user="alice") == (mine, len(mine))


def test_a_page_past_the_end_is_a_404_and_an_empty_window_an_empty_page(client_for, staff, around):
    client = client_for(staff)
    count = len(expected(around))
    window = {"from": START.isoformat(), "to": END.isoformat(), "page_size": 5}
    assert client.get(URL, {**window, "page": count // 5 + 2}).status_code == 404
    assert client.get(URL, {**window, "page": 10**20}).status_code == 404
    last = client.get(URL, {**window, "page": "last"}).json()
    assert last["count"] == count and len(last["results"]) == (count % 5 or 5)
    empty = client.get(URL, {**window, "type": "training"})
    assert empty.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_other_sorts_page_the_whole_window(client_for, staff, around):
    client = client_for(staff)
    by_end = sorted((a for a in around if a.pk in set(expected(around))), key=lambda a: (a.end_at, a.pk))
    assert pages(client, 4, sort="end_at") == ([a.pk for a in by_end], len(by_end))


@pytest.mark.postgres
@on_postgres
class TestArms:
    def test_the_arms_split_the_window_without_overlap(self, around):
        windowed = Absence.objects.in_window(START, END)
        running, starting = windowed.window_arms()
        running_ids = set(running.values_list("pk", flat=True))
        starting_ids = set(starting.values_list("pk", flat=True))
        assert not running_ids & starting_ids
        assert running_ids | starting_ids == set(windowed.values_list("pk", flat=True))
        assert all(a.start_at < START for a in Absence.objects.filter(pk__in=running_ids))

    def test_a_filter_after_the_window_leaves_no_arms(self, around):
        windowed = Absence.objects.in_window(START, END)
        assert windowed.order_by("-start_at", "-pk").window_arms() is not None
        assert windowed.filter(type_id="trip").window_arms() is None
        assert Absence.objects.filter(PeriodOverlaps(START, END)).window_arms() is None

    def plan(self, queryset, *, sorts: bool = True) -> str:
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            # Without sorting, an index in start_at order is what the planner reaches for first.
            cursor.execute(f"SET LOCAL enable_sort = {'on' if sorts else 'off'}")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())

    def test_the_arms_read_their_indexes(self, around):
        running, starting = Absence.objects.in_window(START, END).window_arms()
        assert " absence_period " in self.plan(running.values("pk"))
        assert " absence_period_start " in self.plan(starting.order_by("start_at", "pk").values("pk")[:50])
        of_types = starting.filter(type_id__in=["vacation", "sickness"]).order_by().values("pk")
        with connection.cursor() as cursor:  # a few rows: the planner takes either; without the walk's
            cursor.execute("DROP INDEX absence_period_start")  # index (rolled back), only the type's fits
        assert " absence_period_type_start " in self.plan(of_types)

    def test_the_type_filter_is_one_in_list(self, client_for, staff, around):
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client_for(staff).get(URL, {"from": START.isoformat(), "to": END.isoformat(), "type": ["trip", "sickness"]})
        count = next(query["sql"] for query in captured.captured_queries if "COUNT(*)" in query["sql"])
        assert '"type_id" IN (' in count and " OR " not in count

    def test_only_the_arm_may_walk_the_start_index(self, around):
        # The partial index is for queries that state its predicate: a window's ``&&`` (which
        # implies ``period IS NOT NULL``) sorted by start_at must not walk it from the first absence.
        windowed = Absence.objects.in_window(START, END).order_by("start_at", "pk").values("pk")[:50]
        assert "absence_period_start" not in self.plan(windowed, sorts=False)
        current = Absence.objects.filter(start_at__lte=START, end_at__gt=START).order_by("start_at", "pk")[:50]
        assert "absence_period_start" not in self.plan(current.values("pk"), sorts=False)
