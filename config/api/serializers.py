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


class ReadersMixin:
    """Writes each read field with a plain function of the instance, from ``readers`` (field name ->
    function), instead of DRF's field objects: a page of rows otherwise costs a ``get_attribute``
    and a ``to_representation`` call chain per field and row. A reader must return exactly what
    the declared field writes (tests compare both ways); ``?fields=`` selection still applies, and a
    readable field without a reader sends the whole serializer back to DRF's own way."""

    readers: dict = {}
    _readers: list | None = None
    # The readable field names of each class, in order: building a ModelSerializer's fields (~0.3 ms
    # for an absence's 22) to learn them again on every request was a tenth of a list's Python time.
    # A serializer's readable fields are its class's: declared, or built from Meta, never per instance.
    _readable_names: dict[type, list[str]] = {}

    def readable_names(self) -> list[str]:
        names = ReadersMixin._readable_names.get(type(self))
        if names is None:
            # All of them (as DRF's ``_readable_fields``), whatever ``?fields=`` this one selects.
            fields = self.fields.items()
            names = ReadersMixin._readable_names[type(self)] = [name for name, field in fields if not field.write_only]
        selected = getattr(self, "_selected_fields", None)
        return names if selected is None else [name for name in names if name in selected]

    def to_representation(self, instance):
        if self._readers is None:  # once per serializer: a list's rows share one child
            names = self.readable_names()
            known = set(names) <= self.readers.keys()
            self._readers = [(name, self.readers[name]) for name in names] if known else []
        if not self._readers:
            return super().to_representation(instance)
        return {name: read(instance) for name, read in self._readers}


def json_type_error(field: serializers.Field, value) -> ErrorDetail | dict | None:
    """Why ``value`` (decoded JSON) has the wrong type for ``field``, or None.

    DRF coerces by default (``0`` becomes ``"0"`` for a string, ``"yes"`` becomes ``True``, ``"7"``
    becomes ``7``); the schema promises exact JSON types, so a client sending the wrong type
    learns it from a 400 instead of storing something it did not mean. The messages and codes are
    the field's own (DRF's), so clients see the same error as for any other invalid value."""
    if value is None:
        return None  # allow_null is the field's own business

    def invalid() -> ErrorDetail:
        return ErrorDetail(str(field.error_messages.get("invalid", "Invalid value.")), code="invalid")

    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else invalid()
    if isinstance(field, serializers.CharField):
        return None if isinstance(value, str) else invalid()
    if isinstance(field, serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else invalid()
    if isinstance(field, serializers.FloatField):
        return None if isinstance(value, int | float) and not isinstance(value, bool) else invalid()
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            message = field.error_messages["not_a_list"].format(input_type=type(value).__name__)
            return ErrorDetail(message, code="not_a_list")
        errors = {}
        for index, item in enumerate(value):
            detail = json_type_error(field.child, item)
            if isinstance(detail, ErrorDetail):
                errors[index] = [detail]
        return errors or None
    return None


class StrictJSONTypesMixin:
    """Rejects JSON input whose type differs from the field's declared type (see ``json_type_error``).

    Query strings (a ``QueryDict``) carry only text, so serializers validating them keep DRF's coercion."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping) and not isinstance(data, QueryDict):
            errors = {}
            for field in self._writable_fields:
                if field.field_name in data:
                    detail = json_type_error(field, data[field.field_name])
                    if detail:
                        errors[field.field_name] = [detail] if isinstance(detail, ErrorDetail) else detail
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
