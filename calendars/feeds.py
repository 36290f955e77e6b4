"""ICS feeds (RFC 5545) built with ``icalendar``: one VEVENT per absence (a recurring one with its
RRULE and EXDATEs, in its user's zone with the matching VTIMEZONE) and per native event."""

import datetime as dt
from functools import lru_cache
from types import SimpleNamespace

import icalendar
from django.utils import timezone
from icalendar.timezone import tzid_from_dt

from absences.recurrence import parse_rrule
from calendars.privacy import Viewer, absence_face
from calendars.spans import absence_dates
from config.api.fields import user_display_name, zone_of

PRODID = "-//Standin//Calendars//EN"
UID_DOMAIN = "standin"


def build_feed(*, name: str, absences, events=(), viewer: Viewer) -> bytes:
    """The whole ``VCALENDAR`` for the given absences and native events, as ``viewer`` may see them.

    The envelope and the ``VTIMEZONE``s come from ``icalendar``; the VEVENTs are written as content
    lines directly (``_Lines``), the same lines ``icalendar`` writes for them (same property order,
    escaping and folding) at a fraction of the cost: building and serializing an ``icalendar.Event``
    per absence made a 500-person feed take seconds.
    """
    lines = _Lines()
    for absence in absences:
        absence_lines(lines, absence, viewer)
    for event in events:
        event_lines(lines, event)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    # Polling hints for calendar apps (RFC 7986 and the older Microsoft property).
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    years = lines.years or [timezone.now().year]
    first, last = dt.date(min(years) - 1, 1, 1), dt.date(max(years) + 10, 1, 1)
    zones = b"".join(vtimezone(tzid, first, last) for tzid in sorted(lines.tzids))
    envelope = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    return envelope[: -len(end)] + zones + "".join(lines.parts).encode() + end


@lru_cache(maxsize=128)
def vtimezone(tzid: str, first: dt.date, last: dt.date) -> bytes:
    """The ``VTIMEZONE`` of ``tzid`` with its transitions from ``first`` to ``last``, as ``icalendar``
    writes it inside a calendar; empty for a zone it cannot describe (left out, as
    ``add_missing_timezones`` does). Cached: walking a zone's transitions over a decade cost more
    than writing a thousand VEVENTs, and the result only depends on the arguments."""
    try:
        return icalendar.Timezone.from_tzid(tzid, first_date=first, last_date=last).to_ical()
    except ValueError:
        return b""


class _Lines:
    """Content lines of VEVENTs being written, with the TZIDs and DTSTART years they use."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.tzids: set[str] = set()
        self.years: list[int] = []
        self._zone_ids: dict[object, str] = {}
        # Per person: their zone and escaped display name (a feed has many absences per person).
        self._people: dict[int, tuple[object, str]] = {}
        # Per feed, what repeats across its thousands of VEVENTs: escaped titles, whole text lines
        # (types, messages) and the DTSTART/DTEND line heads of each zone.
        self._escaped: dict[str, str] = {}
        self._text_lines: dict[tuple[str, str], str] = {}
        self._zone_heads: dict[object, tuple[str, str, str] | None] = {}

    def person(self, user_id: int, user) -> tuple[object, str]:
        """``(zone, escaped display name)`` of ``user`` (whose id is ``user_id``: cheaper to read
        than a model's ``pk``), computed once per feed."""
        found = self._people.get(user_id)
        if found is None:
            found = self._people[user_id] = (zone_of(user), _escape(user_display_name(user)))
        return found

    def add(self, name: str, value: str) -> None:
        """``NAME:value`` (value already escaped), folded at 75 octets like ``icalendar``."""
        self.parts.append(_content_line(name, value))

    def text(self, name: str, value: str) -> None:
        self.add(name, _escape(value))

    def escaped(self, value: str) -> str:
        """``_escape(value)``, once per feed for each distinct value."""
        found = self._escaped.get(value)
        if found is None:
            found = self._escaped[value] = _escape(value)
        return found

    def text_line(self, name: str, value: str) -> str:
        """The content line ``text(name, value)`` writes, once per feed for each distinct pair."""
        found = self._text_lines.get((name, value))
        if found is None:
            found = self._text_lines[name, value] = _content_line(name, _escape(value))
        return found

    def span(self, start: dt.datetime, end: dt.datetime) -> str:
        """The lines ``start(start)`` and ``when("DTEND", end)`` write, for two datetimes of one zone:
        the line heads (``DTSTART;TZID=…:`` or ``DTSTART:`` … ``Z``) are made once per zone."""
        heads = self._zone_heads.get(start.tzinfo, False)
        if heads is False:
            heads = self._zone_heads[start.tzinfo] = self._heads(start)
        self.years.append(start.year)
        if heads is None or end.tzinfo is not start.tzinfo:  # a line to fold, or two zones
            return self.when_line("DTSTART", start) + self.when_line("DTEND", end)
        begin, finish, suffix = heads
        return f"{begin}{_local(start)}{suffix}\r\n{finish}{_local(end)}{suffix}\r\n"

    def _heads(self, value: dt.datetime) -> tuple[str, str, str] | None:
        tzid = self._tzid(value)
        heads = ("DTSTART:", "DTEND:", "Z") if tzid == "UTC" else (f"DTSTART;TZID={tzid}:", f"DTEND;TZID={tzid}:", "")
        # The same test as ``add``'s: a line that would be folded keeps the general way.
        longest = heads[0] + _local(value) + heads[2]
        return heads if len(longest) <= 74 and longest.isascii() else None

    def when(self, name: str, value: dt.date | dt.datetime) -> None:
        self.parts.append(self.when_line(name, value))

    def when_line(self, name: str, value: dt.date | dt.datetime) -> str:
        """A DATE (``VALUE=DATE``), a UTC DATE-TIME (``Z``) or a local one with its ``TZID``."""
        if not isinstance(value, dt.datetime):
            return _content_line(f"{name};VALUE=DATE", _date(value))
        tzid = self._tzid(value)
        if tzid == "UTC":
            return _content_line(name, _local(value) + "Z")
        return _content_line(f"{name};TZID={tzid}", _local(value))

    def start(self, value: dt.date | dt.datetime) -> None:
        self.years.append(value.year)
        self.when("DTSTART", value)

    def _tzid(self, value: dt.datetime) -> str:
        tzid = self._zone_ids.get(value.tzinfo)
        if tzid is None:
            tzid = self._zone_ids[value.tzinfo] = tzid_from_dt(value)
        if tzid != "UTC":
            self.tzids.add(tzid)
        return tzid


def _content_line(name: str, value: str) -> str:
    """``NAME:value`` (value already escaped) and its line break, folded at 75 octets like ``icalendar``."""
    line = f"{name}:{value}"
    if len(line) > 74 or not line.isascii():
        line = _fold(line)
    return line + "\r\n"


def _date(day: dt.date) -> str:
    """``YYYYMMDD`` (%-formatting: four times faster than ``strftime``, thousands of times a feed)."""
    return "%04d%02d%02d" % (day.year, day.month, day.day)  # noqa: UP031 - faster than f-string specs


def _local(moment: dt.datetime) -> str:
    """``YYYYMMDDTHHMMSS`` of the wall time ``moment`` shows (its zone is the caller's business)."""
    values = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    return "%04d%02d%02dT%02d%02d%02d" % values  # noqa: UP031 - faster than f-string specs


def _escape(text: str) -> str:
    """RFC 5545 TEXT escaping, replaced in ``icalendar``'s order (line breaks become ``\\n``)."""
    return (
        text.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _fold(line: str, limit: int = 75) -> str:
    """Fold a content line as ``icalendar`` does: before the octet that would reach ``limit``,
    never between a backslash and the character it escapes."""
    if line.isascii():  # one octet a character: plain slices
        chunks = []
        while len(line) >= limit:
            cut = limit - 2 if line[limit - 2] in "\\^" else limit - 1
            chunks.append(line[:cut])
            line = line[cut:]
        return "\r\n ".join([*chunks, line])
    folded: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if current and size + width >= limit:
            carry = [current.pop()] if len(current) > 1 and current[-1] in "\\^" else []
            folded.append("".join(current))
            current, size = carry, sum(len(c.encode()) for c in carry)
        current.append(char)
        size += width
    folded.append("".join(current))
    return "\r\n ".join(folded)


def absence_lines(lines: _Lines, absence, viewer: Viewer) -> None:
    """One absence's VEVENT (a series with its RRULE and EXDATEs), in ``icalendar``'s property order.

    A feed has thousands: the lines that cannot need folding (times, stamp, UID, TRANSP) are
    formatted straight into one string, and what repeats (escaped titles, types, messages, the
    zone's line heads) comes from the feed's caches in ``_Lines``.
    """
    face = absence_face(absence, viewer)
    zone, name = lines.person(absence.user_id, absence.user)
    # Escaping the name and the title apart is escaping "name: title" (": " needs none).
    summary = _content_line("SUMMARY", f"{name}: {lines.escaped(face.title)}")
    if absence.all_day:
        first, last = absence_dates(absence)
        lines.years.append(first.year)
        when = f"DTSTART;VALUE=DATE:{_date(first)}\r\nDTEND;VALUE=DATE:{_date(last + ONE_DAY)}\r\n"
    else:
        when = lines.span(absence.start_at.astimezone(zone), absence.end_at.astimezone(zone))
    # DTSTAMP's value is 16 characters, the UID an integer and constants: nothing to escape or fold.
    stamp = _local(absence.updated_at.astimezone(dt.UTC))
    uid = f"absence-{absence.pk}@{UID_DOMAIN}"
    lines.parts.append(f"BEGIN:VEVENT\r\n{summary}{when}DTSTAMP:{stamp}Z\r\nUID:{uid}\r\n")
    if absence.recurrence:
        lines.add("RRULE", _rrule_text(absence.recurrence, bool(absence.all_day), zone))
        skipped = _exdates(absence, zone)
        if skipped:
            _exdate_line(lines, skipped)
    tail = lines.text_line("CATEGORIES", face.type)
    if not face.hidden and absence.message:
        tail += lines.text_line("DESCRIPTION", absence.message)
    lines.parts.append(tail + (OPAQUE_END if absence.type.counts_as_away else TRANSPARENT_END))


ONE_DAY = dt.timedelta(days=1)
OPAQUE_END = "TRANSP:OPAQUE\r\nEND:VEVENT\r\n"
TRANSPARENT_END = "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"


def event_lines(lines: _Lines, event) -> None:
    """A native event's VEVENT (UTC times, or whole dates for an all-day one)."""
    lines.parts.append("BEGIN:VEVENT\r\n")
    lines.text("SUMMARY", event.title)
    if event.all_day:
        lines.start(event.start_date)
        lines.when("DTEND", event.end_date + dt.timedelta(days=1))
    else:
        lines.start(event.start_at.astimezone(dt.UTC))
        lines.when("DTEND", event.end_at.astimezone(dt.UTC))
    lines.add("DTSTAMP", _local(event.updated_at.astimezone(dt.UTC)) + "Z")
    lines.text("UID", f"event-{event.pk}@{UID_DOMAIN}")
    lines.text("CATEGORIES", event.type)
    if event.description:
        lines.text("DESCRIPTION", event.description)
    lines.parts.append("END:VEVENT\r\n")


def _exdate_line(lines: _Lines, skipped: list) -> None:
    """``EXDATE`` as ``icalendar`` writes a list: the first value's parameters, comma-joined values."""
    if not isinstance(skipped[0], dt.datetime):
        lines.add("EXDATE;VALUE=DATE", ",".join(_date(day) for day in skipped))
        return
    tzid = lines._tzid(skipped[0])
    if tzid == "UTC":
        lines.add("EXDATE", ",".join(_local(moment) + "Z" for moment in skipped))
    else:
        lines.add(f"EXDATE;TZID={tzid}", ",".join(_local(moment) for moment in skipped))


def _rrule_body(absence) -> str:
    body = absence.recurrence.strip()
    return body[6:] if body.upper().startswith("RRULE:") else body


@lru_cache(maxsize=1024)
def _rrule_text(recurrence: str, all_day: bool, zone) -> str:
    """The RRULE value written for a series: parsing and writing it with ``icalendar`` cost more
    than the rest of its VEVENT, and it depends only on these (cached across feeds)."""
    return _rrule(SimpleNamespace(recurrence=recurrence, all_day=all_day), zone).to_ical().decode()


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
