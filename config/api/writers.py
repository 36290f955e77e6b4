"""Single-object responses written by plain functions derived from their serializer's declaration.

DRF builds a serializer's fields on every instantiation (a deep copy of each declared field, which
re-runs its ``__init__``), then writes each one through ``get_attribute`` and ``to_representation``:
~0.13 ms for the availability answer and ~0.2 ms for resolve's, several percent of those hot
requests. :func:`plain_data` writes the same dictionary with one function per field, worked out
once per serializer class from the declared fields' own ``to_representation``:

- only fields whose output is known exactly are taken (integers, strings, booleans, choices,
  dates, UTC datetimes, user references, lists of them, nested serializers of them); a field with
  another ``source``, another ``to_representation`` or a write-only one leaves the whole class to
  DRF;
- a value of an unexpected type (a callable, a naive ``str`` where a datetime was expected) sends
  that one call back to DRF, so the output is DRF's in every case.

Tests write many shapes both ways and compare (``tests/platform/test_writers.py``).
"""

import datetime as dt
import functools
import types
from collections.abc import Callable, Mapping

from rest_framework import serializers
from rest_framework.settings import ISO_8601, api_settings

from config.api.fields import LocalDateTimeField, UserRefField, user_ref, utc_text


class _Unexpected(Exception):
    """A value the plain writer does not know how to write exactly as DRF would."""


def _unexpected():
    raise _Unexpected


def _integer(value):
    if not isinstance(value, int) or isinstance(value, bool):
        _unexpected()
    return int(value)  # as DRF: an IntegerChoices member is written as its number


def _string(value):
    if not isinstance(value, str):
        _unexpected()
    return str(value)  # as DRF: a TextChoices member is written as its value


def _boolean(value):
    if type(value) is not bool:
        _unexpected()
    return value


def _instant(value):
    if not isinstance(value, dt.datetime):
        _unexpected()
    return utc_text(value)


def _choice(field: serializers.ChoiceField) -> Callable:
    by_text = field.choice_strings_to_values

    def write(value):
        if not isinstance(value, str):
            _unexpected()
        return by_text.get(str(value), value)

    return write


def _date(field: serializers.DateField) -> Callable | None:
    if getattr(field, "format", api_settings.DATE_FORMAT) != ISO_8601:
        return None

    def write(value):
        if type(value) is not dt.date:
            _unexpected()
        return value.isoformat()

    return write


def _list(field: serializers.ListField) -> Callable | None:
    child = _field_writer(field.child)
    if child is None:
        return None
    return lambda values: [None if item is None else child(item) for item in _sequence(values)]


def _sequence(values):
    if not isinstance(values, list | tuple):
        _unexpected()  # a manager or a queryset: DRF's field knows what to do
    return values


# A field's class's to_representation -> the plain writer of that field (None: not supported).
_BY_METHOD: dict[Callable, Callable[[serializers.Field], Callable | None]] = {
    serializers.IntegerField.to_representation: lambda field: _integer,
    serializers.CharField.to_representation: lambda field: _string,
    serializers.BooleanField.to_representation: lambda field: _boolean,
    serializers.ChoiceField.to_representation: _choice,
    serializers.DateField.to_representation: _date,
    serializers.ListField.to_representation: _list,
    LocalDateTimeField.to_representation: lambda field: _instant,
    UserRefField.to_representation: lambda field: _user,
}


def _user(value):
    if callable(value) or not hasattr(value, "username"):
        _unexpected()
    return user_ref(value)


def _field_writer(field: serializers.Field) -> Callable | None:
    if isinstance(field, serializers.BaseSerializer):
        return _writer_of(type(field)) if not isinstance(field, serializers.ListSerializer) else None
    make = _BY_METHOD.get(type(field).to_representation)
    return make(field) if make is not None else None


_WRITERS: dict[type, Callable | None] = {}
_SIMPLE_CALLABLES = (types.FunctionType, types.MethodType, functools.partial)  # DRF calls these


def _writer_of(serializer_class: type) -> Callable | None:
    if serializer_class in _WRITERS:
        return _WRITERS[serializer_class]
    _WRITERS[serializer_class] = writer = _build(serializer_class)
    return writer


def _build(serializer_class: type) -> Callable | None:
    if serializer_class.to_representation is not serializers.Serializer.to_representation:
        return None  # the class writes itself (e.g. ReadersMixin)
    writers = []
    for name, field in serializer_class._declared_fields.items():
        if field.write_only:
            continue
        if field.source not in (None, name):
            return None
        write = _field_writer(field)
        if write is None:
            return None
        writers.append((name, write))

    def write(instance) -> dict:
        get = instance.__getitem__ if isinstance(instance, Mapping) else instance.__getattribute__
        out = {}
        for name, write_field in writers:
            value = get(name)
            if value is None:
                out[name] = None
            elif isinstance(value, _SIMPLE_CALLABLES):
                _unexpected()  # DRF would call it
            else:
                out[name] = write_field(value)
        return out

    return write


def plain_data(serializer_class: type, instance) -> dict:
    """``serializer_class(instance).data`` (no context, no field selection), without DRF's field
    machinery whenever the declaration and the values allow (see the module docstring)."""
    writer = _writer_of(serializer_class)
    if writer is not None:
        try:
            return writer(instance)
        except (_Unexpected, KeyError, AttributeError):
            pass
    return serializer_class(instance).data
