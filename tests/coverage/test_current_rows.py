"""coverage/current's rows are written by plain functions (``CURRENT_READERS``), not DRF's fields:
the output must be exactly what the declared fields write."""

import datetime as dt

import pytest
from rest_framework import serializers

from coverage.api.serializers import CURRENT_READERS, CurrentCoverageSerializer
from coverage.api.views import coverage_row
from coverage.selectors import user_availability, users_availability
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


def _as_written(state, reveal):
    row = coverage_row(state, reveal=reveal)
    upcoming = state.next_span
    return (
        CurrentCoverageSerializer().to_representation(row),
        state.available,
        state.back_at,
        state.away_since,
        None if upcoming is None else (upcoming.start, upcoming.end, upcoming.absence.pk),
    )


@pytest.mark.parametrize("reveal", [True, False])
def test_a_page_reads_what_one_person_reads(user, other, reveal):
    """A page's absences are read as values with their coverers joined (one query, the covering
    ones picked in Python); one person's as models. Both give every person the same row, stretch
    and next absence: coverer names and addresses, private types, series and their exceptions."""
    coverer = UserFactory(username="cov", first_name="Zoë", last_name="Ng", email="zoe@example.com")
    carol, dave, erin, fay = (UserFactory(username=name, timezone="Europe/Berlin") for name in "cdef")
    AwayFactory(user=user, coverer=coverer, title="Beach", message="Ask {coverer} until {until}.")
    AwayFactory(user=user, start_at=T0 + dt.timedelta(hours=8), end_at=T0 + dt.timedelta(days=2), coverer=other)
    AwayFactory(user=user, start_at=T0 + dt.timedelta(days=20), end_at=T0 + dt.timedelta(days=21))
    AwayFactory(user=carol, type_id="sickness", title="Flu", message="Private {user}", coverer=coverer)
    weekly = dict(start_at=T0 - dt.timedelta(days=7), end_at=T0 - dt.timedelta(days=7, hours=-4))
    AwayFactory(user=dave, recurrence="FREQ=WEEKLY", recurrence_exceptions=["2026-11-30"], coverer=other, **weekly)
    AwayFactory(user=erin, recurrence="FREQ=WEEKLY;COUNT=3", recurrence_exceptions=["2026-11-23"], **weekly)
    AwayFactory(user=erin, start_at=T0 - dt.timedelta(days=1), end_at=T0 + dt.timedelta(hours=2), message="Hi")
    one_time(fay, T0, T0 + dt.timedelta(hours=3), action=Rule.Action.REASSIGN, coverer=coverer, message="Rule.")
    people = list(User.objects.filter(pk__in=[user.pk, carol.pk, dave.pk, erin.pk, fay.pk]).order_by("username"))
    page = users_availability(people, AT)
    assert [page[p.pk].available for p in people] == [False, False, False, False, False]
    for person in people:
        assert _as_written(page[person.pk], reveal) == _as_written(user_availability(person, AT), reveal)
    assert page[user.pk].span.absence.coverer.email == "zoe@example.com"
