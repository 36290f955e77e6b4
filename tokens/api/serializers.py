from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import UserRefField
from config.api.serializers import ModelSerializer
from tokens.models import SCOPES, APIToken, TokenSettings


class APITokenSerializer(ModelSerializer):
    user = UserRefField(required=False, help_text="Whose token (admin only for another user); default: the caller.")
    created_by = UserRefField(read_only=True)
    prefix = serializers.CharField(read_only=True, help_text="The public `stn_xxxxxxxx` part of the token.")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPES), allow_empty=False)
    calendars = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        default=list,
        help_text="Calendar ids this token may see; empty means every calendar the user may see.",
    )
    rate_limit_per_hour = serializers.IntegerField(
        min_value=1, max_value=10_000_000, required=False, allow_null=True, help_text="Null: the default (staff only)."
    )

    class Meta:
        model = APIToken
        fields = [
            "id",
            "name",
            "user",
            "prefix",
            "scopes",
            "calendars",
            "expires_at",
            "last_used_at",
            "created_at",
            "created_by",
            "rate_limit_per_hour",
            "revoked_at",
        ]
        read_only_fields = ["last_used_at", "created_at", "revoked_at"]


class APITokenCreatedSerializer(APITokenSerializer):
    token = serializers.SerializerMethodField(help_text="The plaintext token: shown in this response only.")

    class Meta(APITokenSerializer.Meta):
        fields = [*APITokenSerializer.Meta.fields, "token"]

    @extend_schema_field(serializers.CharField())
    def get_token(self, obj) -> str:
        return self.context["plaintext"]


class TokenSettingsSerializer(ModelSerializer):
    default_rate_limit_per_hour = serializers.IntegerField(min_value=1, max_value=10_000_000, required=False)

    class Meta:
        model = TokenSettings
        fields = ["allow_user_tokens", "default_rate_limit_per_hour"]
