import datetime as dt

import factory

from rules.models import Rule
from tests.factories import UserFactory


class RuleFactory(factory.django.DjangoModelFactory):
    """A row as the services would leave it (status given explicitly; tests of status use the API)."""

    class Meta:
        model = Rule

    user = factory.SubFactory(UserFactory)
    kind = Rule.Kind.ONE_TIME
    name = factory.Sequence(lambda n: f"Rule {n}")
    start_at = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    end_at = dt.datetime(2026, 12, 5, 17, tzinfo=dt.UTC)
    action = Rule.Action.KEEP
    status = Rule.Status.SCHEDULED
    created_by = factory.SelfAttribute("user")
