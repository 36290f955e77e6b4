"""The base serializer: ``?fields=`` selection and naive datetimes read in the subject's zone."""

import datetime as dt
from collections.abc import Mapping

from django.db import models
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from config.api.errors import validation_error
from config.api.fields import LocalDateTimeField, localize

FIELDS_PARAM = "fields"


class FieldSelectionMixin:
    """Restricts output to ``fields`` (a list of names) given at construction by the view."""

    def __init__(self, *args, selected_fields: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._selected_fields = None
        if selected_fields:
            known = set(self.fields)
            unknown = [name for name in selected_fields if name not in known]
            if unknown:
                raise validation_error(
                    f"Unknown field(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.", attr=FIELDS_PARAM
                )
            self._selected_fields = set(selected_fields)

    @property
    def _readable_fields(self):
        for field in super()._readable_fields:
            if self._selected_fields is None or field.field_name in self._selected_fields:
                yield field


def _type_error(field: serializers.Field, key: str, default: str, **params) -> ErrorDetail:
    """The field's own DRF message and code for a wrong type, so clients see the codes DRF documents
    (``invalid``, ``not_a_list``) whether the type or the value was wrong."""
    message = field.error_messages.get(key, default)
    return ErrorDetail(message.format(**params), code=key)


def json_type_error(field: serializers.Field, value) -> ErrorDetail | dict | None:
    """Why ``value`` (decoded JSON) has the wrong type for ``field``, or None.

    DRF coerces by default (``0`` becomes ``"0"`` for a string, ``"yes"`` becomes ``True``, ``"7"``
    becomes ``7``); the schema promises exact JSON types, so a client sending the wrong type
    learns it from a 400 instead of storing something it did not mean."""
    if value is None:
        return None  # allow_null is the field's own business
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _type_error(field, "invalid", "Must be a valid boolean.")
    if isinstance(field, serializers.CharField):
        return None if isinstance(value, str) else ErrorDetail("Must be a string.", code="invalid")
    if isinstance(field, serializers.IntegerField):
        valid = isinstance(value, int) and not isinstance(value, bool)
        return None if valid else _type_error(field, "invalid", "A valid integer is required.")
    if isinstance(field, serializers.FloatField):
        valid = isinstance(value, int | float) and not isinstance(value, bool)
        return None if valid else _type_error(field, "invalid", "A valid number is required.")
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return _type_error(field, "not_a_list", "Must be a list.", input_type=type(value).__name__)
        errors = {}
        for index, item in enumerate(value):
            message = json_type_error(field.child, item)
            if isinstance(message, str):
                errors[index] = [message]
        return errors or None
    return None


class StrictJSONTypesMixin:
    """Rejects JSON input whose type differs from the field's declared type (see ``json_type_error``).

    Query strings (a ``QueryDict``: every value is text) are left to the fields' own parsing, so
    query-parameter serializers still read ``?team=5``."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping) and not isinstance(data, QueryDict):
            errors = {}
            for field in self._writable_fields:
                if field.field_name in data:
                    message = json_type_error(field, data[field.field_name])
                    if message:
                        errors[field.field_name] = [message] if isinstance(message, str) else message
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class SubjectTimezoneMixin:
    """Naive datetimes in a request are read in the time zone of the user they are about."""

    def subject_user(self, attrs: dict):
        user = attrs.get("user")
        if user is None and self.instance is not None and not isinstance(self.instance, list | models.QuerySet):
            user = getattr(self.instance, "user", None)
        if user is None:
            request = self.context.get("request")
            user = getattr(request, "user", None)
        return user

    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        naive = [k for k, v in attrs.items() if isinstance(v, dt.datetime) and v.tzinfo is None]
        if naive:
            user = self.subject_user(attrs)
            for key in naive:
                attrs[key] = localize(attrs[key], user)
        return attrs


class Serializer(FieldSelectionMixin, StrictJSONTypesMixin, SubjectTimezoneMixin, serializers.Serializer):
    pass


class ModelSerializer(FieldSelectionMixin, StrictJSONTypesMixin, SubjectTimezoneMixin, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: LocalDateTimeField,
    }
