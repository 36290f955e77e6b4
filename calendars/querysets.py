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


class IdIn(models.Func):
    """``column IN (ids)`` for a long list of ids (a calendar's hundreds of members), filtered on.

    Django writes ``IN (%s, %s, …)``, preparing each value and making psycopg split a query with
    hundreds of placeholders: ~1.4 ms of CPU for 500 ids, against ~0.1 ms for PostgreSQL's
    ``= ANY(%s)`` with the ids as one array (the same plan: PostgreSQL turns the list into that
    array). Other databases keep the list. Use ``ids_in``: an empty list matches nothing without
    a query, as Django's ``__in`` does.
    """

    output_field = models.BooleanField()

    def __init__(self, column: str, ids: list[int]):
        super().__init__(models.F(column))
        self.ids = [int(pk) for pk in ids]

    def as_sql(self, compiler, connection, **extra):
        (column,) = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        if connection.vendor == "postgresql":
            return f"{column_sql} = ANY(%s::bigint[])", (*column_params, self.ids)
        return f"{column_sql} IN ({', '.join(['%s'] * len(self.ids))})", (*column_params, *self.ids)


def ids_in(queryset: models.QuerySet, column: str, ids) -> models.QuerySet:
    """``queryset.filter(**{f"{column}__in": ids})`` for many ids (see ``IdIn``)."""
    ids = sorted(ids)
    return queryset.filter(IdIn(column, ids)) if ids else queryset.none()
