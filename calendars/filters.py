"""Query-string filters for calendars and events."""

import django_filters

from calendars.models import Calendar, Event
from config.api.filters import FilterSet, UserRefFilter


class CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    pass


class CalendarFilter(FilterSet):
    owner = UserRefFilter(field_name="owner")
    member = UserRefFilter(field_name="members", distinct=True, label="Direct member (user reference)")
    is_public = django_filters.BooleanFilter()
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")

    class Meta:
        model = Calendar
        fields = ["owner", "member", "is_public", "search"]


class EventFilter(FilterSet):
    type = CharInFilter(field_name="type", label="Event types, comma-separated")
    end_at__gt = django_filters.IsoDateTimeFilter(field_name="end_at", lookup_expr="gt", label="Ending after")
    start_at__lt = django_filters.IsoDateTimeFilter(field_name="start_at", lookup_expr="lt", label="Starting before")
    attendee = UserRefFilter(field_name="attendees", distinct=True)

    class Meta:
        model = Event
        fields = ["type", "end_at__gt", "start_at__lt", "attendee"]
