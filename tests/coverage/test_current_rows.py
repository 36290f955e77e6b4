"""coverage/current's rows are written by plain functions (``CURRENT_READERS``), not DRF's fields:
the output must be exactly what the declared fields write."""

import datetime as dt

import pytest
from rest_framework import serializers

from coverage.api.serializers import CURRENT_READERS, CurrentCoverageSerializer
from coverage.api.views import coverage_row
from coverage.selectors import users_availability
from people.models import User
from rules.models import Rule
from tests.coverage.factories import T0, AwayFactory, RuleFactory, one_time
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
AT = T0 + dt.timedelta(hours=1)


@pytest.fixture
def away(user, other):
    carol, dave, erin = (UserFactory(username=name, timezone="Asia/Kolkata") for name in ("carol", "dave", "erin"))
    AwayFactory(user=user, coverer=other, title="Beach", message="Ask {coverer} until {until}.")
    AwayFactory(user=carol, type_id="sickness", title="Flu", message="Private {user}")
    one_time(dave, T0, T0 + dt.timedelta(hours=3), action=Rule.Action.REASSIGN, coverer=other, message="Rule.")
    RuleFactory(user=dave, action=Rule.Action.UNASSIGN, projects=["OPS", "PAY"], issue_types=["Bug"], name="n")
    AwayFactory(user=erin, start_at=T0 - dt.timedelta(days=2), end_at=T0 + dt.timedelta(days=1), recurrence="")
    return User.objects.filter(pk__in=[user.pk, carol.pk, dave.pk, erin.pk]).order_by("username")


@pytest.mark.parametrize("reveal", [True, False])
@pytest.mark.parametrize("fields", [None, ["user", "absence", "end_at"], ["rule", "projects", "message"]])
def test_rows_are_what_drf_writes(away, reveal, fields):
    states = users_availability(away, AT)
    rows = [coverage_row(states[u.pk], reveal=reveal) for u in away]
    assert len(rows) == 4 and any(row["rule"] for row in rows) and any(row["absence"] for row in rows)
    serializer = CurrentCoverageSerializer(selected_fields=fields)
    for row in rows:
        written = serializer.to_representation(row)
        by_drf = serializers.Serializer.to_representation(serializer, row)
        assert written == by_drf and list(written) == list(by_drf)


def test_every_field_has_a_reader():
    assert list(CurrentCoverageSerializer().fields) == list(CURRENT_READERS)
