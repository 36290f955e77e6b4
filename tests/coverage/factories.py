"""Coverage test data built straight from the models (no other app's services)."""

import datetime as dt

import factory

from absences.models import Absence
from absences.recurrence import series_end
from rules.models import Rule
from tests.factories import UserFactory

T0 = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)  # a Monday


class AwayFactory(factory.django.DjangoModelFactory):
    """An absence (default: vacation, 09:00 to 17:00 UTC on T0); ``series_end_at`` as the model expects."""

    class Meta:
        model = Absence

    user = factory.SubFactory(UserFactory)
    type_id = "vacation"
    start_at = T0
    end_at = factory.LazyAttribute(lambda a: a.start_at + dt.timedelta(hours=8))
    recurrence = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        absence = model_class(*args, **kwargs)
        absence.series_end_at = series_end(absence)
        absence.save()
        return absence


class RuleFactory(factory.django.DjangoModelFactory):
    """A recurring ``keep`` rule unless told otherwise; one-time rules need ``start_at``/``end_at``."""

    class Meta:
        model = Rule

    user = factory.SubFactory(UserFactory)
    kind = Rule.Kind.RECURRING
    action = Rule.Action.KEEP
    enabled = True
    projects = factory.LazyFunction(list)
    issue_types = factory.LazyFunction(list)


def one_time(user, start, end, **kwargs) -> Rule:
    return RuleFactory(user=user, kind=Rule.Kind.ONE_TIME, start_at=start, end_at=end, **kwargs)
