"""Read-side query methods for calendars and their events."""

import datetime as dt

from django.apps import apps
from django.db import models


class CalendarQuerySet(models.QuerySet):
    def visible_to(self, user, *, admin: bool):
        """Calendars ``user`` may read: owned, joined (directly or through a team), public; all for admin."""
        if user is None or not user.is_authenticated:
            return self.none()
        if admin:
            return self
        Team = apps.get_model("people", "Team")
        my_teams = Team.members.through.objects.filter(user_id=user.pk).values("team_id")
        # Subqueries, not joins: no duplicates, so no DISTINCT (which SELECT … FOR UPDATE refuses).
        via_team = self.model.teams.through.objects.filter(team_id__in=my_teams).values("calendar_id")
        as_member = self.model.members.through.objects.filter(user_id=user.pk).values("calendar_id")
        return self.filter(
            models.Q(owner=user) | models.Q(is_public=True) | models.Q(pk__in=as_member) | models.Q(pk__in=via_team)
        )

    def changeable_by(self, user, *, admin: bool):
        """Calendars ``user`` may change or delete: their own; all for admin."""
        if admin:
            return self
        return self.filter(owner=user)


class EventQuerySet(models.QuerySet):
    def overlapping(self, start: dt.datetime, end: dt.datetime):
        """Events with time inside ``[start, end)`` (all-day ones by their stored UTC midnights)."""
        return self.filter(start_at__lt=end, end_at__gt=start)
