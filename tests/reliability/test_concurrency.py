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


def run_together(calls: list) -> list:
    """Run every ``call(client)`` at once, one thread and one database connection each; their results.

    The barrier's timeout is generous: on a loaded CI machine starting 50 threads takes a while."""
    barrier = threading.Barrier(len(calls))
    results: list = []
    errors: list[BaseException] = []

    def run(call):
        try:
            barrier.wait(timeout=120)
            results.append(call())
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert len(results) == len(calls)
    return results


def bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def write_together(plaintext: str, url: str, method: str, bodies: list[dict], etag: str) -> list[tuple[int, dict]]:
    """Send every body at once with ``If-Match: etag``; ``(status, body)`` of each."""

    def writer(body):
        client = bearer(plaintext)
        return lambda: (getattr(client, method)(url, body, format="json", HTTP_IF_MATCH=etag).status_code, body)

    return run_together([writer(body) for body in bodies])


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

    def patcher(i):
        client_i = bearer(client.plaintext)
        body = {"title": f"writer {i}"}
        return lambda: ("patch", client_i.patch(url, body, format="json", HTTP_IF_MATCH=etag).status_code)

    deleter = bearer(client.plaintext)
    calls = [patcher(i) for i in range(WRITERS - 1)]
    calls.append(lambda: ("delete", deleter.delete(url, HTTP_IF_MATCH=etag).status_code))
    statuses = run_together(calls)
    wins = [kind for kind, status in statuses if status in (200, 204)]
    assert len(wins) == 1, statuses
    losers = [status for _, status in statuses if status not in (200, 204)]
    # A writer that arrives after the winning DELETE committed finds no absence at all: a 404 (the
    # tag it holds is not even stale any more). Every other loser is a 412.
    allowed = {412, 404} if wins == ["delete"] else {412}
    assert len(losers) == WRITERS - 1 and set(losers) <= allowed, statuses
    assert Absence.objects.filter(pk=absence.pk).exists() == (wins == ["patch"])
