"""Query-string filters for calendars and events."""

import datetime as dt

import django_filters
from django.core.exceptions import ValidationError

from calendars.models import Calendar, Event
from config.api.filters import BooleanFilter, FilterSet, UserRefFilter


class CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    pass


class DateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 datetime; an empty value is a 400 like any other non-datetime (the schema says
    ``format: date-time``), not a filter left out."""

    def to_python(self, value):
        if value == "":
            raise ValidationError("Give an ISO 8601 datetime, e.g. 2026-03-02T09:00:00Z.", code="invalid")
        moment = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows (-20:09 was a 500).
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError:  # before year 1 in UTC
            raise ValidationError("Give a time between the years 1 and 9999 in UTC.", code="out_of_range") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = DateTimeField


class CalendarFilter(FilterSet):
    owner = UserRefFilter(field_name="owner")
    member = UserRefFilter(field_name="members", distinct=True, label="Direct member (user reference)")
    is_public = BooleanFilter()
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")

    class Meta:
        model = Calendar
        fields = ["owner", "member", "is_public", "search"]


class EventFilter(FilterSet):
    type = CharInFilter(field_name="type", label="Event types, comma-separated")
    end_at__gt = DateTimeFilter(field_name="end_at", lookup_expr="gt", label="Ending after")
    start_at__lt = DateTimeFilter(field_name="start_at", lookup_expr="lt", label="Starting before")
    attendee = UserRefFilter(field_name="attendees", distinct=True)

    class Meta:
        model = Event
        fields = ["type", "end_at__gt", "start_at__lt", "attendee"]
