"""Absences: out-of-office periods, one-off or recurring (RFC 5545 RRULE), and their types."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from absences.querysets import AbsenceQuerySet

color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Colours look like #rrggbb.")


class AbsenceType(models.Model):
    """A kind of absence. ``counts_as_away=False`` types (meetings) show on calendars but leave
    their user available; ``private`` types are shown to others only as "away"."""

    key = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=80)
    color = models.CharField(max_length=7, default="#6b7280", validators=[color_validator])
    counts_as_away = models.BooleanField(default=True)
    private = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class Absence(models.Model):
    """One out-of-office period of a user, or a recurring series of them.

    Times are stored in UTC. ``start_at``/``end_at`` are the first occurrence; a ``recurrence``
    (RRULE, evaluated in the user's time zone so local times survive DST) repeats it, minus
    ``recurrence_exceptions``. ``series_end_at`` is the end of the last occurrence (``end_at`` for a
    one-off absence, null for an endless series) so window queries stay index-only.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences")
    type = models.ForeignKey(AbsenceType, on_delete=models.PROTECT, related_name="absences")
    title = models.CharField(max_length=200, blank=True, default="")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    all_day = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    message = models.TextField(max_length=2000, blank=True, default="")
    coverer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="covering_absences"
    )
    approval_delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=80, blank=True, default="")
    source = models.CharField(max_length=30, null=True, blank=True)
    source_id = models.CharField(max_length=128, null=True, blank=True)
    recurrence = models.TextField(blank=True, default="")
    recurrence_exceptions = models.JSONField(default=list, blank=True)
    series_end_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = AbsenceQuerySet.as_manager()

    class Meta:
        ordering = ["start_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                name="absences_absence_source_key_unique",
                condition=models.Q(source__isnull=False, source_id__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(end_at__gt=models.F("start_at")), name="absences_end_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "start_at", "series_end_at"], name="absence_user_window"),
            models.Index(fields=["start_at", "series_end_at"], name="absence_window"),
            models.Index(fields=["coverer", "start_at"], name="absence_coverer_start"),
            models.Index(fields=["updated_at"], name="absence_updated"),
            models.Index(fields=["user"], name="absence_recurring_user", condition=~models.Q(recurrence="")),
            # Filters and sorts of the list endpoint (type, source, end_at ranges, created_at order).
            models.Index(fields=["type", "start_at"], name="absence_type_start"),
            models.Index(fields=["source", "source_id"], name="absence_source"),
            models.Index(fields=["end_at"], name="absence_end"),
            models.Index(fields=["created_at"], name="absence_created"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.type_id} {self.start_at:%Y-%m-%d}"

    @property
    def is_recurring(self) -> bool:
        return bool(self.recurrence)


# --- change feed (recorded by the services; read through absences/changes.py, docs/changes.md) ---------


class AbsenceChange(models.Model):
    """One create, update or delete of an absence, written in the same transaction as the change.

    ``position`` is the feed order: null while the row is fresh, then numbered densely (1, 2, 3…)
    by ``absences.changes.changes_sequence`` after the writing transaction has committed, so a
    reader never passes a change that commits later with a smaller number. ``owner_id`` is the
    absence's user (not a foreign key: tombstones outlive users), so visibility is decided at read
    time. ``snapshot`` is the absence as the API showed it right after an upsert.
    """

    class Op(models.TextChoices):
        UPSERT = "upsert"
        DELETE = "delete"

    position = models.BigIntegerField(null=True, blank=True, unique=True)
    op = models.CharField(max_length=6, choices=Op.choices)
    absence_id = models.BigIntegerField()
    owner_id = models.BigIntegerField()
    at = models.DateTimeField(default=timezone.now)
    snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner_id", "position"], name="absence_change_owner"),
            models.Index(fields=["at"], name="absence_change_at"),
            models.Index(fields=["id"], condition=models.Q(position__isnull=True), name="absence_change_fresh"),
        ]

    def __str__(self) -> str:
        return f"{self.op} absence {self.absence_id} at {self.position}"
