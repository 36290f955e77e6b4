"""``series_covers`` (and ``series_values_cover``, for a series read as values) keeps the occurrence
it found for a series and answers later instants from it: asked in any order, it must give what
expanding the series at that instant gives."""

import datetime as dt
import random
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from absences import recurrence, selectors
from absences.models import Absence
from absences.recurrence import occurrences, series_covers
from absences.selectors import series_row
from tests.absences.factories import AbsenceFactory
from tests.factories import UserFactory

START = dt.datetime(2026, 3, 20, 12, 30, tzinfo=dt.UTC)  # a week before Europe's DST change
SERIES = [
    ("FREQ=WEEKLY;BYDAY=FR", dt.timedelta(hours=4), False, []),
    ("FREQ=WEEKLY;BYDAY=MO,FR;COUNT=9", dt.timedelta(hours=30), False, ["2026-03-27"]),
    ("FREQ=DAILY", dt.timedelta(days=3), False, ["2026-03-29T13:30:00+02:00"]),  # occurrences overlap
    ("FREQ=DAILY;INTERVAL=2;UNTIL=20260420T000000Z", dt.timedelta(minutes=45), False, []),
    ("FREQ=WEEKLY", dt.timedelta(days=1), True, ["2026-04-03"]),  # all day: 23 or 25 h across DST
    ("FREQ=MONTHLY;BYMONTHDAY=31", dt.timedelta(days=2), False, []),
]


def _series(text, length, all_day, exceptions, zone):
    start = START.astimezone(ZoneInfo(zone)).replace(hour=0, minute=0).astimezone(dt.UTC) if all_day else START
    return SimpleNamespace(
        recurrence=text,
        start_at=start,
        end_at=start + length,
        all_day=all_day,
        recurrence_exceptions=exceptions,
        user=SimpleNamespace(timezone=ZoneInfo(zone)),
    )


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "UTC"])
@pytest.mark.parametrize(("text", "length", "all_day", "exceptions"), SERIES)
def test_series_covers_is_expanding_at_that_instant(monkeypatch, text, length, all_day, exceptions, zone):
    monkeypatch.setattr(recurrence, "_NEXT_OCCURRENCE", {})
    absence = _series(text, length, all_day, exceptions, zone)
    rng = random.Random(f"{text}{zone}")
    # Every quarter hour over ten weeks in order (the cache's common case), then random instants,
    # earlier ones too, and the edges of occurrences.
    instants = [START - dt.timedelta(days=2) + n * dt.timedelta(minutes=15) for n in range(96 * 70)]
    edges = [edge for s, e in occurrences(absence, START, START + dt.timedelta(days=70)) for edge in (s, e)]
    instants += [moment + delta for moment in edges for delta in (-dt.timedelta(microseconds=1), dt.timedelta(0))]
    instants += rng.sample(instants, 2000)
    for at in instants:
        expected = bool(occurrences(absence, at, at + dt.timedelta(microseconds=1)))
        assert series_covers(absence, at) == expected, at


def test_a_changed_series_is_another_entry(monkeypatch):
    monkeypatch.setattr(recurrence, "_NEXT_OCCURRENCE", {})
    absence = _series("FREQ=DAILY", dt.timedelta(hours=2), False, [], "UTC")
    at = START + dt.timedelta(days=3, hours=1)
    assert series_covers(absence, at)
    absence.recurrence_exceptions = [at.date().isoformat()]
    assert not series_covers(absence, at)
    absence.recurrence_exceptions = []
    absence.end_at = absence.start_at + dt.timedelta(minutes=30)
    assert not series_covers(absence, at)


def test_the_kept_occurrences_are_bounded(monkeypatch):
    monkeypatch.setattr(recurrence, "_NEXT_OCCURRENCE", {})
    monkeypatch.setattr(recurrence, "NEXT_OCCURRENCE_ENTRIES", 5)
    for minutes in range(1, 12):
        absence = _series("FREQ=DAILY", dt.timedelta(minutes=minutes), False, [], "UTC")
        series_covers(absence, START)
        assert len(recurrence._NEXT_OCCURRENCE) <= 5


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_a_series_read_as_values_is_checked_as_the_absence_is(monkeypatch, zone):
    """``series_values_cover`` (who is away now: rows as read, known by their values) answers as
    expanding the stored absence does, and builds the series only to expand it again."""
    monkeypatch.setattr(recurrence, "_NEXT_OCCURRENCE", {})
    built = []
    monkeypatch.setattr(selectors, "series_row", lambda *values: built.append(values) or series_row(*values))
    person = UserFactory(timezone=zone)
    stored = AbsenceFactory(
        user=person,
        start_at=START,
        end_at=START + dt.timedelta(hours=30),
        recurrence="FREQ=WEEKLY;BYDAY=MO,FR;COUNT=9",
        recurrence_exceptions=["2026-03-27"],
    )
    values = Absence.objects.filter(pk=stored.pk).values_list(*selectors.SERIES_FIELDS).get()
    instants = [START - dt.timedelta(days=1) + n * dt.timedelta(minutes=30) for n in range(48 * 40)]
    for at in instants:
        expected = bool(occurrences(stored, at, at + dt.timedelta(microseconds=1)))
        assert selectors.series_values_cover(values, at) == expected, at
    # expanded about once per occurrence (9, one skipped), not once per instant (1,920)
    assert 8 <= len(built) <= 12, len(built)
