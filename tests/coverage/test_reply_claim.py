"""The reply claim's own transaction on PostgreSQL: one round trip, committed without waiting for the
WAL flush, and nothing of it left behind on the connection (settings, an open or failed transaction)."""

import datetime as dt
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction
from psycopg.pq import TransactionStatus

from coverage import services
from coverage.models import ReplyLog
from coverage.services import reply_claim
from tests.conftest import requires_postgres
from tests.factories import UserFactory

NOW = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def show(setting: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        return cursor.fetchone()[0]


def claim(user, key: str, now: dt.datetime = NOW) -> bool:
    return reply_claim(assignee=user, issue_key=key, now=now, interval_hours=24)


@requires_postgres
@pytest.mark.django_db(transaction=True)
class TestOutsideATransaction:
    def test_claimed_once_per_interval_and_committed(self):
        ann = UserFactory(username="ann")
        with mock.patch.object(services, "_claim_without_flush_wait", wraps=services._claim_without_flush_wait) as spy:
            assert [claim(ann, "OPS-1"), claim(ann, "OPS-1"), claim(ann, "OPS-2")] == [True, False, True]
        assert spy.call_count == 3
        assert claim(ann, "OPS-1", NOW + dt.timedelta(hours=25)) is True  # stale: renewed
        assert connection.connection.info.transaction_status == TransactionStatus.IDLE
        assert show("synchronous_commit") == "on"  # SET LOCAL ended with the claim's transaction
        assert ReplyLog.objects.get(assignee=ann, issue_key="OPS-1").replied_at == NOW + dt.timedelta(hours=25)

    def test_a_failed_claim_leaves_the_connection_usable(self):
        ghost = UserFactory.build(id=2**40)  # no such row: the foreign key refuses it
        with pytest.raises(IntegrityError):
            claim(ghost, "OPS-1")
        assert connection.connection.info.transaction_status == TransactionStatus.IDLE
        assert connection.get_autocommit()
        ann = UserFactory(username="ann")
        assert claim(ann, "OPS-1") is True
        assert show("synchronous_commit") == "on"


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_claim_is_part_of_it():
    ann = UserFactory(username="ann")
    with (
        pytest.raises(RuntimeError),
        transaction.atomic(),
        mock.patch.object(services, "_claim_without_flush_wait") as spy,
    ):
        assert claim(ann, "OPS-1") is True
        raise RuntimeError("roll back")
    assert not spy.called and not ReplyLog.objects.exists()
    with transaction.atomic():
        assert claim(ann, "OPS-1") is True
    assert ReplyLog.objects.filter(assignee=ann, issue_key="OPS-1").exists()
