"""``ids_in``: a filter by a long list of ids, one parameter (an array on PostgreSQL, a JSON text on
SQLite), the same rows as Django's ``__in`` (and, for an empty list, no query at all)."""

import datetime as dt

import pytest

from absences.models import Absence
from config.id_lists import ids_in
from people.models import User
from tests.calendars.factories import make_absence
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)


def test_the_same_rows_as_in(django_assert_num_queries):
    people = [UserFactory() for _ in range(6)]
    for person in people:
        make_absence(person, START, START + dt.timedelta(hours=3))
    wanted = {people[0].pk, people[2].pk, people[5].pk, 10**12}  # an id nobody has, too
    by_in = set(Absence.objects.filter(user_id__in=wanted).values_list("pk", flat=True))
    assert by_in and set(ids_in(Absence.objects.all(), "user_id", wanted).values_list("pk", flat=True)) == by_in
    assert {u.pk for u in ids_in(User.objects.filter(is_active=True), "id", wanted)} == wanted - {10**12}
    with django_assert_num_queries(0):
        assert list(ids_in(User.objects.all(), "id", set())) == []


def test_many_ids_are_one_parameter(django_assert_num_queries):
    from django.db import connection

    ids = list(range(1, 501))
    with django_assert_num_queries(1) as captured:
        list(ids_in(User.objects.all(), "id", ids))
    sql = captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert "json_each(" in sql and "500" in sql


def test_more_ids_than_a_statement_may_have_variables():
    people = [UserFactory() for _ in range(3)]
    wanted = [people[1].pk, *range(10**9, 10**9 + 40_000)]  # SQLite allows 32,766 variables
    assert [u.pk for u in ids_in(User.objects.all(), "id", wanted)] == [people[1].pk]
