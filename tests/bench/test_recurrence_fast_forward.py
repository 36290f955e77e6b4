"""Fast-forwarded recurrence expansion gives exactly the occurrences of a full walk from DTSTART."""

import datetime as dt
from itertools import islice
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule

from absences.recurrence import fast_forward, occurrences, parse_rrule, starts_from

RULES = [
    "FREQ=WEEKLY;BYDAY=FR",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
    "FREQ=WEEKLY;INTERVAL=3",
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=5;BYHOUR=9,13",
    "FREQ=WEEKLY;BYDAY=SU;UNTIL=20300101T000000Z",
    "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=WEEKLY;BYDAY=TU;COUNT=400",
    "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=26",
    "FREQ=DAILY;INTERVAL=2;COUNT=7",
    "FREQ=MONTHLY;BYDAY=-1FR;COUNT=12",
    "FREQ=WEEKLY;COUNT=600",
]
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"]


def _full(absence, start, end):
    """The reference: every occurrence walked from DTSTART, without the fast-forward."""
    zone = absence.user.timezone
    rule = parse_rrule(absence.recurrence, absence.start_at.astimezone(zone))
    length = absence.end_at - absence.start_at
    found = []
    for occurrence in rule:
        occ_start = occurrence.replace(tzinfo=zone).astimezone(dt.UTC)
        if occ_start >= end:
            break
        if occ_start + length > start:
            found.append((occ_start, occ_start + length))
    return found


@pytest.mark.parametrize("text", RULES)
@pytest.mark.parametrize("zone", ZONES)
def test_fast_forward_keeps_every_occurrence_across_years_and_dst(text, zone):
    user = SimpleNamespace(timezone=ZoneInfo(zone))
    first = dt.datetime(2019, 3, 8, 13, 30, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)
    absence = SimpleNamespace(
        user=user, recurrence=text, recurrence_exceptions=[], start_at=first, end_at=first + dt.timedelta(hours=4)
    )
    for window_start in [dt.datetime(2019, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 20, tzinfo=dt.UTC),
                         dt.datetime(2026, 10, 20, 5, tzinfo=dt.UTC)]:  # fmt: skip
        window_end = window_start + dt.timedelta(days=40)
        assert occurrences(absence, window_start, window_end) == _full(absence, window_start, window_end)


def test_fast_forward_leaves_rules_it_cannot_shift_alone():
    start = dt.datetime(2020, 1, 6, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    later = dt.datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/Berlin"))
    counted = rrule.rrule(rrule.WEEKLY, dtstart=start, count=500)
    monthly = rrule.rrule(rrule.MONTHLY, dtstart=start)
    assert fast_forward(counted, later) is counted
    assert fast_forward(monthly, later) is monthly
    moved = fast_forward(rrule.rrule(rrule.WEEKLY, dtstart=start, interval=2), later)
    assert moved._dtstart < later and (later - moved._dtstart) <= dt.timedelta(weeks=4)
    assert moved._dtstart.hour == 9 and (moved._dtstart.date() - start.date()).days % 14 == 0


@pytest.mark.parametrize("text", ["FREQ=WEEKLY;BYDAY=MO,WE;COUNT=26", "FREQ=DAILY;COUNT=3", "FREQ=WEEKLY;COUNT=600"])
def test_starts_from_is_xafter_inclusive_also_on_an_occurrence(text):
    """A short COUNT series is listed once and bisected: the same starts as dateutil's walk,
    ``after`` itself included when it is an occurrence (and across a DST change)."""
    zone = ZoneInfo("Europe/Berlin")
    rule = parse_rrule(text, dt.datetime(2026, 3, 2, 9, tzinfo=zone))
    every = list(rule)
    for after in [every[0], every[1], every[-1], every[1] + dt.timedelta(seconds=1), every[-1] + dt.timedelta(days=1),
                  dt.datetime(2026, 3, 29, 12, tzinfo=zone), dt.datetime(2020, 1, 1, tzinfo=zone)]:  # fmt: skip
        assert list(starts_from(rule, after)) == list(rule.xafter(after, inc=True))


ENDLESS_OR_LONG = ["FREQ=WEEKLY;BYDAY=MO,WE", "FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY;UNTIL=20260601T000000Z"]


@pytest.mark.parametrize("text", ENDLESS_OR_LONG)
def test_starts_from_continues_past_the_listed_first_starts(text):
    """A moved rule's first starts are listed once; a lookup reading further (a year ahead) goes on
    with dateutil from the last of them, without a gap or a repeat."""
    zone = ZoneInfo("America/New_York")
    rule = parse_rrule(text, dt.datetime(2024, 1, 3, 13, 30, tzinfo=zone))
    for after in [dt.datetime(2026, 3, 4, 13, 30, tzinfo=zone), dt.datetime(2026, 3, 7, 2, tzinfo=zone),
                  dt.datetime(2025, 11, 1, tzinfo=zone), dt.datetime(2026, 5, 30, tzinfo=zone)]:  # fmt: skip
        assert list(islice(starts_from(rule, after), 60)) == list(islice(rule.xafter(after, inc=True), 60))
