"""ICS feeds (RFC 5545) built with ``icalendar``: one VEVENT per absence (a recurring one with its
RRULE and EXDATEs, in its user's zone with the matching VTIMEZONE) and per native event."""

import datetime as dt

import icalendar
from django.utils import timezone

from absences.recurrence import parse_rrule
from calendars.privacy import Viewer, absence_face
from calendars.spans import absence_dates
from config.api.fields import user_display_name, zone_of

PRODID = "-//Standin//Calendars//EN"
UID_DOMAIN = "standin"


def build_feed(*, name: str, absences, events=(), viewer: Viewer) -> bytes:
    """The whole ``VCALENDAR`` for the given absences and native events, as ``viewer`` may see them."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for absence in absences:
        cal.add_component(absence_vevent(absence, viewer))
    for event in events:
        cal.add_component(event_vevent(event))
    years = [c.DTSTART.year for c in cal.walk("VEVENT") if c.get("DTSTART")] or [timezone.now().year]
    cal.add_missing_timezones(first_date=dt.date(min(years) - 1, 1, 1), last_date=dt.date(max(years) + 10, 1, 1))
    return cal.to_ical()


def absence_vevent(absence, viewer: Viewer) -> icalendar.Event:
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


def event_vevent(event) -> icalendar.Event:
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


def _rrule_body(absence) -> str:
    body = absence.recurrence.strip()
    return body[6:] if body.upper().startswith("RRULE:") else body


def _rrule(absence, zone) -> icalendar.vRecur:
    rule = icalendar.vRecur.from_ical(_rrule_body(absence))
    if absence.all_day and "UNTIL" in rule:
        # With a DATE DTSTART, RFC 5545 wants UNTIL as a DATE: the last local day an occurrence starts.
        until = rule["UNTIL"][0]
        if isinstance(until, dt.datetime):
            aware = until if until.tzinfo else until.replace(tzinfo=dt.UTC)
            rule["UNTIL"] = [aware.astimezone(zone).date()]
    return rule


def _exdates(absence, zone) -> list:
    """The skipped occurrence starts: local datetimes, or dates for an all-day series."""
    local_start = absence.start_at.astimezone(zone)
    rule = parse_rrule(_rrule_body(absence), local_start)
    skipped = []
    for value in absence.recurrence_exceptions or []:
        text = str(value)
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            begin = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
            starts = rule.between(begin, begin + dt.timedelta(days=1, microseconds=-1), inc=True)
        else:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            starts = [moment if moment.tzinfo else moment.replace(tzinfo=zone)]
        for start in starts:
            local = start.astimezone(zone)
            skipped.append(local.date() if absence.all_day else local)
    return sorted(set(skipped))
