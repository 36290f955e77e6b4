"""The absences change feed over the API: order, tombstones, rollbacks, visibility, cursors, expiry."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from absences.changes import RETENTION, changes_prune, encode_cursor
from absences.models import AbsenceChange
from absences.services import absence_create, absence_delete, absence_update
from absences.tasks import prune_changes
from config.errors import DomainError

URL = "/api/v1/absences/changes/"


def read(client, cursor="", **params):
    response = client.get(URL, {"cursor": cursor, **params})
    assert response.status_code == 200, response.json()
    return response.json()


def read_all(client, cursor="", limit=100):
    """Follow next_cursor until a page is empty; returns (changes, last cursor)."""
    found = []
    while True:
        page = read(client, cursor, limit=limit)
        found += page["changes"]
        cursor = page["next_cursor"]
        if not page["changes"]:
            return found, cursor


def ops(changes):
    return [(change["op"], change["id"]) for change in changes]


@pytest.mark.django_db
def test_create_update_delete_appear_in_order_with_the_absence_as_written(alice_client, user, march):
    first = absence_create(user=user, title="Ski trip", start_at=march, end_at=march + dt.timedelta(days=2))
    second = absence_create(user=user, type="training", start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 4, 3))
    absence_update(absence=first, title="Ski trip (moved)")
    first_id = first.pk
    absence_delete(absence=first)

    page = read(alice_client)

    assert ops(page["changes"]) == [
        ("upsert", first_id),
        ("upsert", second.pk),
        ("upsert", first_id),
        ("delete", first_id),
    ]
    created, all_day, updated, deleted = page["changes"]
    assert created["absence"]["title"] == "Ski trip"
    assert created["absence"]["start_at"] == "2026-03-02T09:00:00Z"
    assert created["absence"]["user"]["username"] == "alice"
    assert all_day["absence"]["all_day"] is True and all_day["absence"]["start_date"] == "2026-04-01"
    assert updated["absence"]["title"] == "Ski trip (moved)"
    assert deleted["absence"] is None
    assert all(change["at"].endswith("Z") for change in page["changes"])
    assert "state" not in created["absence"] and "warnings" not in created["absence"]


@pytest.mark.django_db
def test_next_cursor_continues_after_the_last_change_and_is_stable_when_nothing_happens(alice_client, user, march):
    absence_create(user=user, start_at=march, end_at=march + dt.timedelta(hours=3))
    page = read(alice_client)
    assert len(page["changes"]) == 1

    empty = read(alice_client, page["next_cursor"])
    assert empty == {"changes": [], "next_cursor": page["next_cursor"]}

    later = absence_create(user=user, start_at=march + dt.timedelta(days=1), end_at=march + dt.timedelta(days=2))
    assert ops(read(alice_client, page["next_cursor"])["changes"]) == [("upsert", later.pk)]


@pytest.mark.django_db
def test_pages_follow_the_limit_and_together_hold_every_change_once(alice_client, user, march):
    created = [
        absence_create(user=user, start_at=march + dt.timedelta(days=i), end_at=march + dt.timedelta(days=i, hours=1))
        for i in range(7)
    ]
    first = read(alice_client, limit=3)
    assert len(first["changes"]) == 3

    changes, _ = read_all(alice_client, limit=3)

    assert [change["id"] for change in changes] == [absence.pk for absence in created]


@pytest.mark.django_db
def test_rolled_back_writes_never_appear(alice_client, user, march):
    with pytest.raises(RuntimeError), transaction.atomic():
        absence_create(user=user, title="Never happened", start_at=march, end_at=march + dt.timedelta(hours=1))
        raise RuntimeError("the caller's transaction fails after the write")
    with pytest.raises(DomainError):
        absence_create(user=user, title="Invalid", start_at=march, end_at=march - dt.timedelta(hours=1))
    kept = absence_create(user=user, title="Real", start_at=march, end_at=march + dt.timedelta(hours=1))

    changes, _ = read_all(alice_client)

    assert [(change["id"], change["absence"]["title"]) for change in changes] == [(kept.pk, "Real")]


@pytest.mark.django_db
def test_callers_see_changes_of_absences_they_may_see_including_tombstones(
    client_for, user, other, lead, team, staff, march
):
    mine = absence_create(user=user, start_at=march, end_at=march + dt.timedelta(hours=1))
    theirs = absence_create(user=other, start_at=march, end_at=march + dt.timedelta(hours=1))
    mine_id = mine.pk
    absence_delete(absence=mine)

    assert ops(read_all(client_for(user))[0]) == [("upsert", mine_id), ("delete", mine_id)]
    assert ops(read_all(client_for(other))[0]) == [("upsert", theirs.pk)]
    # Alice's team lead sees her absences (and their tombstones), not Bob's.
    assert ops(read_all(client_for(lead))[0]) == [("upsert", mine_id), ("delete", mine_id)]
    assert ops(read_all(client_for(staff))[0]) == [("upsert", mine_id), ("upsert", theirs.pk), ("delete", mine_id)]


@pytest.mark.django_db
def test_an_absence_moved_to_someone_else_is_a_tombstone_for_the_previous_owner(client_for, user, other, march):
    absence = absence_create(user=other, title="Handover", start_at=march, end_at=march + dt.timedelta(hours=1))
    bob = client_for(other)
    _, cursor = read_all(bob)

    absence_update(absence=absence, user=user)

    assert ops(read(bob, cursor)["changes"]) == [("delete", absence.pk)]
    alice_sees = read_all(client_for(user))[0]
    assert ops(alice_sees) == [("upsert", absence.pk)]
    assert alice_sees[0]["absence"]["user"]["username"] == "alice"


@pytest.mark.django_db
def test_a_cursor_older_than_the_kept_history_is_410_and_an_empty_cursor_starts_at_the_oldest_kept(
    alice_client, user, march
):
    with time_machine.travel(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), tick=False):
        old = absence_create(user=user, start_at=march, end_at=march + dt.timedelta(hours=1))
        absence_update(absence=old, title="Edited in January")
        stale_cursor = read(alice_client, limit=1)["next_cursor"]
    with time_machine.travel(dt.datetime(2026, 1, 5, tzinfo=dt.UTC) + RETENTION + dt.timedelta(days=1), tick=False):
        fresh = absence_create(user=user, start_at=march, end_at=march + dt.timedelta(hours=2))
        assert prune_changes.delay().get() == 2

        response = alice_client.get(URL, {"cursor": stale_cursor})
        assert response.status_code == 410
        assert response.json() == {
            "type": "client_error",
            "errors": [{"code": "cursor_expired", "detail": response.json()["errors"][0]["detail"], "attr": None}],
        }
        assert ops(read(alice_client)["changes"]) == [("upsert", fresh.pk)]


@pytest.mark.django_db
def test_pruning_keeps_90_days_and_always_the_newest_change(user, march):
    with time_machine.travel(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), tick=False):
        absence = absence_create(user=user, start_at=march, end_at=march + dt.timedelta(hours=1))
        absence_update(absence=absence, title="Second")
    now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    assert changes_prune(now=now + RETENTION - dt.timedelta(seconds=1)) == 0
    assert changes_prune(now=now + RETENTION + dt.timedelta(days=30)) == 1
    assert changes_prune(now=now + RETENTION + dt.timedelta(days=30)) == 0
    assert list(AbsenceChange.objects.values_list("op", "snapshot__title")) == [("upsert", "Second")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": encode_cursor(10**6)}, "cursor"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_bad_cursor_and_limit_are_400(alice_client, params, attr):
    response = alice_client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error" and body["errors"][0]["attr"] == attr


@pytest.mark.django_db
def test_anonymous_callers_get_401_or_403(api_client):
    assert api_client.get(URL).status_code in (401, 403)


@pytest.mark.django_db
def test_the_feed_costs_the_same_queries_for_a_short_and_a_long_page(
    alice_client, user, march, django_assert_max_num_queries
):
    for index in range(40):
        absence_create(
            user=user, start_at=march + dt.timedelta(days=index), end_at=march + dt.timedelta(days=index + 1)
        )
    with django_assert_max_num_queries(10):
        assert len(read(alice_client, limit=2)["changes"]) == 2
    with django_assert_max_num_queries(10):
        assert len(read(alice_client, limit=1000)["changes"]) == 40


@pytest.mark.django_db
def test_the_change_feed_is_in_the_schema(alice_client):
    schema = alice_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/absences/changes/"]["get"]
    assert {param["name"] for param in operation["parameters"]} >= {"cursor", "limit"}
    assert "410" in operation["responses"]


@pytest.mark.django_db
def test_writes_through_the_api_reach_the_feed(alice_client):
    created = alice_client.post(
        "/api/v1/absences/", {"title": "API", "start_date": "2026-05-04", "end_date": "2026-05-05"}, format="json"
    ).json()
    alice_client.patch(f"/api/v1/absences/{created['id']}/", {"title": "API (edited)"}, format="json")
    synced = alice_client.put(
        "/api/v1/absences/by-source/hr/77/", {"start_date": "2026-06-01", "end_date": "2026-06-01"}, format="json"
    ).json()
    assert alice_client.delete(f"/api/v1/absences/{created['id']}/").status_code == 204

    changes, _ = read_all(alice_client)

    assert ops(changes) == [
        ("upsert", created["id"]),
        ("upsert", created["id"]),
        ("upsert", synced["id"]),
        ("delete", created["id"]),
    ]
    assert changes[1]["absence"]["title"] == "API (edited)"
    assert (changes[2]["absence"]["source"], changes[2]["absence"]["source_id"]) == ("hr", "77")
