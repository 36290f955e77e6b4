"""Calendars: shared views of who is out when (members' absences, native events, holidays) and the
secret feed keys that open their ICS feeds."""

import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from calendars.querysets import CalendarQuerySet, EventQuerySet

color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Colours look like #rrggbb.")


def new_feed_key() -> str:
    """A URL-safe random secret (256 bits) for a feed URL."""
    return secrets.token_urlsafe(32)


class Calendar(models.Model):
    """A calendar showing the absences of its members (people, and the members of its teams), of
    the absence types it lists (none listed = all types), plus its own native events.

    ``feed_key`` opens the ICS feed without other credentials; rotating it invalidates old URLs.
    """

    name = models.CharField(max_length=120)
    description = models.TextField(max_length=2000, blank=True, default="")
    color = models.CharField(max_length=7, default="#2563eb", validators=[color_validator])
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_calendars")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="calendars", blank=True)
    teams = models.ManyToManyField("people.Team", related_name="calendars", blank=True)
    absence_types = models.ManyToManyField("absences.AbsenceType", related_name="calendars", blank=True)
    is_public = models.BooleanField(default=False)
    feed_key = models.CharField(max_length=64, unique=True, default=new_feed_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CalendarQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["is_public"], name="calendar_public")]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """A native event on a calendar (a meeting, a release…). Timed events have ``start_at``/
    ``end_at``; all-day events have inclusive ``start_date``/``end_date`` and store the UTC
    midnights around them in ``start_at``/``end_at`` so window queries use one index."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="events")
    type = models.SlugField(max_length=40, default="custom")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True, default="")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    all_day = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="calendar_events", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["start_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_at__gt=models.F("start_at")), name="calendars_event_order")
        ]
        indexes = [
            models.Index(fields=["calendar", "start_at", "end_at"], name="event_calendar_window"),
            models.Index(fields=["type"], name="event_type"),
        ]

    def __str__(self) -> str:
        return self.title


class PersonalFeed(models.Model):
    """The secret key of a user's personal ICS feed (their absences and those they cover)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_feed")
    feed_key = models.CharField(max_length=64, unique=True, default=new_feed_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Personal feed of {self.user}"
