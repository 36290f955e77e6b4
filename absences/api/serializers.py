"""Absence types and absences over the API (see SPEC §4 and docs/absences.md)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from absences.models import Absence, AbsenceType
from absences.selectors import PRIVATE_TYPE_KEY, STATES, absence_state, absence_working_days
from config.api.fields import UserRefField, user_ref, utc_text
from config.api.serializers import ModelSerializer, ReadersMixin

HIDDEN_WHEN_PRIVATE = ("title", "reason", "message")


@extend_schema_field({"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}], "maxLength": 40})
class DateOrDateTimeField(serializers.CharField):
    """An ISO 8601 date (a local day) or date-time (an instant), kept as text for the service."""


def _day(value):
    return None if value is None else value.isoformat()


# How each read field of an absence is written, value by value as DRF's fields write them (a list of
# 50 went through ~1,100 field objects' get_attribute/to_representation; see ``test_absence_rows``).
READERS = {
    "id": lambda a: a.pk,
    "user": lambda a: user_ref(a.user),
    "type": lambda a: a.type.key,
    "title": lambda a: a.title,
    "start_at": lambda a: utc_text(a.start_at),
    "end_at": lambda a: utc_text(a.end_at),
    "all_day": lambda a: bool(a.all_day),
    "start_date": lambda a: _day(a.start_date),
    "end_date": lambda a: _day(a.end_date),
    "message": lambda a: a.message,
    "coverer": lambda a: user_ref(a.coverer),
    "approval_delegate": lambda a: user_ref(a.approval_delegate),
    "reason": lambda a: a.reason,
    "source": lambda a: a.source,
    "source_id": lambda a: a.source_id,
    "recurrence": lambda a: a.recurrence,
    "recurrence_exceptions": lambda a: [None if item is None else str(item) for item in a.recurrence_exceptions],
    "warnings": lambda a: getattr(a, "warnings", []),
    "state": absence_state,
    "working_days": absence_working_days,
    "created_at": lambda a: utc_text(a.created_at),
    "updated_at": lambda a: utc_text(a.updated_at),
}


class AbsenceTypeSerializer(ModelSerializer):
    class Meta:
        model = AbsenceType
        fields = ["key", "name", "color", "counts_as_away", "private", "is_active"]


class AbsenceTypeUpdateSerializer(AbsenceTypeSerializer):
    """The key names a type for good; PATCH changes everything else."""

    class Meta(AbsenceTypeSerializer.Meta):
        read_only_fields = ["key"]


class WarningSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["coverer_away", "below_team_minimum"])
    detail = serializers.CharField()
    team = serializers.IntegerField(required=False, help_text="The team, for below_team_minimum")


class TypeKeyField(serializers.SlugRelatedField):
    """An absence type by key; NUL (which PostgreSQL refuses in a query) is just an unknown key."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class AbsenceSerializer(ReadersMixin, ModelSerializer):
    """An absence. Pass ``details_visible=False`` in the context to present a private absence to
    someone who may not see its details (type ``away``, no title, reason or message)."""

    user = UserRefField(required=False, help_text="User reference (id, username, email or `me`); default: you")
    type = TypeKeyField(
        slug_field="key",
        queryset=AbsenceType.objects.filter(is_active=True),
        required=False,
        help_text="Absence type key (default `vacation`); `away` for a private absence you may not see in detail",
    )
    start_date = serializers.DateField(
        required=False, allow_null=True, help_text="First day of an all-day absence (in the user's time zone)"
    )
    end_date = serializers.DateField(
        required=False, allow_null=True, help_text="Last day (inclusive) of an all-day absence"
    )
    coverer = UserRefField(required=False, allow_null=True)
    approval_delegate = UserRefField(required=False, allow_null=True)
    source = serializers.CharField(max_length=30, required=False, allow_null=True, allow_blank=True)
    source_id = serializers.CharField(max_length=128, required=False, allow_null=True, allow_blank=True)
    recurrence = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, help_text="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=FR"
    )
    recurrence_exceptions = serializers.ListField(
        child=DateOrDateTimeField(max_length=40),
        max_length=1000,
        required=False,
        help_text="Dates (skip that local day) or datetimes (skip the occurrence starting then)",
    )
    warnings = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    working_days = serializers.SerializerMethodField()

    readers = READERS

    class Meta:
        model = Absence
        fields = [
            "id", "user", "type", "title", "start_at", "end_at", "all_day", "start_date", "end_date",
            "message", "coverer", "approval_delegate", "reason", "source", "source_id", "recurrence",
            "recurrence_exceptions", "warnings", "state", "working_days", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["all_day", "created_at", "updated_at"]
        # The sync key's uniqueness is the service's (and the database's) to enforce: 400 `unique`.
        validators = []
        extra_kwargs = {
            "start_at": {"required": False},
            "end_at": {"required": False},
            "title": {"max_length": 200},
            "message": {"max_length": 2000, "help_text": "Auto-reply; may use {user}, {coverer}, {until}"},
            "reason": {"max_length": 80},
        }

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, obj) -> list:
        return getattr(obj, "warnings", [])

    @extend_schema_field(serializers.ChoiceField(choices=STATES))
    def get_state(self, obj) -> str:
        return absence_state(obj)

    def get_working_days(self, obj) -> int:
        """Working days of the current or next occurrence (the last one of a finished series)."""
        return absence_working_days(obj)

    def validate(self, attrs):
        if not self.partial and not any(attrs.get(name) for name in ("start_at", "end_at", "start_date", "end_date")):
            raise serializers.ValidationError(
                {"start_at": ["Give start_at and end_at, or start_date and end_date."]}, code="required"
            )
        return attrs

    def to_representation(self, instance):
        return self.hide_private(instance, super().to_representation(instance))

    def hide_private(self, instance, data: dict) -> dict:
        if not self.context.get("details_visible", True) and instance.type.private:
            if "type" in data:
                data["type"] = PRIVATE_TYPE_KEY
            for name in HIDDEN_WHEN_PRIVATE:
                if name in data:
                    data[name] = ""
        return data
