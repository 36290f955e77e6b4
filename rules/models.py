"""Routing rules (what happens to a user's work while they are away) and routing settings."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords
from solo.models import SingletonModel

from rules.querysets import RuleQuerySet


class Rule(models.Model):
    """A user's routing rule. ``one_time`` rules have their own window; ``recurring`` rules apply
    during every absence of the user. ``status`` is a cached reading of the clock kept by the
    services and the beat sweep; resolution decides from the time itself, never from ``status``."""

    class Kind(models.TextChoices):
        ONE_TIME = "one_time", "One-time"
        RECURRING = "recurring", "Recurring"

    class Action(models.TextChoices):
        REASSIGN = "reassign", "Reassign to coverer"
        UNASSIGN = "unassign", "Unassign"
        KEEP = "keep", "Keep"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        DISABLED = "disabled", "Disabled"

    # No single-column indexes on the foreign keys: ``rule_user_kind``, ``rule_coverer`` and
    # ``rule_created_by`` start with them, and every index is written again by each sweep UPDATE.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rules", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=120, blank=True, default="")
    enabled = models.BooleanField(default=True)
    start_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)
    projects = models.JSONField(default=list, blank=True)
    issue_types = models.JSONField(default=list, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    coverer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="covering_rules",
        db_index=False,
    )
    message = models.TextField(max_length=2000, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    activated_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["user", "kind", "enabled"], name="rule_user_kind"),
            models.Index(fields=["status", "start_at"], name="rule_due_activation"),
            models.Index(fields=["status", "end_at"], name="rule_due_expiry"),
            models.Index(fields=["coverer"], name="rule_coverer"),
            # The list's filters (kind, enabled, status, created_by/by_admin) and sorts (start_at, created_at).
            models.Index(fields=["kind", "status"], name="rule_kind_status"),
            models.Index(fields=["enabled", "status"], name="rule_enabled_status"),
            models.Index(fields=["created_by", "user"], name="rule_created_by"),
            models.Index(fields=["start_at"], name="rule_start_at"),
            models.Index(fields=["created_at"], name="rule_created_at"),
            # "Whose one-time window is open at T" (coverage/current): the windows ending after T are
            # the few running or ahead, where (start_at) or (kind, status) reach every past rule too.
            models.Index(
                fields=["end_at", "start_at", "user"],
                condition=models.Q(kind="one_time", enabled=True),
                name="rule_one_time_window",
            ),
        ]
        # ``projects`` gets a GIN index on PostgreSQL (migration 0002) for the ``project`` filter.

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} rule of {self.user}"


class RuleTransition(models.Model):
    """One lifecycle transition of a rule's current window, recorded once. The unique constraint is how
    the sweep (and the services) claim a transition, so its emails go out exactly once even when two
    sweeps race. A change that moves the window back forgets the transitions that no longer hold.
    ``notified_at`` is the second claim: set by the email task before it sends (see ``lifecycle``)."""

    class Kind(models.TextChoices):
        ACTIVATED = "activated", "Activated"
        EXPIRED = "expired", "Expired"

    # The unique (rule, transition) index starts with ``rule``: no second index for the foreign key.
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="transitions", db_index=False)
    transition = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "transition"], name="rule_transition_once")]
        # The sweep's catch-up reads the few transitions whose emails nobody claimed (rules.lifecycle).
        indexes = [models.Index(fields=["at"], condition=Q(notified_at__isnull=True), name="transition_unannounced")]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.transition} at {self.at:%Y-%m-%d %H:%M}"


class RoutingSettings(SingletonModel):
    """Organisation-wide routing behaviour (one row, edited by staff)."""

    class ExclusionMode(models.TextChoices):
        DEFAULT = "default", "Everyone uses the default filter"
        USER = "user", "Each user's own filter"

    ignore_self_assign = models.BooleanField(default=False)
    allow_coverer_assign_back = models.BooleanField(default=False)
    reply_when_mentioned = models.BooleanField(default=False)
    reply_interval_hours = models.PositiveIntegerField(default=24, validators=[MinValueValidator(1)])
    exclusion_mode = models.CharField(max_length=10, choices=ExclusionMode.choices, default=ExclusionMode.DEFAULT)
    default_exclusion_filter = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "routing settings"

    def __str__(self) -> str:
        return "Routing settings"


class UserRoutingPreference(models.Model):
    """A user's own exclusion filter, used instead of the default when ``exclusion_mode`` is ``user``."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routing_preference")
    exclusion_filter = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Routing preference of {self.user}"
