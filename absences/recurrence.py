"""Recurring absences: RRULE parsing and DST-correct expansion in the user's time zone.

Occurrences repeat at the same local wall-clock time (13:00 stays 13:00 across a DST change):
the rule is evaluated with a ``DTSTART`` in the user's zone, and each occurrence lasts
``end_at - start_at``. Exceptions (EXDATE) are ISO dates (skip that local day) or datetimes
(skip the occurrence starting then).
"""

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable
from functools import lru_cache
from itertools import chain, islice
from zoneinfo import ZoneInfo

from dateutil import rrule

from config.errors import DomainError

# An endless series is expanded at most this far; absences are at most 366 days long anyway.
MAX_OCCURRENCES = 5000
# An RRULE is text in RFC 5545's grammar, which OpenAPI cannot describe: a rule that does not parse,
# or that dateutil accepts but never (or too often) occurs, has a code of its own.
INVALID_RRULE = "invalid_rrule"


def parse_rrule(text: str, dtstart: dt.datetime) -> rrule.rrule:
    """Parse an RRULE (with or without the ``RRULE:`` prefix) anchored at an aware ``dtstart``."""
    # Keyed by wall time and zone: aware datetimes of different zones at one instant are equal.
    return _parse_rrule(text, dtstart.replace(tzinfo=None), dtstart.fold, dtstart.tzinfo)


# Parsed rules are immutable (dateutil's ``replace`` makes a new one): a "who is away now" request
# expands every open series of the organisation, hundreds of them, and parsing was a third of that.
@lru_cache(maxsize=4096)
def _parse_rrule(text: str, wall: dt.datetime, fold: int, zone) -> rrule.rrule:
    dtstart = wall.replace(tzinfo=zone, fold=fold)
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body or "\n" in body or "DTSTART" in body.upper():
        raise DomainError("Give a single RRULE such as FREQ=WEEKLY;BYDAY=FR.", attr="recurrence", code=INVALID_RRULE)
    try:
        rule = rrule.rrulestr(body, dtstart=dtstart, forceset=False, ignoretz=False)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise DomainError(f"Invalid RRULE: {exc}", attr="recurrence", code=INVALID_RRULE) from None
    if not isinstance(rule, rrule.rrule):
        raise DomainError("Give a single RRULE.", attr="recurrence", code=INVALID_RRULE)
    _check_feasible(rule)
    return rule


# Longest possible length of each month (February in leap years).
_MONTH_DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _check_feasible(rule: rrule.rrule) -> None:
    """Refuse rules dateutil accepts but that would make every expansion slow or endless: sub-daily
    frequencies (an absence lasts hours to days), a zero interval or count, and month/day
    combinations that never happen (dateutil would scan to the year 9999 looking for them)."""
    if rule._freq not in (rrule.YEARLY, rrule.MONTHLY, rrule.WEEKLY, rrule.DAILY):
        raise DomainError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.", attr="recurrence", code=INVALID_RRULE)
    if rule._interval < 1 or (rule._count is not None and rule._count < 1):
        raise DomainError("INTERVAL and COUNT must be at least 1.", attr="recurrence", code=INVALID_RRULE)
    months = rule._bymonth or tuple(_MONTH_DAYS)
    if any(month not in _MONTH_DAYS for month in months):
        raise DomainError("BYMONTH values run from 1 to 12.", attr="recurrence", code=INVALID_RRULE)
    days = [abs(day) for day in (rule._bymonthday or ()) + (rule._bynmonthday or ())]
    if days and not any(day <= _MONTH_DAYS[month] for month in months for day in days):
        raise DomainError(
            "This rule has no occurrences (no such day in those months).", attr="recurrence", code=INVALID_RRULE
        )


def user_zone(user) -> ZoneInfo:
    """The zone a user's local times and dates are read in (their work schedule; UTC if unset)."""
    zone = getattr(user, "timezone", None)
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone or "UTC"))


def _exceptions(values, zone: ZoneInfo) -> tuple[set[dt.date], set[dt.datetime]]:
    dates: set[dt.date] = set()
    moments: set[dt.datetime] = set()
    for value in values or []:
        text = str(value)
        if len(text) == 10:
            dates.add(dt.date.fromisoformat(text))
        else:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            moments.add(moment.astimezone(dt.UTC))
    return dates, moments


def _occurrence_end(absence, local_start: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """End of the occurrence starting at ``local_start`` (aware, in ``zone``), in UTC.

    A timed occurrence lasts ``end_at - start_at``. An all-day one keeps its wall-clock length
    (midnight to midnight), so on a DST-change day it is 23 or 25 hours long.
    """
    if getattr(absence, "all_day", False):
        wall = absence.end_at.astimezone(zone).replace(tzinfo=None) - absence.start_at.astimezone(zone).replace(
            tzinfo=None
        )
        return (local_start.replace(tzinfo=None) + wall).replace(tzinfo=zone).astimezone(dt.UTC)
    return local_start.astimezone(dt.UTC) + (absence.end_at - absence.start_at)


# Frequencies whose occurrences repeat every ``interval`` periods of a fixed number of local days.
_PERIOD_DAYS = {rrule.DAILY: 1, rrule.WEEKLY: 7}


def fast_forward(rule: rrule.rrule, before: dt.datetime) -> rrule.rrule:
    """The same series with ``DTSTART`` moved forward by whole periods to just before ``before``.

    dateutil walks every occurrence from ``DTSTART`` to reach a window, so a weekly series started
    years ago costs hundreds of steps per lookup. For DAILY and WEEKLY rules without ``COUNT`` or
    ``BYSETPOS`` the occurrences from a start moved by whole ``interval`` periods (local wall time,
    so DST is kept) are exactly the original ones from there on; one period of margin is kept.
    Other rules are returned unchanged.
    """
    days = _PERIOD_DAYS.get(rule._freq)
    if days is None or rule._count is not None or rule._bysetpos:
        return rule
    start = rule._dtstart
    period = dt.timedelta(days=days * rule._interval)
    periods = (before.replace(tzinfo=None) - start.replace(tzinfo=None)) // period - 1
    if periods <= 0:
        return rule
    return _moved(rule, periods)


# Like parsed rules, moved ones never change: the same series looked up in the same week (every
# "who is away now" of that week) reuses its moved rule instead of building a new rrule.
@lru_cache(maxsize=4096)
def _moved(rule: rrule.rrule, periods: int) -> rrule.rrule:
    start = rule._dtstart
    period = dt.timedelta(days=_PERIOD_DAYS[rule._freq] * rule._interval)
    return rule.replace(dtstart=(start.replace(tzinfo=None) + periods * period).replace(tzinfo=start.tzinfo))


# A series of at most this many occurrences (``COUNT``) is expanded once per parsed rule.
SHORT_SERIES = 500


@lru_cache(maxsize=4096)
def _all_starts(rule: rrule.rrule) -> tuple[dt.datetime, ...]:
    return tuple(rule)


def starts_from(rule: rrule.rrule, after: dt.datetime):
    """The occurrence starts of ``rule`` at or after ``after`` (dateutil's ``xafter(inc=True)``).

    A ``COUNT`` series cannot be fast-forwarded (its end depends on every occurrence), so dateutil
    walked it from ``DTSTART`` on every lookup: up to 26 weeks for each of the ~380 series an
    organisation-wide "who is away now" checks. Short ones are listed once per parsed rule instead
    (parsed rules are cached and never change, so neither does the list) and searched by bisection.
    """
    if rule._count is not None and rule._count <= SHORT_SERIES:
        starts = _all_starts(rule)
        return iter(starts[bisect_left(starts, after) :])
    moved = fast_forward(rule, after)
    first = _first_starts(moved)
    index = bisect_left(first, after)
    if index == len(first):  # past the listed starts (a rule that could not be moved)
        return moved.xafter(after, inc=True)
    if len(first) < FIRST_STARTS:  # the series ends among them
        return iter(first[index:])
    return chain(first[index:], moved.xafter(first[-1]))


# A moved rule starts a period or two before the window: its first starts are what a lookup reads
# (the covering occurrence, the next one), so they are listed once, like the moved rule itself.
FIRST_STARTS = 16


@lru_cache(maxsize=4096)
def _first_starts(rule: rrule.rrule) -> tuple[dt.datetime, ...]:
    return tuple(islice(rule, FIRST_STARTS))


def _expand(absence, window_from: dt.datetime, zone: ZoneInfo):
    """Yield the ``(start, end)`` pairs (UTC) of a recurring absence ending after ``window_from``."""
    rule = parse_rrule(absence.recurrence, absence.start_at.astimezone(zone))
    skip_dates, skip_moments = _exceptions(absence.recurrence_exceptions, zone)
    # Occurrences that start up to one occurrence length (plus a DST hour) earlier may still overlap.
    lookback = absence.end_at - absence.start_at + dt.timedelta(hours=1)
    after = (window_from - lookback).astimezone(zone)
    for index, occurrence in enumerate(starts_from(rule, after)):
        if index >= MAX_OCCURRENCES:
            return
        # Re-attach the zone so the UTC offset of *this* date applies (wall time kept across DST).
        local_start = occurrence.replace(tzinfo=zone)
        occ_start = local_start.astimezone(dt.UTC)
        occ_end = _occurrence_end(absence, local_start, zone)
        if occ_end <= window_from:
            continue
        if occurrence.date() in skip_dates or occ_start in skip_moments:
            continue
        yield occ_start, occ_end


def occurrences(absence, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The ``(start, end)`` pairs (UTC) of ``absence`` that overlap ``[start, end)``.

    A one-off absence gives itself when it overlaps. Needs ``absence.user`` (for the zone).
    """
    if not absence.recurrence:
        if absence.start_at < end and absence.end_at > start:
            return [(absence.start_at, absence.end_at)]
        return []
    found = []
    for occ_start, occ_end in _expand(absence, start, user_zone(absence.user)):
        if occ_start >= end:
            break
        found.append((occ_start, occ_end))
    return found


def current_or_next(absence, moment: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """The occurrence running at ``moment``, else the next one; None when the series is over."""
    if not absence.recurrence:
        return (absence.start_at, absence.end_at) if absence.end_at > moment else None
    return next(_expand(absence, moment, user_zone(absence.user)), None)


def series_end(absence) -> dt.datetime | None:
    """The end of the last occurrence, or None for an endless series (``COUNT``/``UNTIL`` absent)."""
    if not absence.recurrence:
        return absence.end_at
    zone = user_zone(absence.user)
    rule = parse_rrule(absence.recurrence, absence.start_at.astimezone(zone))
    if rule._count is None and rule._until is None:
        return None
    last = None
    for index, occurrence in enumerate(rule):
        if index >= MAX_OCCURRENCES:
            return None
        last = occurrence
    if last is None:
        return absence.end_at
    return _occurrence_end(absence, last.replace(tzinfo=zone), zone)


# ``series_covers`` keeps, per series (keyed by what expanding it reads), the first occurrence
# ending after the instant it was last asked about, and that instant. Bounded: cleared when full.
_NEXT_OCCURRENCE: dict[tuple, tuple[dt.datetime, tuple[dt.datetime, dt.datetime] | None]] = {}
NEXT_OCCURRENCE_ENTRIES = 8192


def series_covers(absence, at: dt.datetime) -> bool:
    """Whether an occurrence of ``absence`` covers ``at`` (``occurrences(absence, at, at + 1 µs)``
    is not empty), for a series; needs ``absence.user`` (for the zone).

    "Who is away now" asks this of every series running at that moment (hundreds), on every
    request. The first occurrence ending after ``t`` is also the first ending after any later
    instant before its end (every occurrence before it has ended by ``t``), so the one found for
    a series answers every later instant until it ends: the series is expanded again about once
    per occurrence, not on every request. Keyed by the fields expanding reads (a changed absence
    is another key) and the zone.
    """
    zone = user_zone(absence.user)
    skipped = tuple(str(value) for value in absence.recurrence_exceptions or ())  # what ``_exceptions`` reads
    key = (absence.recurrence, absence.start_at, absence.end_at, bool(absence.all_day), skipped, zone)
    return series_covers_known(key, at, lambda: absence)


def series_covers_known(key: tuple, at: dt.datetime, series: Callable[[], object]) -> bool:
    """``series_covers(series(), at)`` for a series that ``key`` stands for: any tuple of values
    that changes whenever something expanding it reads changes (the fields as read from the
    database, say). ``series()`` gives the series; it is called only when the series has to be
    expanded (about once per occurrence), so a caller checking hundreds of rows builds none.
    ``series_covers``' own keys begin with the rule's text, so they are never equal to a key of
    values read in another order."""
    known = _NEXT_OCCURRENCE.get(key)
    if known is not None and known[0] <= at and (known[1] is None or at < known[1][1]):
        found = known[1]
    else:
        absence = series()
        found = next(_expand(absence, at, user_zone(absence.user)), None)
        if len(_NEXT_OCCURRENCE) >= NEXT_OCCURRENCE_ENTRIES:
            _NEXT_OCCURRENCE.clear()
        _NEXT_OCCURRENCE[key] = (at, found)
    return found is not None and found[0] <= at
