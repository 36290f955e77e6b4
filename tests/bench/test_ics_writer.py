"""The feed's hand-written VEVENTs are the content lines icalendar writes for the same data.

The reference below is the feed builder as it was before, on ``icalendar.Event`` objects.
"""

import datetime as dt

import icalendar
import pytest

from calendars.feeds import PRODID, UID_DOMAIN, _exdates, _rrule, build_feed
from calendars.privacy import ANONYMOUS, Viewer, absence_face
from calendars.spans import absence_dates
from config.api.fields import user_display_name, zone_of
from tests.calendars.factories import CalendarFactory, EventFactory, make_absence, make_all_day
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _reference_absence(absence, viewer):
    face = absence_face(absence, viewer)
    vevent = icalendar.Event()
    vevent.add("uid", f"absence-{absence.pk}@{UID_DOMAIN}")
    vevent.add("dtstamp", absence.updated_at.astimezone(dt.UTC))
    vevent.add("summary", f"{user_display_name(absence.user)}: {face.title}")
    vevent.add("categories", [face.type])
    vevent.add("transp", "OPAQUE" if absence.type.counts_as_away else "TRANSPARENT")
    if not face.hidden and absence.message:
        vevent.add("description", absence.message)
    zone = zone_of(absence.user)
    if absence.all_day:
        first, last = absence_dates(absence)
        vevent.add("dtstart", first)
        vevent.add("dtend", last + dt.timedelta(days=1))
    else:
        vevent.add("dtstart", absence.start_at.astimezone(zone))
        vevent.add("dtend", absence.end_at.astimezone(zone))
    if absence.recurrence:
        vevent.add("rrule", _rrule(absence, zone))
        skipped = _exdates(absence, zone)
        if skipped:
            vevent.add("exdate", skipped)
    return vevent


def _reference_event(event):
    vevent = icalendar.Event()
    vevent.add("uid", f"event-{event.pk}@{UID_DOMAIN}")
    vevent.add("dtstamp", event.updated_at.astimezone(dt.UTC))
    vevent.add("summary", event.title)
    vevent.add("categories", [event.type])
    if event.description:
        vevent.add("description", event.description)
    if event.all_day:
        vevent.add("dtstart", event.start_date)
        vevent.add("dtend", event.end_date + dt.timedelta(days=1))
    else:
        vevent.add("dtstart", event.start_at.astimezone(dt.UTC))
        vevent.add("dtend", event.end_at.astimezone(dt.UTC))
    return vevent


def _reference_feed(name, absences, events, viewer) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for absence in absences:
        cal.add_component(_reference_absence(absence, viewer))
    for event in events:
        cal.add_component(_reference_event(event))
    years = [c.DTSTART.year for c in cal.walk("VEVENT") if c.get("DTSTART")] or [2026]
    cal.add_missing_timezones(first_date=dt.date(min(years) - 1, 1, 1), last_date=dt.date(max(years) + 10, 1, 1))
    return cal.to_ical()


def _blocks(body: bytes) -> tuple[list[bytes], list[bytes], bytes]:
    """(VEVENT blocks in order, VTIMEZONE blocks sorted, the envelope around them)."""
    parts = body.split(b"BEGIN:")
    events = [p for p in parts if p.startswith(b"VEVENT")]
    zones = sorted(p for p in parts if p.startswith(b"VTIMEZONE") or p.startswith((b"STANDARD", b"DAYLIGHT")))
    envelope = b"".join(p for p in parts if p.startswith(b"VCALENDAR"))
    return events, zones, envelope


def _data():
    berlin = UserFactory(first_name="Jürgen", last_name="Groß", timezone="Europe/Berlin")
    york = UserFactory(first_name="", last_name="", timezone="America/New_York")
    utc = UserFactory(timezone="UTC")
    start = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)
    long_text = "Back on Monday; ask {coverer}, or write to me\\nthanks — a long line " * 3
    absences = [
        make_absence(berlin, start, start + dt.timedelta(hours=5), title="Dentist, then; home", message=long_text),
        make_absence(york, start, start + dt.timedelta(days=2), type="sickness", title="Flu"),
        make_absence(utc, start, start + dt.timedelta(hours=3), type="meeting", title="Offsite"),
        make_absence(
            berlin, start, start + dt.timedelta(hours=4), recurrence="FREQ=WEEKLY;BYDAY=FR;UNTIL=20261231T000000Z",
            recurrence_exceptions=["2026-03-27", "2026-04-10T13:00:00+01:00"], title="Fridays",
        ),
        make_absence(utc, start, start + dt.timedelta(hours=1), recurrence="FREQ=DAILY;COUNT=5",
                     recurrence_exceptions=["2026-03-22"]),
        make_all_day(york, dt.date(2026, 3, 6), dt.date(2026, 3, 13), title="Ski"),
        make_all_day(berlin, dt.date(2026, 3, 27), dt.date(2026, 3, 27),
                     recurrence="FREQ=WEEKLY;UNTIL=20260601T000000Z", recurrence_exceptions=["2026-04-03"]),
    ]  # fmt: skip
    calendar = CalendarFactory()
    events = [
        EventFactory(calendar=calendar, title="Release, v2; go", description="Notes\\nmore", start_at=start,
                     end_at=start + dt.timedelta(hours=2)),
        EventFactory(calendar=calendar, all_day=True, start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 4, 2),
                     start_at=start, end_at=start + dt.timedelta(days=2)),
    ]  # fmt: skip
    return absences, events


@pytest.mark.parametrize("viewer", [Viewer(admin=True), ANONYMOUS], ids=["admin", "anonymous"])
def test_written_vevents_are_the_lines_icalendar_writes(viewer):
    absences, events = _data()
    for absence in absences:
        absence.refresh_from_db()
    fast = build_feed(name="Team, with; specials", absences=absences, events=events, viewer=viewer)
    reference = _reference_feed("Team, with; specials", absences, events, viewer)
    assert _blocks(fast) == _blocks(reference)
    assert len(_blocks(fast)[0]) == len(absences) + len(events)
    assert icalendar.Calendar.from_ical(fast).walk("VEVENT")
