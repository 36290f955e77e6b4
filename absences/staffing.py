"""Per-day team staffing: who of a team works on a day, and who of them is away.

A member *works* on a date when it is one of their working days and not a public holiday of their
region (``people.schedules.working_dates``). A working member is *away* on that date when an
occurrence of one of their away-type absences overlaps any part of that date in their own time
zone (local midnight to the next local midnight, end exclusive). Dates are calendar dates; each
member's are read in their own zone, so a team spread over zones is compared date by date.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from absences.models import Absence
from absences.recurrence import occurrences, user_zone
from people.schedules import working_dates


@dataclass
class DayStaffing:
    """One team date: ``scheduled`` members work that day, ``available`` of them are not away.

    ``below_minimum`` is true when at least one member is scheduled and fewer than the team's
    ``min_available`` are available; a date nobody works (weekend, shared holiday) never is.
    """

    date: dt.date
    available: int
    away: list = field(default_factory=list)
    below_minimum: bool = False
    scheduled: int = 0


def local_day_bounds(day: dt.date, zone) -> tuple[dt.datetime, dt.datetime]:
    """``[local midnight of day, local midnight after)`` in UTC (23 or 25 hours on DST days)."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    return start, end


def covered_dates(occurrence: tuple[dt.datetime, dt.datetime], zone) -> list[dt.date]:
    """The local dates an occurrence ``(start, end)`` (end exclusive) has time on."""
    first = occurrence[0].astimezone(zone).date()
    last = (occurrence[1] - dt.timedelta(microseconds=1)).astimezone(zone).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def away_dates(user, absences, start: dt.date, end: dt.date) -> set[dt.date]:
    """Local dates in ``[start, end]`` on which any of ``absences`` (all ``user``'s) has time."""
    zone = user_zone(user)
    window_start = local_day_bounds(start, zone)[0]
    window_end = local_day_bounds(end, zone)[1]
    found: set[dt.date] = set()
    for absence in absences:
        for occurrence in occurrences(absence, window_start, window_end):
            found.update(d for d in covered_dates(occurrence, zone) if start <= d <= end)
    return found


def _away_absences_by_user(members, start: dt.date, end: dt.date) -> dict[int, list[Absence]]:
    """One query: the away-type absences of ``members`` that may touch their local ``[start, end]``."""
    if not members:
        return {}
    # Local midnights are within UTC-12..UTC+14 of UTC midnight; the expansion below is exact.
    window_start = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC) - dt.timedelta(hours=15)
    window_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC) + dt.timedelta(hours=15)
    by_id = {member.pk: member for member in members}
    grouped: dict[int, list[Absence]] = defaultdict(list)
    for absence in Absence.objects.of_people_overlapping(by_id, window_start, window_end).away():
        absence.user = by_id[absence.user_id]  # reuse the loaded member: no query per absence
        grouped[absence.user_id].append(absence)
    return grouped


def members_staffing(members, min_available: int, start: dt.date, end: dt.date) -> list["DayStaffing"]:
    """Per-date staffing of an explicit member list (see ``team_staffing``)."""
    members = list(members)
    absences = _away_absences_by_user(members, start, end)
    working = {m.pk: set(working_dates(m, start, end)) for m in members}
    away = {m.pk: away_dates(m, absences.get(m.pk, []), start, end) for m in members}
    days = []
    day = start
    while day <= end:
        scheduled = [m for m in members if day in working[m.pk]]
        away_today = [m for m in scheduled if day in away[m.pk]]
        available = len(scheduled) - len(away_today)
        below = bool(scheduled) and available < min_available
        days.append(DayStaffing(day, available, away_today, below, len(scheduled)))
        day += dt.timedelta(days=1)
    return days


def team_staffing(team, start: dt.date, end: dt.date) -> list[DayStaffing]:
    """One ``DayStaffing`` per date in ``[start, end]`` (inclusive) for ``team``.

    Two queries whatever the team size (members, then their away absences in the window); pass a
    team with ``members`` prefetched to make it one.
    """
    return members_staffing(team.members.all(), team.min_available, start, end)
