"""Filters of the absence list (SPEC §4). Naive datetimes are read in the caller's time zone."""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from absences.models import Absence, AbsenceType
from absences.selectors import STATES, absences_in_state, overlapping_exactly
from config.api.fields import localize
from config.api.filters import ChoiceFilter, FilterSet, UserRefFilter

# Open ends of a ``from``/``to`` window (far enough, and safe for date arithmetic).
FAR_PAST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
FAR_FUTURE = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


class LocalDateTimeFormField(forms.Field):
    """ISO 8601 datetime (or date, meaning its midnight); naive values stay naive for the filter."""

    def to_python(self, value):
        if value is None:
            return None
        try:
            return dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError("Give an ISO 8601 datetime, e.g. 2026-03-02T09:00:00Z.", code="invalid") from None


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalDateTimeFilter(django_filters.Filter):
    field_class = LocalDateTimeFormField

    def moment(self, value: dt.datetime) -> dt.datetime:
        # Clamped so zone and recurrence arithmetic cannot overflow at the ends of the calendar.
        value = localize(value, getattr(self.parent.request, "user", None))
        # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows (a 500 otherwise).
        return min(max(value, FAR_PAST), FAR_FUTURE).astimezone(dt.UTC)

    def filter(self, qs, value):
        if value is None:
            return qs
        return super().filter(qs, self.moment(value))


class TypeKeysField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        # PostgreSQL refuses NUL in a query; no key contains it, so it is simply an unknown key.
        if any("\x00" in str(item) for item in value or []):
            raise ValidationError("Unknown absence type.", code="invalid_choice")
        return super().clean(value)


class TypeKeysFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = TypeKeysField

    def filter(self, qs, value):
        # One ``type_id IN (keys)``, not django-filter's OR of one condition per key: an index whose
        # first column is the type can take it (a window's count, migration 0007). The keys as
        # values: the cleaned types are read already, and their queryset would be a subquery.
        return qs.filter(**{f"{self.field_name}__in": [item.pk for item in value]}) if value else qs


class AbsenceFilter(FilterSet):
    user = UserRefFilter(label="Absences of these users (id, username, email or me); repeatable")
    # A foreign key matches each absence at most once: no DISTINCT (over every column, at every count).
    type = TypeKeysFilter(
        field_name="type",
        to_field_name="key",
        queryset=AbsenceType.objects.all(),
        label="Type keys; repeatable",
        distinct=False,
    )
    source = django_filters.CharFilter()
    source_id = django_filters.CharFilter()
    state = ChoiceFilter(choices=[(s, s) for s in STATES], method="filter_state")
    # ``from``/``to`` are Python keywords: declared below under their query names.
    start_at__gte = LocalDateTimeFilter(field_name="start_at", lookup_expr="gte")
    start_at__lt = LocalDateTimeFilter(field_name="start_at", lookup_expr="lt")
    end_at__gte = LocalDateTimeFilter(field_name="end_at", lookup_expr="gte")
    end_at__lt = LocalDateTimeFilter(field_name="end_at", lookup_expr="lt")
    updated_at__gte = LocalDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Absence
        fields = []

    def filter_state(self, queryset, name, value):
        return absences_in_state(queryset, value) if value else queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        start, end = self.form.cleaned_data.get("from"), self.form.cleaned_data.get("to")
        if start is None and end is None:
            return queryset
        window = self.filters["from"]
        start = window.moment(start) if start else FAR_PAST
        end = window.moment(end) if end else FAR_FUTURE
        # The list is over everyone for admins, over one's teams otherwise: the range index fits both.
        return overlapping_exactly(queryset, start, end, org_wide=True)


# Absences overlapping [from, to): the window filter is applied in ``filter_queryset`` (it needs both).
AbsenceFilter.base_filters["from"] = LocalDateTimeFilter(
    method=lambda queryset, name, value: queryset, label="Overlapping [from, to): from (inclusive)"
)
AbsenceFilter.base_filters["to"] = LocalDateTimeFilter(
    method=lambda queryset, name, value: queryset, label="Overlapping [from, to): to (exclusive)"
)
