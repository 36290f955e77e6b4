"""The change feed under concurrent writers on PostgreSQL: a reader polling while several threads
write sees every committed change exactly once, and each absence's changes in commit order."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from absences.changes import changes_page
from absences.models import Absence, AbsenceType
from absences.services import absence_create, absence_delete, absence_update
from tests.conftest import requires_postgres
from tests.factories import UserFactory

WRITERS = 6
ROUNDS = 25
START = dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC)


def _writer(number: int, user, shared_id: int, log: list, errors: list, go: threading.Event) -> None:
    try:
        go.wait()
        for index in range(ROUNDS):
            start = START + dt.timedelta(days=index)
            absence = absence_create(
                user=user, title=f"w{number}-{index}", start_at=start, end_at=start + dt.timedelta(hours=1)
            )
            log.append(("upsert", absence.pk, f"w{number}-{index}"))
            if index % 3 == 0:
                absence_update(absence=absence, title=f"w{number}-{index}-edited")
                log.append(("upsert", absence.pk, f"w{number}-{index}-edited"))
            if index % 4 == 0:
                absence_id = absence.pk
                absence_delete(absence=absence)
                log.append(("delete", absence_id, None))
            # Everyone also bumps one shared counter absence: its titles must reach the feed as 1, 2, 3…
            with transaction.atomic():
                shared = Absence.objects.select_for_update().select_related("user", "type").get(pk=shared_id)
                shared = absence_update(absence=shared, title=str(int(shared.title) + 1))
            log.append(("upsert", shared_id, shared.title))
    except Exception as exc:  # reported to the test thread
        errors.append(exc)
    finally:
        connection.close()


def _poll(viewer, seen: list, stop: threading.Event, errors: list) -> None:
    cursor = ""
    try:
        while True:
            finished = stop.is_set()
            page = changes_page(viewer=viewer, admin=True, cursor=cursor, limit=37)
            seen.extend(page.changes)
            cursor = page.next_cursor
            if finished and not page.changes:
                return
    except Exception as exc:
        errors.append(exc)
    finally:
        connection.close()


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_polling_reader_misses_nothing_sees_nothing_twice_and_keeps_commit_order():
    # An earlier transactional test may have flushed the seeded types.
    AbsenceType.objects.get_or_create(key="vacation", defaults={"name": "Vacation"})
    viewer = UserFactory(username="auditor", is_staff=True)
    users = [UserFactory(username=f"writer{number}") for number in range(WRITERS)]
    shared = absence_create(user=viewer, title="0", start_at=START, end_at=START + dt.timedelta(hours=1))
    log, seen, errors = [("upsert", shared.pk, "0")], [], []
    go, stop = threading.Event(), threading.Event()
    writers = [
        threading.Thread(target=_writer, args=(number, users[number], shared.pk, log, errors, go))
        for number in range(WRITERS)
    ]
    reader = threading.Thread(target=_poll, args=(viewer, seen, stop, errors))
    reader.start()
    for thread in writers:
        thread.start()
    go.set()
    for thread in writers:
        thread.join()
    stop.set()
    reader.join()

    assert errors == []
    received = [(c["op"], c["id"], c["absence"]["title"] if c["absence"] else None) for c in seen]
    assert len(received) == len(set(received)), "a change arrived twice"
    assert sorted(received, key=str) == sorted(log, key=str), "a change is missing (or invented)"
    counter = [int(title) for op, absence_id, title in received if absence_id == shared.pk]
    assert counter == list(range(WRITERS * ROUNDS + 1)), "the shared absence's updates are out of commit order"
    for op, absence_id, _ in received:
        if op == "delete":
            ours = [entry for entry in received if entry[1] == absence_id]
            assert ours[-1][0] == "delete", "a change of an absence came after its delete"
