"""The PostgreSQL backend (config/postgresql) loads timestamps with psycopg's C loader and gives
back exactly what Django's own loader gave: aware datetimes in ``datetime.timezone.utc``."""

import datetime as dt

import pytest
from django.db import connection

from config.postgresql import base
from tests.conftest import requires_postgres
from tests.factories import UserFactory

pytestmark = [requires_postgres, pytest.mark.django_db]


def test_timestamps_come_back_aware_in_utc_to_the_microsecond():
    sent = [
        dt.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
        dt.datetime(9000, 12, 31, 23, 0, 0, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 25, 3, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT unnest(%s::timestamptz[])", [sent])
        loaded = [row[0] for row in cursor.fetchall()]

    assert loaded == sent
    assert all(value.tzinfo is dt.UTC for value in loaded)
    assert loaded[3] == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)


def test_models_read_through_the_c_loader():
    user = UserFactory()
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(connection.connection.adapters.types["timestamptz"].oid, 0)
    joined = type(user).objects.values_list("date_joined", flat=True).get(pk=user.pk)

    assert loader.__name__ == "UTCTimestamptzLoader"
    assert base._OPTIMISED.__module__ == "psycopg_binary._psycopg"  # the C loader, not the Python one
    assert joined == user.date_joined
    assert joined.tzinfo is dt.UTC
