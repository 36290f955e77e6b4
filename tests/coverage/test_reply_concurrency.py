"""Two simultaneous resolves for the same issue: exactly one is told to reply (PostgreSQL)."""

import datetime as dt
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from absences.models import AbsenceType
from coverage.models import ReplyLog
from tests.conftest import requires_postgres
from tests.coverage.factories import AwayFactory
from tests.factories import UserFactory

URL = "/api/v1/coverage/resolve/"


def resolve_together(users, body: dict, parties: int = 2) -> list[bool]:
    barrier = threading.Barrier(parties)
    replies: list[bool] = []
    errors: list[BaseException] = []

    def call(caller):
        try:
            client = APIClient()
            client.force_login(caller)
            barrier.wait(timeout=10)
            response = client.post(URL, body, format="json")
            assert response.status_code == 200, response.content
            replies.append(response.json()["reply"])
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(users[i],)) for i in range(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return replies


@requires_postgres
@pytest.mark.django_db(transaction=True)
class TestConcurrentReplies:
    @pytest.fixture
    def world(self):
        # An earlier transactional test may have flushed the seeded types.
        AbsenceType.objects.get_or_create(key="vacation", defaults={"name": "Vacation"})
        alice = UserFactory(username="alice")
        bob = UserFactory(username="bob")
        now = dt.datetime.now(dt.UTC)
        AwayFactory(
            user=alice,
            coverer=bob,
            message="Out.",
            start_at=now - dt.timedelta(hours=1),
            end_at=now + dt.timedelta(days=2),
        )
        bots = [UserFactory(username=f"bot{i}", is_staff=True) for i in range(2)]
        return alice, bots

    @pytest.mark.parametrize("round_", range(5))
    def test_first_reply_is_claimed_once(self, world, round_):
        alice, bots = world
        replies = resolve_together(bots, {"assignee": "alice", "event": "assigned", "issue": {"key": f"OPS-{round_}"}})
        assert sorted(replies) == [False, True]
        assert ReplyLog.objects.filter(assignee=alice, issue_key=f"OPS-{round_}").count() == 1

    def test_stale_reply_is_renewed_once(self, world):
        alice, bots = world
        old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=30)
        ReplyLog.objects.create(assignee=alice, issue_key="OPS-9", replied_at=old)
        replies = resolve_together(bots, {"assignee": "alice", "event": "assigned", "issue": {"key": "OPS-9"}})
        assert sorted(replies) == [False, True]
        assert ReplyLog.objects.get(assignee=alice, issue_key="OPS-9").replied_at > old
