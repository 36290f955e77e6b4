"""Reading import files: CSV records and ICS VEVENTs become ``ParsedRow``s with their line numbers.

Only the file's shape is checked here (columns, dates, properties); every rule about absences is
the services' (``absences.importing`` applies the rows through them).
"""

import csv
import dataclasses
import datetime as dt
import re

import icalendar
from django.core.exceptions import ValidationError

from absences.exporting import CSV_COLUMNS
from config.errors import DomainError

REQUIRED_COLUMNS = ("user", "start", "end", "source_id")
TRUE, FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n"}
ICS_EXTENSIONS = (".ics", ".ical", ".icalendar")


class ImportFileError(Exception):
    """The file as a whole cannot be read (not CSV/ICS, missing columns): nothing is imported."""


@dataclasses.dataclass
class ParsedRow:
    """One row (CSV record or VEVENT) starting at ``line``: the service arguments, or ``error``."""

    line: int
    fields: dict | None = None
    error: str | None = None


def read_file(name: str, content: bytes) -> list[ParsedRow]:
    """Rows of a ``.csv`` or ``.ics`` file (chosen by the name's extension)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("The file is not UTF-8 text.") from None
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return read_csv(text)
    if lowered.endswith(ICS_EXTENSIONS):
        return read_ics(text)
    raise ImportFileError("Give a .csv or an .ics file.")


def error_text(exc: Exception) -> str:
    """A reason for the summary: ``attr: detail`` for domain errors and model validation."""
    if isinstance(exc, DomainError):
        return f"{exc.attr}: {exc.detail}" if exc.attr else exc.detail
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(getattr(exc, "messages", [str(exc)]))


def _row(line: int, convert, *args) -> ParsedRow:
    try:
        return ParsedRow(line=line, fields=convert(*args))
    except DomainError as exc:
        return ParsedRow(line=line, error=error_text(exc))


def moment_or_date(text: str, attr: str) -> dt.date | dt.datetime:
    """``YYYY-MM-DD`` is a date; anything else must be an ISO 8601 datetime."""
    text = text.strip()
    if not text:
        raise DomainError(f"{attr} is required.", code="required", attr=attr)
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise DomainError(
            f"'{text[:40]}' is neither a date (YYYY-MM-DD) nor an ISO 8601 datetime.", attr=attr
        ) from None


# --- CSV -------------------------------------------------------------------------------------------------


def _header(names: list[str] | None) -> list[str]:
    if not names:
        raise ImportFileError("The file is empty: the first line must be the header.")
    header = [name.strip().lower() for name in names]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if unknown or missing:
        problems = [f"unknown column(s): {', '.join(unknown)}"] if unknown else []
        problems += [f"missing column(s): {', '.join(missing)}"] if missing else []
        raise ImportFileError(f"Bad header ({'; '.join(problems)}). Columns: {', '.join(CSV_COLUMNS)}.")
    return header


def read_csv(text: str) -> list[ParsedRow]:
    """One row per CSV record after the header; ``line`` is where the record starts (1 = header)."""
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = _header(next(reader, None))
        rows, line = [], reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                if len(record) > len(header):
                    rows.append(ParsedRow(line=line, error=f"{len(record)} cells, but the header has {len(header)}."))
                else:
                    rows.append(_row(line, _csv_fields, dict(zip(header, record, strict=False))))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"Line {reader.line_num}: not valid CSV ({exc}).") from None
    return rows


def _flag(text: str) -> bool | None:
    text = text.strip().lower()
    if not text:
        return None
    if text in TRUE | FALSE:
        return text in TRUE
    raise DomainError("Give true or false (or leave it empty).", attr="all_day")


def _csv_fields(values: dict) -> dict:
    get = lambda name: (values.get(name) or "").strip()  # noqa: E731 - a local shorthand
    start, end = moment_or_date(get("start"), "start"), moment_or_date(get("end"), "end")
    dates = type(start) is dt.date
    if dates != (type(end) is dt.date):
        raise DomainError("Give both start and end as dates (all day) or both as datetimes.", attr="end")
    all_day = _flag(get("all_day"))
    if all_day is not None and all_day != dates:
        raise DomainError("all_day must agree with start/end: dates (YYYY-MM-DD) are all day.", attr="all_day")
    times = {"start_date": start, "end_date": end} if dates else {"start_at": start, "end_at": end}
    return {
        "user": get("user"),
        "type": get("type") or "vacation",
        "title": values.get("title") or "",
        "message": values.get("message") or "",
        "reason": values.get("reason") or "",
        "coverer": get("coverer"),
        "approval_delegate": get("approval_delegate"),
        "source": get("source") or None,
        "source_id": get("source_id"),
        "recurrence": get("recurrence"),
        "recurrence_exceptions": [item for item in re.split(r"[\s,;]+", get("recurrence_exceptions")) if item],
        **times,
    }


# --- ICS -------------------------------------------------------------------------------------------------


def _vevent_blocks(text: str) -> list[tuple[int, list[str]]]:
    """(first line, raw RRULE values) of each VEVENT, from the unfolded text: icalendar forgets line
    numbers, and it rewrites an RRULE in its own order, which would make a re-import look changed."""
    blocks, current, logical = [], None, []
    for number, physical in enumerate(text.splitlines(), start=1):
        if physical[:1] in (" ", "\t") and logical:
            logical[-1] = (logical[-1][0], logical[-1][1] + physical[1:])
        else:
            logical.append((number, physical))
    for number, line in logical:
        name = re.split(r"[;:]", line, maxsplit=1)[0].strip().upper()
        if line.strip().upper() == "BEGIN:VEVENT":
            current = (number, [])
        elif line.strip().upper() == "END:VEVENT" and current is not None:
            blocks.append(current)
            current = None
        elif name == "RRULE" and current is not None:
            current[1].append(line.split(":", 1)[1].strip() if ":" in line else "")
    return blocks


def read_ics(text: str) -> list[ParsedRow]:
    """One row per VEVENT, keyed by its UID; ``line`` is its ``BEGIN:VEVENT`` line."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as exc:
        raise ImportFileError(f"Not a valid iCalendar file ({exc}).") from None
    events = calendar.walk("VEVENT")
    blocks = _vevent_blocks(text)
    if len(events) != len(blocks):
        raise ImportFileError("Could not match the VEVENTs to their lines (is every VEVENT closed?).")
    return [_row(line, _ics_fields, event, rules) for event, (line, rules) in zip(events, blocks, strict=True)]


def _text(event, name: str, *, strip: bool = True) -> str:
    value = event.get(name)
    if value is None:
        return ""
    return str(value).strip() if strip else str(value)


def _ics_user(event) -> str:
    """``X-STANDIN-USER`` (username, email or id), else the ORGANIZER's, else the first ATTENDEE's email."""
    explicit = _text(event, "X-STANDIN-USER")
    if explicit:
        return explicit
    attendees = event.get("ATTENDEE") or []
    for value in [event.get("ORGANIZER"), *(attendees if isinstance(attendees, list) else [attendees])]:
        if value is not None and str(value).lower().startswith("mailto:"):
            return str(value)[7:].strip()
    raise DomainError("Name the user: X-STANDIN-USER, or an ORGANIZER/ATTENDEE email.", code="required", attr="user")


def _ics_times(event) -> dict:
    if event.get("DTSTART") is None:
        raise DomainError("DTSTART is required.", code="required", attr="start")
    start = event.decoded("DTSTART")
    if event.get("DTEND") is not None:
        end = event.decoded("DTEND")
    elif event.get("DURATION") is not None:
        end = start + event.decoded("DURATION")
    elif type(start) is dt.date:
        end = start + dt.timedelta(days=1)
    else:
        raise DomainError("A timed VEVENT needs DTEND or DURATION.", code="required", attr="end")
    if (type(start) is dt.date) != (type(end) is dt.date):
        raise DomainError("DTSTART and DTEND must both be dates or both be date-times.", attr="end")
    if type(start) is dt.date:
        # DTEND of an all-day event is the day after its last day.
        return {"start_date": start, "end_date": max(start, end - dt.timedelta(days=1))}
    return {"start_at": start, "end_at": end}


def _exceptions(event) -> list[str]:
    found = event.get("EXDATE") or []
    values = []
    for group in found if isinstance(found, list) else [found]:
        for item in group.dts:
            moment = item.dt
            if type(moment) is dt.date or moment.tzinfo is None:
                values.append(moment.isoformat())  # naive: the user's zone (the services read it so)
            else:
                values.append(moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"))
    return values


def _ics_fields(event, rules: list[str]) -> dict:
    if event.get("RECURRENCE-ID") is not None:
        raise DomainError("Changed single occurrences (RECURRENCE-ID) are not supported.", attr="recurrence")
    if len(rules) > 1:
        raise DomainError("Only one RRULE per VEVENT is supported.", attr="recurrence")
    return {
        "user": _ics_user(event),
        "type": _text(event, "X-STANDIN-TYPE") or "vacation",
        "title": _text(event, "SUMMARY", strip=False),
        "message": _text(event, "DESCRIPTION", strip=False),
        "reason": _text(event, "X-STANDIN-REASON", strip=False),
        "coverer": _text(event, "X-STANDIN-COVERER"),
        "approval_delegate": _text(event, "X-STANDIN-APPROVAL-DELEGATE"),
        "source": _text(event, "X-STANDIN-SOURCE") or None,
        "source_id": _text(event, "UID"),
        "recurrence": rules[0] if rules else "",
        "recurrence_exceptions": _exceptions(event),
        **_ics_times(event),
    }
