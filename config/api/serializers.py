"""The base serializer: ``?fields=`` selection and naive datetimes read in the subject's zone."""

import datetime as dt

from django.db import models
from rest_framework import serializers

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


class Serializer(FieldSelectionMixin, SubjectTimezoneMixin, serializers.Serializer):
    pass


class ModelSerializer(FieldSelectionMixin, SubjectTimezoneMixin, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: LocalDateTimeField,
    }
