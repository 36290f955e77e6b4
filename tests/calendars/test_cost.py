"""What the search and the feeds cost in queries, and the shortcuts taken for it: the number of
queries does not grow with members or absences, people without absences still bring their
holiday regions, and cached time zones still reach every feed."""

import datetime as dt

import icalendar
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.calendars.factories import CalendarFactory, EventFactory, local, make_absence, make_all_day
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


def _people_with_absences(count: int, per_person: int) -> list:
    """``count`` people in three zones, each with ``per_person`` one-off absences (one all-day)
    and a weekly series, all inside November 2026 and the feed's window."""
    zones = ["Europe/Berlin", "America/New_York", "UTC"]
    people = [UserFactory(timezone=zones[i % 3], holiday_country="DE", holiday_subdivision="BY") for i in range(count)]
    for index, person in enumerate(people):
        for n in range(per_person - 1):
            day = 2 + (index + n) % 20
            make_absence(person, local(person, 2026, 11, day, 9), local(person, 2026, 11, day, 12), title=f"Away {n}")
        make_all_day(person, dt.date(2026, 11, 25), dt.date(2026, 11, 26), title="Trip")
        make_absence(
            person, local(person, 2026, 11, 2, 13), local(person, 2026, 11, 2, 14), recurrence="FREQ=WEEKLY;COUNT=3"
        )
    return people


def _calendar_of(owner, people):
    half = len(people) // 2
    calendar = CalendarFactory(owner=owner, members=people[half:], teams=[TeamFactory(members=people[:half])])
    EventFactory(calendar=calendar, start_at=local("UTC", 2026, 11, 4, 9))
    return calendar


def _queries(call) -> tuple[int, object]:
    """Queries of the second of two identical requests (the first may stamp the token as used)."""
    call()
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, response.content
    return len(queries), response


def test_calendar_feed_queries_do_not_grow_with_members_or_absences(client_for, user):
    def measure(members: int, per_person: int) -> int:
        people = _people_with_absences(members, per_person)
        calendar = _calendar_of(user, people)
        client = client_for(user)
        count, response = _queries(lambda: client.get(f"/api/v1/calendars/{calendar.pk}/feed.ics"))
        vevents = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
        assert len(vevents) == members * (per_person + 1) + 1  # absences and series, plus the event
        return count

    small = measure(3, 2)
    assert measure(30, 5) == small
    assert small <= 8


def test_calendar_feed_by_key_takes_as_many_queries_for_many_members(api_client, user):
    def measure(members: int, per_person: int) -> int:
        calendar = _calendar_of(user, _people_with_absences(members, per_person))
        url = f"/api/v1/calendars/{calendar.pk}/feed.ics"
        return _queries(lambda: api_client.get(url, {"key": calendar.feed_key}))[0]

    assert measure(2, 1) == measure(20, 4)


def test_personal_feed_queries_do_not_grow_with_absences_or_covered_people(client_for, user):
    def measure(own: int, covered: int) -> int:
        person = UserFactory(timezone="Europe/Berlin")
        for n in range(own):
            make_absence(person, local(person, 2026, 11, 2 + n, 9), local(person, 2026, 11, 2 + n, 12))
        for _ in range(covered):
            colleague = UserFactory(timezone="America/New_York")
            make_absence(colleague, local(colleague, 2026, 11, 3, 9), local(colleague, 2026, 11, 4, 9), coverer=person)
        client = client_for(person)
        count, response = _queries(lambda: client.get("/api/v1/me/feed.ics"))
        assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == own + covered
        return count

    assert measure(1, 1) == measure(12, 8)


def test_search_queries_do_not_grow_with_absences_per_member(client_for, user):
    def measure(per_person: int) -> int:
        calendar = _calendar_of(user, _people_with_absences(10, per_person))
        body = {"calendars": [calendar.pk], "start": "2026-11-01", "end": "2026-12-01", "include_holidays": True}
        client = client_for(user)
        count, response = _queries(lambda: client.post("/api/v1/events/search/", body, format="json"))
        kinds = [row["kind"] for row in response.json()["events"]]
        # Each person: per_person - 1 one-offs, one all-day, three weekly occurrences.
        assert kinds.count("absence") == 10 * (per_person + 3)
        assert kinds.count("event") == 1
        return count

    small = measure(1)
    assert measure(6) == small
    assert small <= 10


def test_members_without_absences_still_bring_their_holiday_region(client_for, user):
    bavarian = UserFactory(holiday_country="DE", holiday_subdivision="BY")
    calendar = CalendarFactory(owner=user, members=[bavarian])
    body = {"calendars": [calendar.pk], "start": "2026-11-01", "end": "2026-11-02", "include_holidays": True}
    response = client_for(user).post("/api/v1/events/search/", body, format="json")
    assert [row["id"] for row in response.json()["events"]] == ["holiday-DE-BY-2026-11-01"]


def test_people_a_lead_sees_directly_are_searched_without_a_calendar(client_for, user):
    """Without ``calendars`` a lead's search covers themselves and the members of the teams they
    lead, not the other members of a team they only belong to."""
    member, outsider = UserFactory(), UserFactory()
    TeamFactory(members=[member], leads=[user])
    TeamFactory(members=[user, outsider])
    mine = make_absence(user, local("UTC", 2026, 11, 2, 9), local("UTC", 2026, 11, 2, 12))
    theirs = make_absence(member, local("UTC", 2026, 11, 3, 9), local("UTC", 2026, 11, 3, 12), type="sickness")
    make_absence(outsider, local("UTC", 2026, 11, 4, 9), local("UTC", 2026, 11, 4, 12))
    response = client_for(user).post(
        "/api/v1/events/search/", {"start": "2026-11-01", "end": "2026-11-30"}, format="json"
    )
    rows = response.json()["events"]
    assert [(row["id"], row["type"]) for row in rows] == [
        (f"absence-{mine.pk}", "vacation"),
        (f"absence-{theirs.pk}", "sickness"),  # a lead sees the private type of their member
    ]


def test_every_feed_carries_the_zones_it_uses_from_the_cache(client_for, user):
    """VTIMEZONEs are cached across requests: a second feed with the same zone gets it too, and a
    feed with another zone gets only its own."""
    berlin, york = UserFactory(timezone="Europe/Berlin"), UserFactory(timezone="America/New_York")
    make_absence(berlin, local(berlin, 2026, 11, 2, 9), local(berlin, 2026, 11, 2, 12))
    make_absence(york, local(york, 2026, 11, 3, 9), local(york, 2026, 11, 3, 12))
    first = CalendarFactory(owner=user, members=[berlin])
    second = CalendarFactory(owner=user, members=[berlin, york])
    client = client_for(user)

    def zones(calendar) -> list[str]:
        response = client.get(f"/api/v1/calendars/{calendar.pk}/feed.ics")
        return sorted(str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(response.content).walk("VTIMEZONE"))

    assert zones(first) == ["Europe/Berlin"]
    assert zones(first) == ["Europe/Berlin"]
    assert zones(second) == ["America/New_York", "Europe/Berlin"]
