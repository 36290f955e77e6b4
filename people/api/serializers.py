from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from timezone_field.rest_framework import TimeZoneSerializerField

from config.api.fields import UserRefListField, user_display_name
from config.api.serializers import ModelSerializer
from people.models import Team, User
from people.schedules import supported_regions


@extend_schema_field({"type": "string", "enum": ["", *sorted(supported_regions())]})
class HolidayCountryField(serializers.CharField):
    """An ISO 3166 alpha-2 country the ``holidays`` package knows (case-insensitive), or blank."""


class UserSerializer(ModelSerializer):
    """A person in the directory."""

    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "name"]

    def get_name(self, obj) -> str:
        return user_display_name(obj)


class WorkScheduleSerializer(ModelSerializer):
    user = serializers.SerializerMethodField()
    timezone = TimeZoneSerializerField(use_pytz=False, help_text="IANA time zone, e.g. Europe/Berlin")
    working_days = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        max_length=7,
        help_text="Weekdays worked, 0 = Monday … 6 = Sunday",
    )
    holiday_country = HolidayCountryField(
        max_length=2, allow_blank=True, required=False, help_text="ISO 3166 alpha-2 country for public holidays"
    )
    holiday_subdivision = serializers.CharField(max_length=10, allow_blank=True, required=False)

    class Meta:
        model = User
        fields = ["user", "timezone", "working_days", "holiday_country", "holiday_subdivision"]

    def get_user(self, obj) -> dict:
        return UserSerializer(obj).data


class TeamSerializer(ModelSerializer):
    members = UserRefListField(required=False, help_text="User references (id, username or email)")
    leads = UserRefListField(required=False, help_text="User references (id, username or email)")

    class Meta:
        model = Team
        fields = ["id", "name", "members", "leads", "min_available", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
