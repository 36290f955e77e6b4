"""``config.api.writers.plain_data`` writes exactly what the serializer writes, and hands to DRF
whatever it cannot write the same way."""

import datetime as dt

import pytest
from rest_framework import serializers

from config.api.serializers import ReadersMixin, Serializer
from config.api.writers import _writer_of, plain_data
from coverage.api.serializers import AvailabilitySerializer, ResolveResponseSerializer
from coverage.services import Resolution
from people.models import User
from rules.models import Rule

ANN = User(id=1, username="ann", email="ann@example.com", first_name="Ann", last_name="Lee")
BOB = User(id=2, username="bob", email="bob@example.com")
AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
BERLIN = dt.timezone(dt.timedelta(hours=1))
SUMMARY = {"id": 7, "type": "vacation", "title": "Skiing", "start_at": AT, "end_at": AT.astimezone(BERLIN)}
PRIVATE = {"id": 8, "type": "away", "title": "", "start_at": AT, "end_at": AT + dt.timedelta(days=1)}
RULE = Rule(id=5, kind=Rule.Kind.RECURRING, name="", action=Rule.Action.REASSIGN)

RESOLUTIONS = [
    Resolution(ANN, False, "none", ANN, "not_away"),
    Resolution(ANN, True, "none", ANN, "mentioned", chain=[]),
    Resolution(ANN, True, Rule.Action.UNASSIGN, None, "rule", message="Away.", rule=RULE, absence=SUMMARY, until=AT),
    Resolution(
        ANN,
        True,
        Rule.Action.REASSIGN,
        BOB,
        "rule",
        message="Bob has it",
        reply=True,
        rule=RULE,
        absence=PRIVATE,
        chain=[BOB],
    ),
    Resolution(ANN, True, "keep", ANN, "no_available_coverer", absence=SUMMARY, until=AT, chain=[BOB, ANN]),
]

AVAILABILITIES = [
    {
        "user": ANN,
        "at": AT,
        "available": True,
        "absence": None,
        "back_at": None,
        "coverer": None,
        "message": "",
        "next_absence": SUMMARY,
    },
    {
        "user": BOB,
        "at": AT.astimezone(BERLIN),
        "available": False,
        "absence": PRIVATE,
        "back_at": AT + dt.timedelta(days=3),
        "coverer": ANN,
        "message": "Back on Thursday.\nAsk Ann.",
        "next_absence": None,
    },
]


@pytest.mark.parametrize("resolution", RESOLUTIONS)
def test_resolve_answers_as_the_serializer_writes_them(resolution):
    write = _writer_of(ResolveResponseSerializer)
    assert write is not None, "the plain writer must be in use, or this proves nothing"
    expected = ResolveResponseSerializer(resolution).data
    assert write(resolution) == expected  # written plainly: no value sent back to DRF
    assert plain_data(ResolveResponseSerializer, resolution) == expected
    assert all(type(value) is str for value in (expected["action"], expected["reason"]))


@pytest.mark.parametrize("data", AVAILABILITIES)
def test_availability_answers_as_the_serializer_writes_them(data):
    write = _writer_of(AvailabilitySerializer)
    assert write is not None
    assert write(data) == AvailabilitySerializer(data).data  # written plainly
    written = plain_data(AvailabilitySerializer, data)
    assert written == AvailabilitySerializer(data).data
    assert written["at"].endswith("Z") and list(written) == list(AvailabilitySerializer().fields)


@pytest.mark.parametrize(
    "change",
    [
        {"message": 12},  # DRF writes "12"
        {"available": 1},  # DRF writes True
        {"at": "2026-03-02T09:30:00"},  # a string passes through DRF's datetime field
        {"absence": {**SUMMARY, "id": "7"}},  # DRF writes 7
    ],
)
def test_values_of_another_type_are_written_by_drf(change):
    data = {**AVAILABILITIES[1], **change}
    assert plain_data(AvailabilitySerializer, data) == AvailabilitySerializer(data).data


def test_a_missing_key_is_drfs_business():
    data = {key: value for key, value in AVAILABILITIES[0].items() if key != "message"}
    with pytest.raises(KeyError):
        AvailabilitySerializer(data).data  # noqa: B018 - the property raises
    with pytest.raises(KeyError):
        plain_data(AvailabilitySerializer, data)


class WithMethod(Serializer):
    id = serializers.IntegerField()
    shout = serializers.SerializerMethodField()

    def get_shout(self, obj) -> str:
        return obj["name"].upper()


class WithSource(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="username")


class WithReaders(ReadersMixin, Serializer):
    id = serializers.IntegerField()
    readers = {"id": lambda row: row["id"] * 10}


@pytest.mark.parametrize(
    ("serializer_class", "instance", "expected"),
    [
        (WithMethod, {"id": 1, "name": "ann"}, {"id": 1, "shout": "ANN"}),
        (WithSource, BOB, {"id": 2, "name": "bob"}),
        (WithReaders, {"id": 3}, {"id": 30}),
    ],
)
def test_serializers_it_cannot_write_are_left_to_drf(serializer_class, instance, expected):
    assert _writer_of(serializer_class) is None
    assert plain_data(serializer_class, instance) == expected
