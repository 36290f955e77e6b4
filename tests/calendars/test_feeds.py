"""ICS feeds: RFC 5545 output read back with icalendar, expanded with recurring-ical-events (an
independent implementation) and compared with the event search; keys, rotation, privacy, tokens."""

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import time_machine

from calendars.models import Calendar
from tests.calendars.factories import CalendarFactory, EventFactory, local, make_absence, make_all_day
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2026, 9, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def feed_spans(cal: icalendar.Calendar, zones: dict[str, ZoneInfo]) -> dict[str, set]:
    """Occurrences per UID from recurring-ical-events: UTC pairs, or local date pairs for all-day."""
    found = defaultdict(set)
    for vevent in recurring_ical_events.of(cal).between(START, END):
        uid = str(vevent["UID"]).removesuffix("@standin")
        start, end = vevent["DTSTART"].dt, vevent["DTEND"].dt
        if isinstance(start, dt.datetime):
            found[uid].add((start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
        else:
            found[uid].add((start, end))
    return dict(found)


def search_spans(client, zones: dict[str, ZoneInfo], reader_zone: ZoneInfo, **body) -> dict[str, set]:
    """The same from the event search: all-day items as the local dates they cover."""
    response = client.post(
        "/api/v1/events/search/", {"start": START.isoformat(), "end": END.isoformat(), **body}, format="json"
    )
    assert response.status_code == 200, response.content
    found = defaultdict(set)
    for event in response.json()["events"]:
        uid = "-".join(event["id"].split("-")[:2])
        start = dt.datetime.fromisoformat(event["start_at"])
        end = dt.datetime.fromisoformat(event["end_at"])
        if event["all_day"]:
            zone = zones[event["user"]["username"]] if event["user"] else reader_zone
            found[uid].add((start.astimezone(zone).date(), end.astimezone(zone).date()))
        else:
            found[uid].add((start, end))
    return dict(found)


@pytest.fixture
def people(user, other):
    other.timezone = "America/New_York"
    other.save()
    return {"alice": ZoneInfo("Europe/Berlin"), "bob": ZoneInfo("America/New_York")}


@pytest.fixture
def series(user, other):
    """Recurring and one-off absences around the DST changes of Berlin (25 Oct) and New York (1 Nov)."""
    return [
        # Fridays 13:00-14:00 Berlin time, one Friday skipped by date.
        make_absence(
            user,
            local(user, 2026, 10, 2, 13),
            local(user, 2026, 10, 2, 14),
            recurrence="FREQ=WEEKLY;BYDAY=FR",
            recurrence_exceptions=["2026-10-23"],
        ),
        # Weekdays 08:00-08:30 Berlin time until 3 Nov, bounded by a UTC UNTIL.
        make_absence(
            user,
            local(user, 2026, 10, 19, 8),
            local(user, 2026, 10, 19, 8, 30),
            type="training",
            recurrence="FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20261103T070000Z",
        ),
        # Fridays 09:00-10:30 New York time, two skipped: by an aware and by a naive local datetime.
        make_absence(
            other,
            local(other, 2026, 10, 2, 9),
            local(other, 2026, 10, 2, 10, 30),
            type="trip",
            recurrence="FREQ=WEEKLY;BYDAY=FR;COUNT=8",
            recurrence_exceptions=["2026-10-16T13:00:00Z", "2026-11-13T09:00:00"],
        ),
        # All-day: Wednesday and Thursday every week in New York, one week skipped.
        make_all_day(
            other,
            dt.date(2026, 10, 7),
            dt.date(2026, 10, 8),
            recurrence="FREQ=WEEKLY;UNTIL=20261120T000000Z",
            recurrence_exceptions=["2026-11-04"],
        ),
        # All-day every second Tuesday in Berlin, endless.
        make_all_day(
            user, dt.date(2026, 10, 13), dt.date(2026, 10, 13), type="other", recurrence="FREQ=WEEKLY;INTERVAL=2"
        ),
        # One-offs.
        make_all_day(other, dt.date(2026, 10, 30), dt.date(2026, 11, 2)),
        make_absence(user, local(user, 2026, 10, 24, 22), local(user, 2026, 10, 25, 6), type="other"),
    ]


def test_calendar_feed_expands_to_exactly_what_the_search_returns(
    alice_client, api_client, user, other, people, series
):
    calendar = CalendarFactory(owner=user, members=[user, other])
    EventFactory(calendar=calendar, start_at=local(user, 2026, 11, 3, 10), end_at=local(user, 2026, 11, 3, 11))
    expected = search_spans(alice_client, people, people["alice"], calendars=[calendar.pk])
    cal = parse(api_client.get(f"/api/v1/calendars/{calendar.pk}/feed.ics", {"key": calendar.feed_key}))
    assert feed_spans(cal, people) == expected
    # The search saw every absence and the expansion is not trivially empty.
    assert {uid for uid in expected if uid.startswith("absence")} == {f"absence-{a.pk}" for a in series}
    assert len(expected[f"absence-{series[0].pk}"]) == 8  # 9 Fridays in the window minus one exception
    assert len(expected[f"absence-{series[2].pk}"]) == 6  # COUNT=8 minus two exceptions
    assert len(expected[f"absence-{series[3].pk}"]) == 6  # 7 weeks until 19 Nov minus one exception


def test_all_day_native_events_match_too(alice_client, api_client, user, people):
    calendar = CalendarFactory(owner=user, members=[user])
    EventFactory(
        calendar=calendar,
        all_day=True,
        start_date=dt.date(2026, 11, 10),
        end_date=dt.date(2026, 11, 11),
        start_at=local("UTC", 2026, 11, 10, 0),
        end_at=local("UTC", 2026, 11, 12, 0),
    )
    cal = parse(api_client.get(f"/api/v1/calendars/{calendar.pk}/feed.ics", {"key": calendar.feed_key}))
    assert feed_spans(cal, people) == search_spans(alice_client, people, people["alice"], calendars=[calendar.pk])


def test_feed_is_valid_rfc5545_with_zones_dates_rules_and_exceptions(api_client, user, other, people, series):
    calendar = CalendarFactory(owner=user, members=[user, other], name="Out of office")
    response = api_client.get(f"/api/v1/calendars/{calendar.pk}/feed.ics", {"key": calendar.feed_key})
    cal = parse(response)
    text = response.content.decode()
    assert cal["VERSION"] == "2.0" and cal["PRODID"] and cal["X-WR-CALNAME"] == "Out of office"
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {"Europe/Berlin", "America/New_York"}
    by_uid = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(by_uid) == {f"absence-{a.pk}@standin" for a in series}
    fridays = by_uid[f"absence-{series[0].pk}@standin"]
    assert fridays["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert fridays["RRULE"]["FREQ"] == ["WEEKLY"]
    assert [d.dt for d in fridays["EXDATE"].dts] == [dt.datetime(2026, 10, 23, 13, tzinfo=ZoneInfo("Europe/Berlin"))]
    assert "DTSTART;TZID=Europe/Berlin:20261002T130000" in text
    all_day = by_uid[f"absence-{series[3].pk}@standin"]
    assert "DTSTART;VALUE=DATE:20261007" in text
    assert all_day["DTEND"].dt == dt.date(2026, 10, 9)
    assert all_day["RRULE"]["UNTIL"] == [dt.date(2026, 11, 19)]
    assert [d.dt for d in all_day["EXDATE"].dts] == [dt.date(2026, 11, 4)]
    # Fetching again gives the same UIDs: calendar apps update events instead of duplicating them.
    again = parse(api_client.get(f"/api/v1/calendars/{calendar.pk}/feed.ics", {"key": calendar.feed_key}))
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(by_uid)


def test_feed_carries_members_and_team_members_of_shown_types_within_the_window(api_client, user, other):
    from absences.models import AbsenceType

    teammate = UserFactory(username="teammate")
    outsider = UserFactory(username="outsider")
    calendar = CalendarFactory(
        owner=user,
        members=[other],
        teams=[TeamFactory(members=[teammate])],
        absence_types=[AbsenceType.objects.get(key="vacation")],
    )
    shown = [
        make_absence(other, local("UTC", 2026, 10, 5, 9), local("UTC", 2026, 10, 5, 12)),
        make_absence(teammate, local("UTC", 2026, 10, 6, 9), local("UTC", 2026, 10, 6, 12)),
        make_absence(other, local("UTC", 2026, 7, 1, 9), local("UTC", 2026, 7, 1, 12)),  # 81 days ago
        make_absence(other, local("UTC", 2025, 1, 3, 9), local("UTC", 2025, 1, 3, 12), recurrence="FREQ=MONTHLY"),
    ]
    make_absence(other, local("UTC", 2026, 10, 7, 9), local("UTC", 2026, 10, 7, 12), type="trip")
    make_absence(outsider, local("UTC", 2026, 10, 8, 9), local("UTC", 2026, 10, 8, 12))
    make_absence(other, local("UTC", 2026, 6, 1, 9), local("UTC", 2026, 6, 1, 12))  # 111 days ago
    cal = parse(api_client.get(f"/api/v1/calendars/{calendar.pk}/feed.ics", {"key": calendar.feed_key}))
    assert {str(e["UID"]) for e in cal.walk("VEVENT")} == {f"absence-{a.pk}@standin" for a in shown}


class TestKeys:
    def test_a_wrong_or_foreign_key_is_a_404(self, api_client, user):
        calendar = CalendarFactory(owner=user)
        other_calendar = CalendarFactory(owner=user)
        url = f"/api/v1/calendars/{calendar.pk}/feed.ics"
        assert api_client.get(url, {"key": "nope"}).status_code == 404
        assert api_client.get(url, {"key": other_calendar.feed_key}).status_code == 404
        assert api_client.get(url, {"key": ""}).status_code == 404
        assert api_client.get("/api/v1/calendars/999999/feed.ics", {"key": calendar.feed_key}).status_code == 404
        assert api_client.get(url).status_code in (401, 403)
        assert api_client.get(url, {"key": calendar.feed_key}).status_code == 200
        # Polling with the ETag costs no transfer until the feed changes.
        etag = api_client.get(url, {"key": calendar.feed_key})["ETag"]
        unchanged = api_client.get(url, {"key": calendar.feed_key}, HTTP_IF_NONE_MATCH=etag)
        assert (unchanged.status_code, unchanged.content) == (304, b"")
        make_absence(user, local("UTC", 2026, 10, 5, 9), local("UTC", 2026, 10, 5, 12))
        calendar.members.add(user)
        assert api_client.get(url, {"key": calendar.feed_key}, HTTP_IF_NONE_MATCH=etag).status_code == 200
        # Calendar apps asking for text/calendar get the feed, and errors as JSON text.
        assert parse(api_client.get(url, {"key": calendar.feed_key}, HTTP_ACCEPT="text/calendar"))
        missing = api_client.get(url, {"key": "nope"}, HTTP_ACCEPT="text/calendar")
        assert missing.status_code == 404
        assert b'"client_error"' in missing.content

    def test_rotation_invalidates_the_old_url_at_once(self, alice_client, api_client, user):
        calendar = CalendarFactory(owner=user)
        old_url = alice_client.get(f"/api/v1/calendars/{calendar.pk}/").json()["feed_url"]
        assert api_client.get(old_url).status_code == 200
        response = alice_client.post(f"/api/v1/calendars/{calendar.pk}/rotate-feed-key/")
        assert response.status_code == 200
        new_url = response.json()["feed_url"]
        assert new_url != old_url and response.json()["feed_key"] in new_url
        assert api_client.get(old_url).status_code == 404
        assert api_client.get(new_url).status_code == 200
        assert Calendar.objects.get(pk=calendar.pk).feed_key == response.json()["feed_key"]

    def test_only_owner_and_admin_rotate(self, client_for, user, other, staff):
        calendar = CalendarFactory(owner=user, members=[other])
        stranger = UserFactory(username="stranger")
        url = f"/api/v1/calendars/{calendar.pk}/rotate-feed-key/"
        assert client_for(other).post(url).status_code == 403
        assert client_for(stranger).post(url).status_code == 404
        assert client_for(staff).post(url).status_code == 200

    def test_session_reads_visible_feeds_without_key(self, client_for, user, other):
        calendar = CalendarFactory(owner=user, members=[other])
        stranger = UserFactory(username="stranger")
        assert parse(client_for(other).get(f"/api/v1/calendars/{calendar.pk}/feed.ics"))
        assert client_for(stranger).get(f"/api/v1/calendars/{calendar.pk}/feed.ics").status_code == 404


class TestPrivacy:
    def test_private_absences_are_away_in_keyed_feeds_and_shown_to_those_allowed(
        self, client_for, api_client, user, other
    ):
        lead = UserFactory(username="lead")
        TeamFactory(members=[other], leads=[lead])
        calendar = CalendarFactory(owner=user, members=[other], is_public=True)
        make_absence(
            other,
            local("UTC", 2026, 10, 5, 9),
            local("UTC", 2026, 10, 5, 12),
            type="sickness",
            title="Flu",
            message="In bed",
        )
        keyed = parse(api_client.get(f"/api/v1/calendars/{calendar.pk}/feed.ics", {"key": calendar.feed_key}))
        (vevent,) = keyed.walk("VEVENT")
        assert str(vevent["SUMMARY"]) == "Bob Jones: Away"
        assert "DESCRIPTION" not in vevent
        assert (
            "Flu"
            not in api_client.get(
                f"/api/v1/calendars/{calendar.pk}/feed.ics", {"key": calendar.feed_key}
            ).content.decode()
        )
        (by_owner,) = parse(client_for(user).get(f"/api/v1/calendars/{calendar.pk}/feed.ics")).walk("VEVENT")
        assert str(by_owner["SUMMARY"]) == "Bob Jones: Away"
        (by_lead,) = parse(client_for(lead).get(f"/api/v1/calendars/{calendar.pk}/feed.ics")).walk("VEVENT")
        assert str(by_lead["SUMMARY"]) == "Bob Jones: Flu"
        assert str(by_lead["DESCRIPTION"]) == "In bed"


class TestPersonalFeed:
    def test_own_and_covered_absences_with_privacy(self, client_for, api_client, user, other, people):
        third = UserFactory(username="carol")
        own = make_absence(
            user, local(user, 2026, 10, 5, 9), local(user, 2026, 10, 5, 12), type="sickness", title="Flu"
        )
        covered = make_absence(other, local("UTC", 2026, 10, 6, 9), local("UTC", 2026, 10, 6, 12), coverer=user)
        private_covered = make_absence(
            third, local("UTC", 2026, 10, 7, 9), local("UTC", 2026, 10, 7, 12), coverer=user, type="sickness"
        )
        make_absence(other, local("UTC", 2026, 10, 8, 9), local("UTC", 2026, 10, 8, 12))
        client = client_for(user)
        key = client.get("/api/v1/me/feed/").json()
        assert key["feed_url"].endswith(f"/api/v1/me/feed.ics?key={key['feed_key']}")
        for response in (api_client.get(key["feed_url"]), client.get("/api/v1/me/feed.ics")):
            summaries = {str(e["UID"]): str(e["SUMMARY"]) for e in parse(response).walk("VEVENT")}
            assert summaries == {
                f"absence-{own.pk}@standin": "Alice Smith: Flu",
                f"absence-{covered.pk}@standin": "Bob Jones: Vacation",
                f"absence-{private_covered.pk}@standin": f"{third.display_name}: Away",
            }

    def test_personal_feed_matches_the_search_for_the_same_person(
        self, client_for, api_client, user, other, people, series
    ):
        client = client_for(other)
        cal = parse(api_client.get(client.get("/api/v1/me/feed/").json()["feed_url"]))
        assert feed_spans(cal, people) == search_spans(client, people, people["bob"], users=["me"])

    def test_rotation_and_bad_keys(self, client_for, api_client, user):
        client = client_for(user)
        old = client.get("/api/v1/me/feed/").json()
        assert client.get("/api/v1/me/feed/").json() == old  # created once, then stable
        new = client.post("/api/v1/me/feed/rotate/").json()
        assert new["feed_key"] != old["feed_key"]
        assert api_client.get(old["feed_url"]).status_code == 404
        assert api_client.get(new["feed_url"]).status_code == 200
        assert api_client.get("/api/v1/me/feed.ics", {"key": "wrong"}).status_code == 404
        assert api_client.get("/api/v1/me/feed.ics").status_code in (401, 403)
        assert api_client.get("/api/v1/me/feed/").status_code in (401, 403)


class TestTokenLimits:
    def test_limited_tokens_read_only_their_calendar_feeds(self, token_client, user):
        allowed = CalendarFactory(owner=user)
        forbidden = CalendarFactory(owner=user)
        client = token_client(user, [allowed.pk])
        assert parse(client.get(f"/api/v1/calendars/{allowed.pk}/feed.ics"))
        assert client.get(f"/api/v1/calendars/{forbidden.pk}/feed.ics").status_code == 404
        assert client.post(f"/api/v1/calendars/{forbidden.pk}/rotate-feed-key/").status_code == 404
        for path in ("/api/v1/me/feed.ics", "/api/v1/me/feed/"):
            assert client.get(path).status_code == 404
        assert client.post("/api/v1/me/feed/rotate/").status_code == 404
