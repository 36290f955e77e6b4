"""50 parallel writers on one absence with ``If-Match`` (SPEC §2 Concurrency), on PostgreSQL.

Each round every writer sends the same ETag; exactly one may win, the others get 412, and the
stored absence (and its history) is exactly the winners' sequence: no update is lost or merged.

Covered elsewhere and not repeated here: parallel identical by-source PUTs
(``tests/absences/test_api_by_source.py::test_sixteen_concurrent_identical_puts_leave_one_row``) and
parallel resolves claiming one auto-reply (``tests/coverage/test_reply_concurrency.py``).
"""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from absences.models import Absence, AbsenceType
from tests.absences.factories import AbsenceFactory
from tests.conftest import requires_postgres
from tests.factories import UserFactory

WRITERS = 50
ROUNDS = 3


def write_together(plaintext: str, url: str, method: str, bodies: list[dict], etag: str) -> list[tuple[int, dict]]:
    """Send every body at once (one thread and one database connection each) with ``If-Match: etag``."""
    barrier = threading.Barrier(len(bodies))
    results: list[tuple[int, dict]] = []
    errors: list[BaseException] = []

    def call(body):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
            barrier.wait(timeout=30)
            response = getattr(client, method)(url, body, format="json", HTTP_IF_MATCH=etag)
            results.append((response.status_code, body))
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == len(bodies)
    return results


@requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_fifty_writers_with_one_etag_exactly_one_wins_each_round(client_for, method):
    AbsenceType.objects.get_or_create(key="vacation", defaults={"name": "Vacation"})  # a flushed table
    owner = UserFactory(username="alice")
    absence = AbsenceFactory(user=owner, title="initial")
    client = client_for(owner, rate_limit_per_hour=10_000)
    url = f"/api/v1/absences/{absence.pk}/"
    times = {"start_at": "2026-03-02T09:00:00Z", "end_at": "2026-03-02T17:00:00Z"}
    winners = []
    for round_ in range(ROUNDS):
        etag = client.get(url)["ETag"]
        bodies = [{"title": f"round {round_} writer {i}", **(times if method == "put" else {})} for i in range(WRITERS)]
        results = write_together(client.plaintext, url, method, bodies, etag)

        statuses = sorted(status for status, _ in results)
        assert statuses == [200] + [412] * (WRITERS - 1), statuses
        (winner,) = [body["title"] for status, body in results if status == 200]
        winners.append(winner)
        assert client.get(url).json()["title"] == winner

    assert Absence.objects.get(pk=absence.pk).title == winners[-1]
    history = Absence.history.filter(id=absence.pk).order_by("history_date", "history_id")
    assert [record.title for record in history] == ["initial", *winners]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_stale_delete_loses_to_a_concurrent_update(client_for):
    AbsenceType.objects.get_or_create(key="vacation", defaults={"name": "Vacation"})  # a flushed table
    owner = UserFactory(username="alice")
    absence = AbsenceFactory(user=owner, title="initial")
    client = client_for(owner, rate_limit_per_hour=10_000)
    url = f"/api/v1/absences/{absence.pk}/"
    etag = client.get(url)["ETag"]
    writers = [{"title": f"writer {i}"} for i in range(WRITERS - 1)] + [{"delete": True}]
    barrier = threading.Barrier(len(writers))
    statuses = []

    def call(body):
        try:
            other = APIClient()
            other.credentials(HTTP_AUTHORIZATION=f"Bearer {client.plaintext}")
            barrier.wait(timeout=30)
            if body.get("delete"):
                statuses.append(("delete", other.delete(url, HTTP_IF_MATCH=etag).status_code))
            else:
                statuses.append(("patch", other.patch(url, body, format="json", HTTP_IF_MATCH=etag).status_code))
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(body,)) for body in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    wins = [kind for kind, status in statuses if status in (200, 204)]
    assert len(wins) == 1, statuses
    assert sorted(status for _, status in statuses).count(412) == WRITERS - 1
    assert Absence.objects.filter(pk=absence.pk).exists() == (wins == ["patch"])
