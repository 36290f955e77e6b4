"""The absence list: filters (with the exclusive end of from/to), sorting, fields, pagination, cost."""

import datetime as dt

import pytest
import time_machine

from absences.models import Absence
from tests.absences.factories import AbsenceFactory
from tests.factories import TeamFactory, UserFactory
from tokens.authentication import forget_tokens

pytestmark = pytest.mark.django_db
URL = "/api/v1/absences/"


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


@pytest.fixture
def admin_client(client_for, staff):
    return client_for(staff)


class TestWindow:
    @pytest.fixture
    def absences(self, user):
        return {
            "ends_at_from": AbsenceFactory(user=user, start_at=utc(2026, 3, 1, 8), end_at=utc(2026, 3, 2)),
            "starts_at_from": AbsenceFactory(user=user, start_at=utc(2026, 3, 2), end_at=utc(2026, 3, 2, 1)),
            "inside": AbsenceFactory(user=user, start_at=utc(2026, 3, 3, 8), end_at=utc(2026, 3, 3, 9)),
            "spans": AbsenceFactory(user=user, start_at=utc(2026, 2, 1), end_at=utc(2026, 4, 1)),
            "starts_at_to": AbsenceFactory(user=user, start_at=utc(2026, 3, 9), end_at=utc(2026, 3, 9, 8)),
        }

    def test_overlapping_from_inclusive_to_exclusive(self, alice_client, absences):
        found = ids(alice_client.get(URL, {"from": "2026-03-02T00:00:00Z", "to": "2026-03-09T00:00:00Z"}))
        expected = [absences[k].pk for k in ("spans", "starts_at_from", "inside")]
        assert found == expected

    def test_open_ended_windows(self, alice_client, absences):
        assert len(ids(alice_client.get(URL, {"from": "2026-03-09T00:00:00Z"}))) == 2
        assert ids(alice_client.get(URL, {"to": "2026-03-01T08:00:01Z"})) == [
            absences["spans"].pk,
            absences["ends_at_from"].pk,
        ]

    def test_naive_bounds_are_read_in_the_callers_zone(self, alice_client, absences):
        # Alice is in Berlin: 2026-03-02T01:00 local is 00:00Z, so the absence ending at 00:00Z is out.
        found = ids(alice_client.get(URL, {"from": "2026-03-02T01:00", "to": "2026-03-02T01:30"}))
        assert found == [absences["spans"].pk, absences["starts_at_from"].pk]

    def test_recurring_series_match_by_their_occurrences(self, alice_client, user):
        weekly = AbsenceFactory(
            user=user, start_at=utc(2026, 3, 2, 9), end_at=utc(2026, 3, 2, 10), recurrence="FREQ=WEEKLY;COUNT=10"
        )
        window = {"from": "2026-03-10T00:00:00Z", "to": "2026-03-16T09:00:00Z"}  # between two Mondays
        assert ids(alice_client.get(URL, window)) == []
        assert ids(alice_client.get(URL, {**window, "to": "2026-03-16T09:00:01Z"})) == [weekly.pk]

    def test_extreme_bounds_are_clamped_not_500(self, alice_client, absences, user):
        AbsenceFactory(user=user, recurrence="FREQ=WEEKLY;COUNT=3")
        for bounds in (
            {"from": "0001-01-01T00:00:00", "to": "9999-12-31T23:59:59"},
            {"start_at__gte": "0001-01-01T00:00:00", "end_at__lt": "9999-12-31T23:59:59"},
        ):
            assert len(ids(alice_client.get(URL, bounds))) == 6

    def test_bad_datetime_is_400(self, alice_client):
        response = alice_client.get(URL, {"from": "yesterday"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "from"


class TestFilters:
    def test_user_me_and_repeated(self, admin_client, staff, user, other, carol):
        a, b, _ = AbsenceFactory(user=user), AbsenceFactory(user=other), AbsenceFactory(user=carol)
        mine = AbsenceFactory(user=staff)
        assert ids(admin_client.get(URL, {"user": "me"})) == [mine.pk]
        assert sorted(ids(admin_client.get(f"{URL}?user=alice&user=bob@example.com"))) == sorted([a.pk, b.pk])
        response = admin_client.get(URL, {"user": "nobody"})
        assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "user"

    def test_me_is_each_caller_in_turn(self, admin_client, client_for, staff, user, other):
        """The filter's form class is built once: ``me`` must still be whoever is asking now."""
        theirs = {person.pk: AbsenceFactory(user=person).pk for person in (staff, user, other)}
        for person, client in ((staff, admin_client), (user, client_for(user)), (other, client_for(other))) * 2:
            assert ids(client.get(URL, {"user": "me"})) == [theirs[person.pk]]
            assert ids(admin_client.get(URL, {"user": ["me", person.username]})) == sorted(
                {theirs[staff.pk], theirs[person.pk]}
            )

    def test_type_repeated_and_unknown(self, alice_client, user):
        trip = AbsenceFactory(user=user, type_id="trip")
        sick = AbsenceFactory(user=user, type_id="sickness")
        AbsenceFactory(user=user)
        assert sorted(ids(alice_client.get(f"{URL}?type=trip&type=sickness"))) == sorted([trip.pk, sick.pk])
        assert alice_client.get(URL, {"type": "nope"}).json()["errors"][0]["attr"] == "type"

    def test_source_and_source_id(self, alice_client, user):
        hr1 = AbsenceFactory(user=user, source="hr", source_id="1")
        AbsenceFactory(user=user, source="hr", source_id="2")
        AbsenceFactory(user=user, source="cal", source_id="1")
        assert len(ids(alice_client.get(URL, {"source": "hr"}))) == 2
        assert ids(alice_client.get(URL, {"source": "hr", "source_id": "1"})) == [hr1.pk]

    @time_machine.travel("2026-03-10T12:00:00Z")
    def test_state_including_recurring_series(self, alice_client, user):
        past = AbsenceFactory(user=user, start_at=utc(2026, 3, 1), end_at=utc(2026, 3, 2))
        current = AbsenceFactory(user=user, start_at=utc(2026, 3, 10), end_at=utc(2026, 3, 11))
        upcoming = AbsenceFactory(user=user, start_at=utc(2026, 3, 20), end_at=utc(2026, 3, 21))
        # Weekly on Mondays 9-10 since 2 March: on Tuesday 10 March the next occurrence is upcoming.
        series_upcoming = AbsenceFactory(
            user=user, start_at=utc(2026, 3, 2, 9), end_at=utc(2026, 3, 2, 10), recurrence="FREQ=WEEKLY"
        )
        series_current = AbsenceFactory(
            user=user, start_at=utc(2026, 3, 3, 12), end_at=utc(2026, 3, 3, 13), recurrence="FREQ=DAILY;COUNT=30"
        )
        series_past = AbsenceFactory(
            user=user, start_at=utc(2026, 2, 2), end_at=utc(2026, 2, 3), recurrence="FREQ=DAILY;COUNT=2"
        )
        assert sorted(ids(alice_client.get(URL, {"state": "past"}))) == sorted([past.pk, series_past.pk])
        assert sorted(ids(alice_client.get(URL, {"state": "current"}))) == sorted([current.pk, series_current.pk])
        assert sorted(ids(alice_client.get(URL, {"state": "upcoming"}))) == sorted([upcoming.pk, series_upcoming.pk])
        listed = {a["id"]: a["state"] for a in alice_client.get(URL).json()["results"]}
        assert listed[series_upcoming.pk] == "upcoming" and listed[series_current.pk] == "current"
        assert alice_client.get(URL, {"state": "soon"}).json()["errors"][0]["attr"] == "state"

    def test_start_end_ranges_and_updated_since(self, alice_client, user):
        early = AbsenceFactory(user=user, start_at=utc(2026, 3, 1), end_at=utc(2026, 3, 5))
        late = AbsenceFactory(user=user, start_at=utc(2026, 3, 3), end_at=utc(2026, 3, 4))
        assert ids(alice_client.get(URL, {"start_at__gte": "2026-03-03T00:00:00Z"})) == [late.pk]
        assert ids(alice_client.get(URL, {"start_at__lt": "2026-03-03T00:00:00Z"})) == [early.pk]
        assert ids(alice_client.get(URL, {"end_at__gte": "2026-03-05T00:00:00Z"})) == [early.pk]
        assert ids(alice_client.get(URL, {"end_at__lt": "2026-03-05T00:00:00Z"})) == [late.pk]
        Absence.objects.filter(pk=early.pk).update(updated_at=utc(2030, 1, 1))
        assert ids(alice_client.get(URL, {"updated_at__gte": "2029-12-31T00:00:00Z"})) == [early.pk]


class TestSortFieldsPages:
    def test_default_and_explicit_sorts(self, alice_client, user):
        b = AbsenceFactory(user=user, start_at=utc(2026, 3, 2), end_at=utc(2026, 3, 9))
        a = AbsenceFactory(user=user, start_at=utc(2026, 3, 1), end_at=utc(2026, 3, 3))
        c = AbsenceFactory(user=user, start_at=utc(2026, 3, 3), end_at=utc(2026, 3, 4))
        assert ids(alice_client.get(URL)) == [a.pk, b.pk, c.pk]
        assert ids(alice_client.get(URL, {"sort": "-end_at"})) == [b.pk, c.pk, a.pk]
        assert ids(alice_client.get(URL, {"sort": "id"})) == [b.pk, a.pk, c.pk]
        for name in ("created_at", "updated_at", "-start_at"):
            assert alice_client.get(URL, {"sort": name}).status_code == 200
        response = alice_client.get(URL, {"sort": "title"})
        assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "sort"

    def test_fields_selection(self, alice_client, user):
        absence = AbsenceFactory(user=user)
        assert alice_client.get(URL, {"fields": "id,state"}).json()["results"] == [{"id": absence.pk, "state": "past"}]
        assert alice_client.get(f"{URL}{absence.pk}/", {"fields": "type"}).json() == {"type": "vacation"}
        assert alice_client.get(URL, {"fields": "id,secret"}).json()["errors"][0]["attr"] == "fields"

    def test_pagination(self, alice_client, user):
        for day in range(1, 6):
            AbsenceFactory(user=user, start_at=utc(2026, 3, day), end_at=utc(2026, 3, day, 5))
        body = alice_client.get(URL, {"page_size": 2, "page": 2}).json()
        assert body["count"] == 5 and len(body["results"]) == 2
        assert "page=3" in body["next"] and body["previous"]
        assert alice_client.get(URL, {"page_size": 501}).json()["errors"][0]["attr"] == "page_size"

    def test_query_count_is_the_same_at_10_and_500(self, client_for, staff, django_assert_max_num_queries):
        people = UserFactory.create_batch(20, holiday_country="DE")
        TeamFactory(members=people, min_available=3)
        for index in range(600):
            person = people[index % 20]
            AbsenceFactory(
                user=person,
                type_id=["vacation", "sickness", "trip"][index % 3],
                coverer=people[(index + 1) % 20],
                approval_delegate=staff,
                start_at=utc(2026, 1, 1) + dt.timedelta(hours=7 * index),
                recurrence="FREQ=WEEKLY;COUNT=5" if index % 10 == 0 else "",
            )
        client = client_for(staff)
        counts = []
        for size in (10, 500):
            forget_tokens()  # each request looks its token up (a kept lookup would make the second one cheaper)
            with django_assert_max_num_queries(4) as captured:
                assert len(client.get(URL, {"page_size": size}).json()["results"]) == size
            counts.append(len(captured.captured_queries))
        assert counts[0] == counts[1], counts
