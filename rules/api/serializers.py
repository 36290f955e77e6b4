"""Serializers of the rules API: rules, routing settings and the caller's own exclusion filter."""

from rest_framework import serializers

from config.api.fields import UserRefField
from config.api.serializers import ModelSerializer, Serializer
from rules.models import RoutingSettings, Rule

LIST_HELP = "Case-insensitive; empty = all. "


class RuleSerializer(ModelSerializer):
    """A routing rule. Business rules (window, coverer, permissions) are checked by the services."""

    user = UserRefField(required=False, help_text="User reference (id, username, email or `me`); default the caller")
    coverer = UserRefField(
        required=False, allow_null=True, help_text="User reference; required iff `action` is `reassign`"
    )
    created_by = UserRefField(read_only=True)
    projects = serializers.ListField(
        child=serializers.CharField(max_length=50, allow_blank=False),
        required=False,
        max_length=200,
        help_text=LIST_HELP + "Project keys, stored upper-case.",
    )
    issue_types = serializers.ListField(
        child=serializers.CharField(max_length=100, allow_blank=False),
        required=False,
        max_length=200,
        help_text=LIST_HELP + "Stored as first given (trimmed), compared case-insensitively.",
    )
    message = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="May use {user}, {coverer}, {until}"
    )

    class Meta:
        model = Rule
        fields = [
            "id",
            "user",
            "kind",
            "name",
            "enabled",
            "start_at",
            "end_at",
            "projects",
            "issue_types",
            "action",
            "coverer",
            "message",
            "status",
            "activated_at",
            "expired_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "activated_at", "expired_at", "created_by", "created_at", "updated_at"]
        extra_kwargs = {
            "start_at": {"help_text": "one_time only (required there); naive values are read in the user's zone"},
            "end_at": {"help_text": "one_time only (required there), after start_at"},
        }


class RoutingSettingsSerializer(ModelSerializer):
    reply_interval_hours = serializers.IntegerField(min_value=1, max_value=24 * 365, required=False)
    default_exclusion_filter = serializers.CharField(
        allow_blank=True, required=False, help_text="Exclusion filter (see docs/filters.md); invalid → 400"
    )

    class Meta:
        model = RoutingSettings
        fields = [
            "ignore_self_assign",
            "allow_coverer_assign_back",
            "reply_when_mentioned",
            "reply_interval_hours",
            "exclusion_mode",
            "default_exclusion_filter",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class UserExclusionFilterSerializer(Serializer):
    exclusion_filter = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="Exclusion filter (see docs/filters.md); invalid → 400"
    )
