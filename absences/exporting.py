"""Export absences as CSV or ICS, in the formats ``absences.importing`` reads back (docs/import-export.md).

Every row carries a sync key: the absence's own (``source``, ``source_id``), or for an absence
without one ``OWN_SOURCE`` and its id, so that importing the file again changes nothing.
"""

import csv
import datetime as dt
import io

import icalendar
from icalendar.parser import Parameters

from absences.models import Absence
from absences.recurrence import user_zone

# The CSV header, in this order; `absences.importing` accepts these columns (and requires some).
CSV_COLUMNS = [
    "user", "type", "start", "end", "all_day", "title", "message", "coverer", "approval_delegate", "reason",
    "source", "source_id", "recurrence", "recurrence_exceptions",
]  # fmt: skip
# The source of exported absences that have no sync key: their source_id is this installation's id.
OWN_SOURCE = "standin"
PRODID = "-//Standin//Absences export//EN"


def export_selection(*, users=None, start: dt.datetime | None = None, end: dt.datetime | None = None):
    """Absences to export: of ``users`` (all when None), overlapping ``[start, end)`` when given."""
    absences = Absence.objects.select_related("user", "type", "coverer", "approval_delegate").order_by("id")
    if users is not None:
        absences = absences.filter(user__in=users)
    if start is not None or end is not None:
        far_past, far_future = dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC)
        absences = absences.overlapping(start or far_past, end or far_future)
    return absences


def sync_key(absence: Absence) -> tuple[str, str]:
    if absence.source and absence.source_id:
        return absence.source, absence.source_id
    return OWN_SOURCE, str(absence.pk)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _username(user) -> str:
    return user.username if user is not None else ""


def csv_row(absence: Absence) -> dict:
    source, source_id = sync_key(absence)
    if absence.all_day:
        start, end = absence.start_date.isoformat(), absence.end_date.isoformat()
    else:
        start, end = _utc(absence.start_at), _utc(absence.end_at)
    return {
        "user": absence.user.username,
        "type": absence.type_id,
        "start": start,
        "end": end,
        "all_day": "true" if absence.all_day else "false",
        "title": absence.title,
        "message": absence.message,
        "coverer": _username(absence.coverer),
        "approval_delegate": _username(absence.approval_delegate),
        "reason": absence.reason,
        "source": source,
        "source_id": source_id,
        "recurrence": absence.recurrence,
        "recurrence_exceptions": " ".join(absence.recurrence_exceptions),
    }


def export_csv(absences) -> str:
    """CSV text with the ``CSV_COLUMNS`` header; all-day absences as inclusive dates, timed ones in UTC."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for absence in absences.iterator(chunk_size=2000) if hasattr(absences, "iterator") else absences:
        writer.writerow(csv_row(absence))
    return out.getvalue()


class _RawRule:
    """An RRULE written exactly as stored (icalendar would reorder its parts)."""

    def __init__(self, text: str) -> None:
        self.text = text.removeprefix("RRULE:")
        self.params = Parameters()

    def to_ical(self) -> bytes:
        return self.text.encode()


def _add_exceptions(event: icalendar.Event, values: list[str]) -> None:
    dates = [dt.date.fromisoformat(value) for value in values if len(value) == 10]
    moments = [dt.datetime.fromisoformat(value) for value in values if len(value) != 10]
    if dates:
        event.add("exdate", dates)
    if moments:
        event.add("exdate", [moment.astimezone(dt.UTC) for moment in moments])


def ics_event(absence: Absence) -> icalendar.Event:
    source, source_id = sync_key(absence)
    event = icalendar.Event()
    event.add("uid", source_id)
    event.add("x-standin-source", source)
    event.add("dtstamp", absence.updated_at.astimezone(dt.UTC))
    if absence.all_day:
        event.add("dtstart", absence.start_date)
        event.add("dtend", absence.end_date + dt.timedelta(days=1))
    else:
        # In the user's zone, so the RRULE repeats at the same local time for every reader.
        zone = user_zone(absence.user)
        event.add("dtstart", absence.start_at.astimezone(zone))
        event.add("dtend", absence.end_at.astimezone(zone))
    if absence.recurrence:
        event.add("rrule", _RawRule(absence.recurrence), encode=False)
    _add_exceptions(event, absence.recurrence_exceptions)
    event.add("summary", absence.title)
    if absence.message:
        event.add("description", absence.message)
    event.add("organizer", f"mailto:{absence.user.email}")
    event.add("x-standin-user", absence.user.username)
    event.add("x-standin-type", absence.type_id)
    event.add("transp", "OPAQUE" if absence.type.counts_as_away else "TRANSPARENT")
    for name, value in (
        ("x-standin-coverer", _username(absence.coverer)),
        ("x-standin-approval-delegate", _username(absence.approval_delegate)),
        ("x-standin-reason", absence.reason),
    ):
        if value:
            event.add(name, value)
    return event


def export_ics(absences) -> bytes:
    """An RFC 5545 calendar: one VEVENT per absence (UID = sync key), all-day ones as dates, timed
    ones in their user's zone with its VTIMEZONE, recurring ones with RRULE/EXDATE."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    for absence in absences.iterator(chunk_size=2000) if hasattr(absences, "iterator") else absences:
        calendar.add_component(ics_event(absence))
    calendar.add_missing_timezones()
    return calendar.to_ical()
