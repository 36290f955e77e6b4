"""Factories for calendars, events and absences (rows created directly, as the absences app would)."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory

from absences.models import Absence, AbsenceType
from absences.recurrence import series_end
from calendars.models import Calendar, Event
from config.api.fields import zone_of
from tests.factories import UserFactory


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Calendar
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Calendar {n}")
    owner = factory.SubFactory(UserFactory)
    color = "#2563eb"

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)

    @factory.post_generation
    def absence_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.absence_types.set(extracted)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    calendar = factory.SubFactory(CalendarFactory)
    type = "meeting"
    title = factory.Sequence(lambda n: f"Event {n}")
    start_at = dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC)
    end_at = factory.LazyAttribute(lambda e: e.start_at + dt.timedelta(hours=1))


def absence_type(key: str) -> AbsenceType:
    return AbsenceType.objects.get(key=key)


def make_absence(user, start_at, end_at, *, type="vacation", **fields) -> Absence:
    """An absence row as the absences service would store it (``series_end_at`` filled in)."""
    absence = Absence(user=user, type=absence_type(type), start_at=start_at, end_at=end_at, **fields)
    absence.series_end_at = series_end(absence)
    absence.save()
    return absence


def make_all_day(user, first: dt.date, last: dt.date, **fields) -> Absence:
    """An all-day absence: local midnight of ``first`` to the midnight after ``last`` in the user's zone."""
    zone = zone_of(user)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    return make_absence(user, start, end, all_day=True, start_date=first, end_date=last, **fields)


def local(user_or_zone, *args) -> dt.datetime:
    zone = ZoneInfo(user_or_zone) if isinstance(user_or_zone, str) else zone_of(user_or_zone)
    return dt.datetime(*args, tzinfo=zone).astimezone(dt.UTC)


__all__ = ["CalendarFactory", "EventFactory", "UserFactory", "absence_type", "local", "make_absence", "make_all_day"]
