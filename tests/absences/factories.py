"""Factories for absences (types come from the seeded data migration)."""

import datetime as dt

import factory

from absences.models import Absence, AbsenceType
from absences.recurrence import series_end
from tests.factories import UserFactory


class AbsenceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AbsenceType
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"type{n}")
    name = factory.LazyAttribute(lambda t: t.key.title())


class AbsenceFactory(factory.django.DjangoModelFactory):
    """A one-off absence; pass ``type_id`` to pick a seeded type (default ``vacation``)."""

    class Meta:
        model = Absence

    user = factory.SubFactory(UserFactory)
    type_id = "vacation"
    start_at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    end_at = factory.LazyAttribute(lambda a: a.start_at + dt.timedelta(hours=8))
    recurrence = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        absence = model_class(*args, **kwargs)
        absence.series_end_at = series_end(absence)
        absence.save()
        return absence
