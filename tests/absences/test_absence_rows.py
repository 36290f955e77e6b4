"""Absences are written value by value (``READERS``), not through DRF's per-field machinery: the
output must be exactly what DRF's fields write, for every kind of absence and field selection."""

import datetime as dt

import pytest
import time_machine
from rest_framework import serializers

from absences.api.serializers import READERS, AbsenceSerializer
from absences.models import Absence
from tests.absences.factories import AbsenceFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def variety(user, staff):
    mate = UserFactory(username="mate", first_name="Mia", last_name="Tee", timezone="America/New_York")
    day = dt.date(2026, 3, 2)
    return [
        AbsenceFactory(user=user),
        AbsenceFactory(user=user, type_id="sickness", title="Flu", reason="ill", message="Ask {coverer}"),
        AbsenceFactory(user=mate, coverer=user, approval_delegate=staff, source="jira", source_id="PTO-1"),
        AbsenceFactory(user=mate, all_day=True, start_date=day, end_date=day, start_at=utc(2026, 3, 2, 5)),
        AbsenceFactory(
            user=user,
            start_at=utc(2026, 1, 5, 13),
            end_at=utc(2026, 1, 5, 17),
            recurrence="FREQ=WEEKLY;BYDAY=MO;COUNT=20",
            recurrence_exceptions=["2026-03-02", "2026-03-09T13:00:00+00:00"],
        ),
        AbsenceFactory(user=mate, start_at=utc(2025, 1, 1), end_at=utc(2025, 1, 2), recurrence="FREQ=DAILY"),
        AbsenceFactory(user=user, start_at=utc(2024, 5, 1, 9, 30, 15, 120), end_at=utc(2024, 5, 1, 10)),
    ]


def by_drf(serializer: AbsenceSerializer, absence: Absence) -> dict:
    return serializer.hide_private(absence, serializers.ModelSerializer.to_representation(serializer, absence))


@time_machine.travel(utc(2026, 3, 4, 12), tick=False)
@pytest.mark.parametrize("details_visible", [True, False])
@pytest.mark.parametrize("fields", [None, ["id", "type", "title", "start_at", "state"], ["working_days", "coverer"]])
def test_rows_are_what_drf_writes(variety, details_visible, fields):
    rows = Absence.objects.filter(pk__in=[a.pk for a in variety]).select_related(
        "user", "type", "coverer", "approval_delegate"
    )
    serializer = AbsenceSerializer(context={"details_visible": details_visible}, selected_fields=fields)
    for absence in rows:
        assert serializer.to_representation(absence) == by_drf(serializer, absence)
        assert list(serializer.to_representation(absence)) == list(by_drf(serializer, absence))


def test_every_read_field_has_a_reader():
    """A field added to the serializer without a reader falls back to DRF (slow, but right)."""
    assert [name for name, field in AbsenceSerializer().fields.items() if not field.write_only] == list(READERS)


def test_a_selection_does_not_stick_to_the_next_serializer(variety):
    """The readable names are learnt once per class: a first serializer with ``?fields=`` must not
    narrow the ones after it, nor the other way round."""
    from config.api.serializers import ReadersMixin

    ReadersMixin._readable_names.pop(AbsenceSerializer, None)
    absence = variety[2]
    assert list(AbsenceSerializer(absence, selected_fields=["coverer", "id"]).data) == ["id", "coverer"]
    assert list(AbsenceSerializer(absence).data) == list(READERS)
    assert list(AbsenceSerializer(absence, selected_fields=["state"]).data) == ["state"]


@time_machine.travel(utc(2026, 3, 4, 12), tick=False)
@pytest.mark.parametrize("details_visible", [True, False])
@pytest.mark.parametrize("fields", [None, ["user", "coverer", "approval_delegate", "type", "state", "working_days"]])
def test_plain_rows_write_what_models_write(variety, staff, details_visible, fields):
    """The list's pages are read as ``AbsenceRow``s, not models: the same output, key for key."""
    from absences.selectors import absence_list, absence_rows

    variety[0].user.first_name = ""  # a name left blank is shown by username
    variety[0].user.save()
    listed = absence_list(viewer=staff, admin=True).filter(pk__in=[a.pk for a in variety]).order_by("start_at", "pk")
    serializer = AbsenceSerializer(context={"details_visible": details_visible}, selected_fields=fields)
    models, rows = list(listed), absence_rows(listed)
    assert [row.pk for row in rows] == [model.pk for model in models]
    for model, row in zip(models, rows, strict=True):
        assert (row.user_id, row.type_id, row.coverer_id) == (model.user_id, model.type_id, model.coverer_id)
        assert list(serializer.to_representation(row).items()) == list(serializer.to_representation(model).items())
