"""Where absences, events and holidays sit in time, in UTC, with their stable ids.

All-day items are whole local days: an all-day absence runs from midnight to midnight in its
user's zone (each occurrence of a recurring one too, so a day stays a day across DST); native
all-day events and holidays belong to no one, so they run midnight to midnight in the reader's zone.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from absences.recurrence import occurrences
from config.api.fields import zone_of


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of ``day``'s local midnight in ``zone``."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def day_bounds(first: dt.date, last: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """``[first 00:00, last + 1 day 00:00)`` in ``zone``, as UTC."""
    return local_midnight(first, zone), local_midnight(last + dt.timedelta(days=1), zone)


def absence_dates(absence) -> tuple[dt.date, dt.date]:
    """The inclusive local dates of an all-day absence (its first occurrence)."""
    if absence.start_date and absence.end_date:
        return absence.start_date, absence.end_date
    zone = zone_of(absence.user)
    first = absence.start_at.astimezone(zone).date()
    last = (absence.end_at - dt.timedelta(microseconds=1)).astimezone(zone).date()
    return first, last


def absence_spans(absence, start: dt.datetime, end: dt.datetime) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """``(id, start, end)`` of each occurrence of ``absence`` overlapping ``[start, end)``.

    A one-off absence is ``absence-<id>``; an occurrence of a series is ``absence-<id>-<YYYYMMDD>``,
    the local date (user's zone) on which it starts.
    """
    if not absence.recurrence:
        if absence.start_at < end and absence.end_at > start:
            return [(f"absence-{absence.pk}", absence.start_at, absence.end_at)]
        return []
    zone = zone_of(absence.user)
    pairs = _all_day_occurrences(absence, start, end, zone) if absence.all_day else occurrences(absence, start, end)
    return [(f"absence-{absence.pk}-{s.astimezone(zone):%Y%m%d}", s, e) for s, e in pairs]


def _all_day_occurrences(absence, start, end, zone) -> list[tuple[dt.datetime, dt.datetime]]:
    first, last = absence_dates(absence)
    length = dt.timedelta(days=(last - first).days)
    margin = length + dt.timedelta(days=2)
    found = []
    for occ_start, _ in occurrences(absence, start - margin, end + dt.timedelta(days=2)):
        day = occ_start.astimezone(zone).date()
        span = day_bounds(day, day + length, zone)
        if span[0] < end and span[1] > start:
            found.append(span)
    return found
