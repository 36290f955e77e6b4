"""API tokens (hashed, scoped, optionally limited to calendars) and the token settings singleton."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords
from solo.models import SingletonModel

from tokens.querysets import APITokenQuerySet

SCOPES = ("read", "write", "delete", "admin")
TOKEN_PREFIX = "stn_"  # noqa: S105 - the public format marker, not a secret
KEY_ID_LENGTH = 8


class APIToken(models.Model):
    """A bearer token ``stn_<key_id>_<secret>``: only an HMAC of the secret is stored.

    ``key_id`` finds the row; ``secret_hash`` is HMAC-SHA256 of the secret under the pepper
    ``pepper_id`` of ``settings.TOKEN_PEPPERS``, so peppers can rotate without losing tokens.
    """

    name = models.CharField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_id = models.CharField(max_length=KEY_ID_LENGTH, unique=True, editable=False)
    pepper_id = models.CharField(max_length=16, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list)
    calendars = models.JSONField(default=list, blank=True, help_text="Calendar ids; empty means all visible.")
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    rate_limit_per_hour = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: the default.")
    revoked_at = models.DateTimeField(null=True, blank=True, db_index=True)

    # The hash and the per-minute usage stamp stay out of the audit trail: neither is an admin's change.
    history = HistoricalRecords(excluded_fields=["secret_hash", "pepper_id", "last_used_at"])

    objects = APITokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"

    @property
    def prefix(self) -> str:
        return f"{TOKEN_PREFIX}{self.key_id}"

    @property
    def calendar_ids(self) -> list[int]:
        return [int(pk) for pk in self.calendars or []]


class TokenSettings(SingletonModel):
    """Who may mint tokens and the default hourly rate limit (one row, django-solo)."""

    allow_user_tokens = models.BooleanField(default=False, help_text="Users may create their own tokens.")
    default_rate_limit_per_hour = models.PositiveIntegerField(default=1000)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "token settings"

    def __str__(self) -> str:
        return "Token settings"
