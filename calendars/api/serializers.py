import datetime as dt

from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import serializers

from absences.api.serializers import TypeKeyField
from absences.models import AbsenceType
from calendars.models import Calendar, Event
from calendars.services import event_times
from config.api.access import acts_as_admin
from config.api.errors import validation_error
from config.api.fields import (
    FIRST_YEAR,
    LAST_YEAR,
    DateOrDateTimeField,
    LocalDateTimeField,
    UserRefField,
    UserRefListField,
    user_ref,
    zone_of,
)
from config.api.serializers import ModelSerializer, Serializer
from config.errors import DomainError
from people.models import Team


def feed_url(request, calendar: Calendar) -> str:
    return request.build_absolute_uri(reverse("calendar-feed", args=[calendar.pk])) + f"?key={calendar.feed_key}"


class CalendarSerializer(ModelSerializer):
    owner = UserRefField(required=False, help_text="User reference; default the caller (another owner: admins)")
    members = UserRefListField(required=False, help_text="User references whose absences the calendar shows")
    teams = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Team.objects.all(), help_text="Team ids; their members count as members"
    )
    absence_types = TypeKeyField(
        many=True,
        required=False,
        slug_field="key",
        queryset=AbsenceType.objects.filter(is_active=True),
        help_text="Absence type keys shown; empty = all types",
    )
    feed_key = serializers.SerializerMethodField(help_text="Secret key of the ICS feed (owner and admins only)")
    feed_url = serializers.SerializerMethodField(help_text="ICS feed URL with its key (owner and admins only)")

    class Meta:
        model = Calendar
        fields = [
            "id",
            "name",
            "description",
            "color",
            "owner",
            "members",
            "teams",
            "absence_types",
            "is_public",
            "feed_key",
            "feed_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def _shows_key(self, obj) -> bool:
        request = self.context.get("request")
        return request is not None and (obj.owner_id == request.user.pk or acts_as_admin(request))

    def get_feed_key(self, obj) -> str | None:
        return obj.feed_key if self._shows_key(obj) else None

    def get_feed_url(self, obj) -> str | None:
        return feed_url(self.context["request"], obj) if self._shows_key(obj) else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self._shows_key(instance):
            data.pop("feed_key", None)
            data.pop("feed_url", None)
        return data


class FeedKeySerializer(Serializer):
    feed_key = serializers.CharField(read_only=True)
    feed_url = serializers.CharField(read_only=True)


class EventSerializer(ModelSerializer):
    """Send ``start_at``/``end_at`` for a timed event or ``start_date``/``end_date`` (inclusive) for an all-day one."""

    start_at = LocalDateTimeField(required=False, help_text="Naive values are read in the caller's zone")
    end_at = LocalDateTimeField(required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    attendees = UserRefListField(required=False)

    class Meta:
        model = Event
        fields = [
            "id",
            "calendar",
            "type",
            "title",
            "description",
            "start_at",
            "end_at",
            "all_day",
            "start_date",
            "end_date",
            "attendees",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["calendar", "all_day", "created_at", "updated_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        dates = attrs.get("start_date") is not None or attrs.get("end_date") is not None
        times = "start_at" in attrs or "end_at" in attrs
        if dates and times:
            raise validation_error(
                "Send start_at/end_at or start_date/end_date, not both.", attr="start_date", code="exclusive"
            )
        for key in ("start_date", "end_date"):
            if attrs.get(key, 0) is None:
                attrs.pop(key)
        if not dates and not times:
            if self.instance is None:
                raise validation_error(
                    "Send start_at and end_at, or start_date and end_date.", attr="start_at", code="required"
                )
            return attrs
        attrs["times"] = self._times(attrs, all_day=dates)
        return attrs

    def _times(self, attrs: dict, *, all_day: bool) -> dict:
        names = ("start_date", "end_date") if all_day else ("start_at", "end_at")
        same_kind = self.instance is not None and self.instance.all_day == all_day
        values = {}
        for name in names:
            value = attrs.pop(name, getattr(self.instance, name) if same_kind else None)
            if value is None:
                raise validation_error("This field is required.", attr=name, code="required")
            values[name] = value
        try:
            return event_times(all_day=all_day, **values)
        except DomainError as exc:
            raise validation_error(exc.detail, attr=exc.attr, code=exc.code) from None


class SearchEventSerializer(Serializer):
    """One item of the event search."""

    id = serializers.CharField(help_text="Stable id: absence-12, absence-12-20261106, event-5, holiday-DE-2026-12-25")
    kind = serializers.ChoiceField(choices=["absence", "event", "holiday"])
    calendar = serializers.IntegerField(allow_null=True)
    type = serializers.CharField()
    title = serializers.CharField()
    user = UserRefField(allow_null=True)
    start_at = LocalDateTimeField()
    end_at = LocalDateTimeField()
    all_day = serializers.BooleanField()
    color = serializers.CharField()


class SearchResultSerializer(Serializer):
    events = SearchEventSerializer(many=True)


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def render_search_events(rows: list[dict]) -> list[dict]:
    """The search rows as ``SearchEventSerializer`` describes them, written out directly: a search
    returns thousands of rows and DRF's per-field machinery would cost more than the search."""
    people: dict[int, dict] = {}
    # An instant's text depends on the instant alone (aware datetimes of one instant are equal and
    # hash alike), and whole days start and end at the same few midnights.
    texts: dict[dt.datetime, str] = {}
    rendered = []
    for row in rows:
        person = row["user"]
        if person is not None and person.pk not in people:
            people[person.pk] = user_ref(person)
        start_at, end_at = row["start_at"], row["end_at"]
        start_text = texts.get(start_at) or texts.setdefault(start_at, _utc_text(start_at))
        end_text = texts.get(end_at) or texts.setdefault(end_at, _utc_text(end_at))
        # The rows are the search's own, made for this response: written over, not copied.
        row["user"] = people[person.pk] if person is not None else None
        row["start_at"], row["end_at"] = start_text, end_text
        rendered.append(row)
    return rendered


MAX_WINDOW = dt.timedelta(days=92)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# The searchable instants: the years FIRST_YEAR to LAST_YEAR in UTC (a day's margin stays in range).
EARLIEST = dt.datetime(FIRST_YEAR, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(LAST_YEAR + 1, 1, 1, tzinfo=dt.UTC)
MIN_MS = (EARLIEST - EPOCH) // dt.timedelta(milliseconds=1)
MAX_MS = (LATEST - EPOCH) // dt.timedelta(milliseconds=1) - 1


class EventSearchSerializer(Serializer):
    """The event search's body. Give ``start`` or ``start_ms`` and ``end`` or ``end_ms``."""

    calendars = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=500)
    users = UserRefListField(required=False, max_length=500)
    types = serializers.ListField(child=serializers.SlugField(max_length=40), required=False, max_length=100)
    start = DateOrDateTimeField(
        required=False, help_text="ISO 8601 date or datetime; naive and date values are read in the caller's zone"
    )
    start_ms = serializers.IntegerField(
        required=False, min_value=MIN_MS, max_value=MAX_MS, help_text="Unix time in milliseconds"
    )
    end = DateOrDateTimeField(required=False, help_text="ISO 8601 date or datetime (exclusive)")
    end_ms = serializers.IntegerField(
        required=False, min_value=MIN_MS, max_value=MAX_MS, help_text="Unix time in milliseconds (exclusive)"
    )
    include_holidays = serializers.BooleanField(default=False)

    def validate(self, attrs):
        zone = zone_of(self.context["request"].user)
        start, _ = self._moment(attrs, "start", zone)
        end, end_attr = self._moment(attrs, "end", zone)
        if end <= start:
            raise validation_error("The end must be after the start.", attr=end_attr, code="end_before_start")
        # Elapsed time or the caller's wall clock, whichever is shorter: 92 calendar days stay
        # allowed across a DST change, and 92 days of elapsed time always are.
        wall = end.astimezone(zone).replace(tzinfo=None) - start.astimezone(zone).replace(tzinfo=None)
        if min(end - start, wall) > MAX_WINDOW:
            raise validation_error("The window is at most 92 days.", attr=end_attr, code="max_window")
        attrs["start"], attrs["end"] = start, end
        return attrs

    def _moment(self, attrs: dict, name: str, zone) -> tuple[dt.datetime, str]:
        text, millis = attrs.pop(name, None), attrs.pop(f"{name}_ms", None)
        if text is not None and millis is not None:
            raise validation_error(f"Give {name} or {name}_ms, not both.", attr=f"{name}_ms", code="exclusive")
        if millis is not None:
            return EPOCH + dt.timedelta(milliseconds=millis), f"{name}_ms"  # bounded by the field
        if text is None:
            raise validation_error(f"Give {name} or {name}_ms.", attr=name, code="required")
        moment = parse_moment(text, zone, attr=name)
        # The date-time format cannot bound the year; a day's margin around year 1 would overflow.
        if not EARLIEST <= moment < LATEST:
            raise validation_error(
                f"Give a time between the years {FIRST_YEAR} and {LAST_YEAR}.", attr=name, code="out_of_range"
            )
        return moment, name


def parse_moment(text: str, zone, *, attr: str) -> dt.datetime:
    """An ISO 8601 date (local midnight) or datetime (naive = local) in ``zone``, as an aware datetime."""
    try:
        day = parse_date(text) if len(text.strip()) == 10 else None
        moment = None if day else parse_datetime(text.strip())
    except ValueError:
        day = moment = None
    if day is not None:
        return dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    if moment is None:
        raise validation_error("Give an ISO 8601 date or datetime.", attr=attr)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)
