"""POST /api/v1/events/search/: window rules, ids, colours, holidays, privacy, token limits, cost."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.calendars.factories import CalendarFactory, EventFactory, local, make_absence, make_all_day
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/search/"


def search(client, **body):
    return client.post(URL, body, format="json")


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [event["id"] for event in response.json()["events"]]


def error_attr(response) -> str:
    assert response.status_code == 400, response.content
    return response.json()["errors"][0]["attr"]


@pytest.fixture
def calendar(user, other):
    return CalendarFactory(owner=user, members=[user, other], color="#123456")


class TestWindow:
    def test_exactly_92_days_is_allowed_one_more_millisecond_is_not(self, alice_client, calendar):
        start_ms = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
        end_ms = start_ms + 92 * 86_400_000
        assert search(alice_client, start_ms=start_ms, end_ms=end_ms).status_code == 200
        response = search(alice_client, start_ms=start_ms, end_ms=end_ms + 1)
        assert error_attr(response) == "end_ms"
        assert "92 days" in response.json()["errors"][0]["detail"]

    def test_iso_edges_name_the_end_field(self, alice_client, calendar):
        ok = search(alice_client, start="2026-01-01T00:00:00Z", end="2026-04-03T00:00:00Z")
        assert ok.status_code == 200
        assert error_attr(search(alice_client, start="2026-01-01T00:00:00Z", end="2026-04-03T00:00:00.001Z")) == "end"

    def test_92_calendar_days_across_a_dst_change_are_allowed(self, alice_client, calendar):
        # Alice is in Berlin: 2026-09-01 → 2026-12-02 is 92 days on her clock, 92 days + 1 h in UTC.
        assert search(alice_client, start="2026-09-01", end="2026-12-02").status_code == 200
        assert error_attr(search(alice_client, start="2026-09-01", end="2026-12-03")) == "end"

    @pytest.mark.parametrize(
        ("body", "attr"),
        [
            ({"start": "2026-01-02", "end": "2026-01-02"}, "end"),
            ({"start": "2026-01-02", "end": "2026-01-01"}, "end"),
            ({"start_ms": 10_000, "end_ms": 5_000}, "end_ms"),
            ({"end": "2026-01-02"}, "start"),
            ({"start": "2026-01-02"}, "end"),
            ({"start": "2026-01-01", "start_ms": 1, "end": "2026-01-02"}, "start_ms"),
            ({"start": "yesterday", "end": "2026-01-02"}, "start"),
            ({"start": "2026-02-30", "end": "2026-03-02"}, "start"),
            ({"start_ms": "soon", "end": "2026-01-02"}, "start_ms"),
            ({"start_ms": 10**20, "end": "2026-01-02"}, "start_ms"),
            ({"start": "2026-01-01", "end": "2026-01-02", "users": ["nobody"]}, "users.0"),
            ({"start": "2026-01-01", "end": "2026-01-02", "calendars": ["x"]}, "calendars.0"),
            ({"start": "2026-01-01", "end": "2026-01-02", "types": ["not a slug"]}, "types.0"),
            ({"start": "2026-01-01", "end": "2026-01-02", "include_holidays": "maybe"}, "include_holidays"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, alice_client, calendar, body, attr):
        response = search(alice_client, **body)
        assert error_attr(response) == attr
        assert response.json()["type"] == "validation_error"

    def test_milliseconds_and_iso_give_the_same_events(self, alice_client, calendar, other):
        make_absence(other, local("UTC", 2026, 3, 2, 9), local("UTC", 2026, 3, 2, 17))
        make_absence(other, local("UTC", 2026, 3, 6, 13), local("UTC", 2026, 3, 6, 15), recurrence="FREQ=WEEKLY")
        start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        end = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
        by_iso = search(alice_client, start="2026-03-01T01:00:00+01:00", end="2026-04-01T00:00:00Z")
        by_ms = search(alice_client, start_ms=int(start.timestamp() * 1000), end_ms=int(end.timestamp() * 1000))
        assert by_iso.json() == by_ms.json()
        assert len(ids(by_ms)) == 1 + 4

    def test_naive_datetimes_and_dates_are_read_in_the_callers_zone(self, alice_client, calendar, other):
        make_absence(other, local("UTC", 2026, 11, 6, 10), local("UTC", 2026, 11, 6, 11))
        # 11:30 in Berlin is 10:30 UTC: the absence is still running then.
        assert ids(search(alice_client, start="2026-11-06T11:30:00", end="2026-11-07")) == [
            f"absence-{other.absences.get().pk}"
        ]
        assert ids(search(alice_client, start="2026-11-06T11:30:00Z", end="2026-11-07")) == []
        # A date is local midnight: 2026-11-06 in Berlin starts at 23:00 UTC the day before.
        assert len(ids(search(alice_client, start="2026-11-05", end="2026-11-06"))) == 0
        make_absence(other, local("UTC", 2026, 11, 5, 23, 30), local("UTC", 2026, 11, 5, 23, 45))
        assert len(ids(search(alice_client, start="2026-11-06", end="2026-11-07"))) == 2


class TestResults:
    def test_event_shape_ids_colours_and_order(self, alice_client, calendar, user, other):
        one_off = make_absence(other, local("UTC", 2026, 11, 10, 9), local("UTC", 2026, 11, 10, 12), title="Dentist")
        series = make_absence(
            user,
            local(user, 2026, 11, 6, 13),
            local(user, 2026, 11, 6, 15),
            type="training",
            recurrence="FREQ=DAILY;COUNT=2",
        )
        event = EventFactory(calendar=calendar, type="release", title="Release", start_at=local("UTC", 2026, 11, 6, 8))
        response = search(alice_client, start="2026-11-01", end="2026-12-01")
        events = response.json()["events"]
        assert [e["id"] for e in events] == [
            f"event-{event.pk}",
            f"absence-{series.pk}-20261106",
            f"absence-{series.pk}-20261107",
            f"absence-{one_off.pk}",
        ]
        assert events[0] == {
            "id": f"event-{event.pk}",
            "kind": "event",
            "calendar": calendar.pk,
            "type": "release",
            "title": "Release",
            "user": None,
            "start_at": "2026-11-06T08:00:00Z",
            "end_at": "2026-11-06T09:00:00Z",
            "all_day": False,
            "color": "#123456",
        }
        assert events[1]["start_at"] == "2026-11-06T12:00:00Z"
        assert events[1]["title"] == "Training"
        assert events[1]["color"] == "#9c36b5"
        assert events[3]["user"]["username"] == "bob"
        assert events[3]["title"] == "Dentist"
        assert events[3]["kind"] == "absence"
        assert events[3]["calendar"] == calendar.pk

    def test_absence_colour_comes_from_its_type(self, alice_client, calendar, other):
        from absences.models import AbsenceType

        AbsenceType.objects.filter(key="trip").update(color="#abcdef")
        make_absence(other, local("UTC", 2026, 11, 10, 9), local("UTC", 2026, 11, 10, 12), type="trip")
        (event,) = search(alice_client, start="2026-11-01", end="2026-12-01").json()["events"]
        assert event["color"] == "#abcdef"
        assert event["type"] == "trip"

    def test_recurring_series_keep_local_time_across_dst(self, alice_client, user, other):
        other.timezone = "America/New_York"
        other.save()
        CalendarFactory(owner=user, members=[user, other])
        berlin = make_absence(
            user,
            local(user, 2026, 10, 16, 13),
            local(user, 2026, 10, 16, 14),
            recurrence="FREQ=WEEKLY;BYDAY=FR",
            recurrence_exceptions=["2026-10-23"],
        )
        new_york = make_absence(
            other, local(other, 2026, 10, 30, 9), local(other, 2026, 10, 30, 10), recurrence="FREQ=WEEKLY;COUNT=3"
        )
        events = search(alice_client, start="2026-10-12", end="2026-11-14").json()["events"]
        found = {e["id"]: e["start_at"] for e in events}
        assert found == {
            f"absence-{berlin.pk}-20261016": "2026-10-16T11:00:00Z",  # CEST
            f"absence-{berlin.pk}-20261030": "2026-10-30T12:00:00Z",  # CET: still 13:00 in Berlin
            f"absence-{berlin.pk}-20261106": "2026-11-06T12:00:00Z",
            f"absence-{berlin.pk}-20261113": "2026-11-13T12:00:00Z",
            f"absence-{new_york.pk}-20261030": "2026-10-30T13:00:00Z",  # EDT
            f"absence-{new_york.pk}-20261106": "2026-11-06T14:00:00Z",  # EST: still 09:00 in New York
            f"absence-{new_york.pk}-20261113": "2026-11-13T14:00:00Z",
        }

    def test_all_day_absences_span_local_days(self, alice_client, calendar, other):
        other.timezone = "America/New_York"
        other.save()
        absence = make_all_day(other, dt.date(2026, 11, 2), dt.date(2026, 11, 3))
        (event,) = search(alice_client, start="2026-11-01", end="2026-11-30").json()["events"]
        assert event["id"] == f"absence-{absence.pk}"
        assert event["all_day"] is True
        assert (event["start_at"], event["end_at"]) == ("2026-11-02T05:00:00Z", "2026-11-04T05:00:00Z")

    def test_calendar_absence_types_limit_what_it_shows(self, alice_client, user, other):
        from absences.models import AbsenceType

        calendar = CalendarFactory(owner=user, members=[other], absence_types=[AbsenceType.objects.get(key="trip")])
        trip = make_absence(other, local("UTC", 2026, 11, 2, 9), local("UTC", 2026, 11, 2, 12), type="trip")
        make_absence(other, local("UTC", 2026, 11, 3, 9), local("UTC", 2026, 11, 3, 12), type="vacation")
        response = search(alice_client, calendars=[calendar.pk], start="2026-11-01", end="2026-11-30")
        assert ids(response) == [f"absence-{trip.pk}"]

    def test_users_and_types_narrow_the_search(self, alice_client, calendar, user, other):
        mine = make_absence(user, local("UTC", 2026, 11, 2, 9), local("UTC", 2026, 11, 2, 12))
        theirs = make_absence(other, local("UTC", 2026, 11, 3, 9), local("UTC", 2026, 11, 3, 12), type="trip")
        meeting = EventFactory(calendar=calendar, type="meeting", start_at=local("UTC", 2026, 11, 4, 9))
        window = {"start": "2026-11-01", "end": "2026-11-30"}
        assert ids(search(alice_client, users=["bob"], **window)) == [f"absence-{theirs.pk}", f"event-{meeting.pk}"]
        assert ids(search(alice_client, users=["me"], types=["vacation"], **window)) == [f"absence-{mine.pk}"]
        assert ids(search(alice_client, types=["meeting", "trip"], **window)) == [
            f"absence-{theirs.pk}",
            f"event-{meeting.pk}",
        ]
        everything = [f"absence-{mine.pk}", f"absence-{theirs.pk}", f"event-{meeting.pk}"]
        assert ids(search(alice_client, calendars=[], users=[], types=[], **window)) == everything

    def test_all_day_events_span_the_readers_days(self, alice_client, calendar, client_for, other):
        EventFactory(
            calendar=calendar,
            all_day=True,
            start_date=dt.date(2026, 11, 20),
            end_date=dt.date(2026, 11, 20),
            start_at=local("UTC", 2026, 11, 20, 0),
            end_at=local("UTC", 2026, 11, 21, 0),
        )
        (for_alice,) = search(alice_client, start="2026-11-01", end="2026-11-30").json()["events"]
        assert (for_alice["start_at"], for_alice["all_day"]) == ("2026-11-19T23:00:00Z", True)
        (for_bob,) = search(client_for(other), start="2026-11-01", end="2026-11-30").json()["events"]
        assert for_bob["start_at"] == "2026-11-20T00:00:00Z"


class TestHolidays:
    def test_holidays_of_members_regions_keyed_by_country_or_subdivision(self, alice_client, user):
        bavarian = UserFactory(holiday_country="DE", holiday_subdivision="BY")
        berliner = UserFactory(holiday_country="DE", holiday_subdivision="BE")
        new_yorker = UserFactory(holiday_country="US", holiday_subdivision="NY", timezone="America/New_York")
        calendar = CalendarFactory(owner=user, members=[bavarian, berliner, new_yorker])
        body = {"calendars": [calendar.pk], "start": "2026-10-01", "end": "2026-12-31"}
        assert ids(search(alice_client, **body)) == []
        events = search(alice_client, include_holidays=True, **body).json()["events"]
        assert [e["id"] for e in events] == [
            "holiday-DE-2026-10-03",
            "holiday-US-2026-10-12",
            "holiday-DE-BY-2026-11-01",
            "holiday-US-NY-2026-11-03",
            "holiday-US-2026-11-11",
            "holiday-US-2026-11-26",
            "holiday-DE-2026-12-25",
            "holiday-US-2026-12-25",
            "holiday-DE-2026-12-26",
        ]
        all_saints = events[2]
        assert all_saints == {
            "id": "holiday-DE-BY-2026-11-01",
            "kind": "holiday",
            "calendar": None,
            "type": "holiday",
            "title": "All Saints' Day",
            "user": None,
            "start_at": "2026-10-31T23:00:00Z",  # midnight in the reader's (Berlin) zone
            "end_at": "2026-11-01T23:00:00Z",
            "all_day": True,
            "color": "#dc2626",
        }

    def test_users_narrow_the_holiday_regions(self, alice_client, user):
        bavarian = UserFactory(holiday_country="DE", holiday_subdivision="BY")
        new_yorker = UserFactory(holiday_country="US", holiday_subdivision="NY")
        CalendarFactory(owner=user, members=[bavarian, new_yorker])
        body = {"start": "2026-11-01", "end": "2026-11-04", "include_holidays": True}
        assert ids(search(alice_client, users=[bavarian.username], **body)) == ["holiday-DE-BY-2026-11-01"]
        assert ids(search(alice_client, **body)) == ["holiday-DE-BY-2026-11-01", "holiday-US-NY-2026-11-03"]


class TestVisibilityAndPrivacy:
    def test_private_absences_show_as_away_to_others(self, client_for, user, other, staff):
        lead = UserFactory(username="lead")
        TeamFactory(members=[user], leads=[lead])
        calendar = CalendarFactory(owner=user, members=[user], is_public=True)
        sick = make_absence(
            user, local("UTC", 2026, 11, 2, 9), local("UTC", 2026, 11, 2, 12), type="sickness", title="Flu"
        )
        body = {"calendars": [calendar.pk], "start": "2026-11-01", "end": "2026-11-30"}
        hidden = search(client_for(other), **body).json()["events"]
        assert [(e["id"], e["type"], e["title"], e["color"]) for e in hidden] == [
            (f"absence-{sick.pk}", "away", "Away", "#9ca3af")
        ]
        for viewer in (user, lead, staff):
            (shown,) = search(client_for(viewer), **body).json()["events"]
            assert (shown["type"], shown["title"]) == ("sickness", "Flu")
        # Filtering by the real type must not reveal the hidden one.
        assert ids(search(client_for(other), types=["sickness"], **body)) == []
        assert ids(search(client_for(other), types=["away"], **body)) == [f"absence-{sick.pk}"]

    def test_without_calendars_the_caller_sees_visible_people_and_visible_calendars(self, client_for, user, other):
        lead = UserFactory(username="lead")
        TeamFactory(members=[other], leads=[lead])
        stranger = UserFactory(username="stranger")
        public_member = UserFactory(username="public")
        CalendarFactory(owner=stranger, members=[public_member], is_public=True)
        CalendarFactory(owner=stranger, members=[stranger])  # private: not for the lead
        theirs = make_absence(other, local("UTC", 2026, 11, 2, 9), local("UTC", 2026, 11, 2, 12))
        make_absence(stranger, local("UTC", 2026, 11, 3, 9), local("UTC", 2026, 11, 3, 12))
        public = make_absence(public_member, local("UTC", 2026, 11, 4, 9), local("UTC", 2026, 11, 4, 12))
        body = {"start": "2026-11-01", "end": "2026-11-30"}
        lead_view = search(client_for(lead), **body).json()["events"]
        assert [(e["id"], e["calendar"]) for e in lead_view] == [
            (f"absence-{theirs.pk}", None),
            (f"absence-{public.pk}", lead_view[1]["calendar"]),
        ]
        assert ids(search(client_for(user), **body)) == [f"absence-{public.pk}"]

    def test_admin_sees_everyone(self, client_for, staff, user, other):
        a = make_absence(user, local("UTC", 2026, 11, 2, 9), local("UTC", 2026, 11, 2, 12))
        b = make_absence(other, local("UTC", 2026, 11, 3, 9), local("UTC", 2026, 11, 3, 12))
        assert ids(search(client_for(staff), start="2026-11-01", end="2026-11-30")) == [
            f"absence-{a.pk}",
            f"absence-{b.pk}",
        ]

    def test_a_calendar_not_visible_is_a_404(self, alice_client, other):
        hidden = CalendarFactory(owner=other)
        response = search(alice_client, calendars=[hidden.pk], start="2026-11-01", end="2026-11-30")
        assert response.status_code == 404
        assert response.json()["type"] == "client_error"
        assert search(alice_client, calendars=[999_999], start="2026-11-01", end="2026-11-30").status_code == 404


class TestTokenLimits:
    def test_limited_token_searches_only_its_calendars(self, token_client, user, other):
        allowed = CalendarFactory(owner=user, members=[other])
        forbidden = CalendarFactory(owner=user, members=[user])
        theirs = make_absence(other, local("UTC", 2026, 11, 2, 9), local("UTC", 2026, 11, 2, 12))
        make_absence(user, local("UTC", 2026, 11, 3, 9), local("UTC", 2026, 11, 3, 12))
        meeting = EventFactory(calendar=allowed, start_at=local("UTC", 2026, 11, 5, 9))
        EventFactory(calendar=forbidden, start_at=local("UTC", 2026, 11, 6, 9))
        client = token_client(user, [allowed.pk])
        body = {"start": "2026-11-01", "end": "2026-11-30"}
        assert ids(search(client, **body)) == [f"absence-{theirs.pk}", f"event-{meeting.pk}"]
        assert ids(search(client, calendars=[allowed.pk], **body)) == [f"absence-{theirs.pk}", f"event-{meeting.pk}"]
        assert search(client, calendars=[forbidden.pk], **body).status_code == 404
        assert search(client, calendars=[allowed.pk, forbidden.pk], **body).status_code == 404


def test_query_count_is_flat_as_members_grow(client_for, user):
    def measure(members: int) -> int:
        people = [
            UserFactory(holiday_country="DE", holiday_subdivision="BY" if i % 2 else "BE") for i in range(members)
        ]
        team = TeamFactory(members=people[: members // 2])
        calendar = CalendarFactory(owner=user, members=people[members // 2 :], teams=[team])
        for index, person in enumerate(people):
            make_absence(person, local("UTC", 2026, 11, 2 + index % 20, 9), local("UTC", 2026, 11, 2 + index % 20, 12))
            make_absence(
                person, local("UTC", 2026, 11, 2, 13), local("UTC", 2026, 11, 2, 14), recurrence="FREQ=WEEKLY;COUNT=3"
            )
        client = client_for(user)
        body = {"calendars": [calendar.pk], "start": "2026-11-01", "end": "2026-12-01", "include_holidays": True}
        with CaptureQueriesContext(connection) as queries:
            response = search(client, **body)
        # One one-off and three weekly occurrences each, plus All Saints' Day (Bavaria) once.
        assert len(response.json()["events"]) == members * 4 + 1
        return len(queries)

    small = measure(5)
    large = measure(50)
    assert small == large
    assert large <= 12


def test_anonymous_callers_cannot_search(api_client):
    response = api_client.post(URL, {"start": "2026-11-01", "end": "2026-11-30"}, format="json")
    assert response.status_code in (401, 403)
    assert response.json()["type"] == "client_error"
