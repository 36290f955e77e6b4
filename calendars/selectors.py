"""Reads: the event search (SPEC §7) and the rows that go into ICS feeds."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from absences.models import Absence, AbsenceType
from calendars.models import Calendar, Event
from calendars.privacy import Viewer, absence_face
from calendars.spans import absence_spans, day_bounds, local_midnight
from config.api.fields import zone_of
from people.models import Team, User
from people.querysets import managed_user_ids
from people.schedules import public_holidays

HOLIDAY_TYPE = "holiday"
HOLIDAY_COLOR = "#dc2626"
# What search rows and feed events show of an absence (rows are many: the rest is not loaded).
SHOWN_FIELDS = ("id", "user", "type", "title", "start_at", "end_at", "all_day", "start_date", "end_date", "recurrence",
                "recurrence_exceptions")  # fmt: skip
FEED_FIELDS = ("message", "updated_at")
# A calendar feed shows absences and events that ended at most this long ago, and all future ones.
FEED_PAST = dt.timedelta(days=90)


class CalendarNotFound(Exception):
    """A requested calendar does not exist or is not visible to the caller."""


@dataclass(frozen=True)
class SearchScope:
    """Who asks: their user, admin flag, the privacy viewer and a token's calendar limit (or None)."""

    user: User
    admin: bool
    viewer: Viewer
    token_calendar_ids: list[int] | None = None


@dataclass
class Membership:
    """Which calendars include each person, and which absence types each calendar shows."""

    calendar_ids: list[int] = field(default_factory=list)
    calendars_of: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    types_of: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))

    def calendars_showing(self, absence) -> list[int]:
        return sorted(
            cid
            for cid in self.calendars_of.get(absence.user_id, ())
            if not self.types_of.get(cid) or absence.type_id in self.types_of[cid]
        )


def readable_calendars(user, *, admin: bool, token_calendar_ids: list[int] | None):
    """Calendars the caller may read, narrowed to a calendar-limited token's list (None = not limited)."""
    queryset = Calendar.objects.visible_to(user, admin=admin)
    return queryset if token_calendar_ids is None else queryset.filter(pk__in=token_calendar_ids)


def calendar_membership(calendar_ids: list[int]) -> Membership:
    """Members (direct and through teams) and shown types of the calendars: three queries."""
    membership = Membership(calendar_ids=list(calendar_ids))
    direct = Calendar.members.through.objects.filter(calendar_id__in=calendar_ids).values_list("calendar_id", "user_id")
    via_teams = (
        Calendar.teams.through.objects.filter(calendar_id__in=calendar_ids)
        .filter(team__members__isnull=False)
        .values_list("calendar_id", "team__members")
    )
    for calendar_id, user_id in [*direct, *via_teams]:
        membership.calendars_of[user_id].add(calendar_id)
    types = Calendar.absence_types.through.objects.filter(calendar_id__in=calendar_ids)
    for calendar_id, type_key in types.values_list("calendar_id", "absencetype_id"):
        membership.types_of[calendar_id].add(type_key)
    return membership


@dataclass(frozen=True)
class SearchQuery:
    start: dt.datetime
    end: dt.datetime
    calendar_ids: list[int] | None = None
    users: list[User] | None = None
    types: list[str] | None = None
    include_holidays: bool = False


def event_search(*, scope: SearchScope, query: SearchQuery) -> list[dict]:
    """Absences (occurrences), native events and holidays in ``[start, end)``, sorted by start.

    A fixed number of queries whatever the number of calendars, members or absences. Raises
    ``CalendarNotFound`` when a requested calendar is missing or not visible.
    """
    calendars = _searched_calendars(scope, query.calendar_ids)
    calendar_ids = [c.pk for c in calendars]
    membership = calendar_membership(calendar_ids)
    # Without `calendars`, people the caller may see directly count too (not for limited tokens).
    direct = query.calendar_ids is None and scope.token_calendar_ids is None
    user_ids = {u.pk for u in query.users} if query.users is not None else None
    results = _absence_rows(scope, query, membership, direct, user_ids)
    results += _event_rows(calendars, query, scope.user)
    if query.include_holidays:
        results += _holiday_rows(scope, query, membership, direct, user_ids)
    results.sort(key=lambda row: (row["start_at"], row["id"]))
    return results


def _searched_calendars(scope: SearchScope, calendar_ids: list[int] | None) -> list[Calendar]:
    queryset = readable_calendars(scope.user, admin=scope.admin, token_calendar_ids=scope.token_calendar_ids)
    if calendar_ids is None:
        return list(queryset)
    wanted = set(calendar_ids)
    calendars = list(queryset.filter(pk__in=wanted))
    if len(calendars) != len(wanted):
        raise CalendarNotFound
    return calendars


def _people_filter(scope: SearchScope, membership: Membership, direct: bool, user_ids: set[int] | None) -> models.Q:
    # Subqueries rather than the member ids themselves: the SQL stays small however many members.
    teams = Calendar.teams.through.objects.filter(calendar_id__in=membership.calendar_ids).values("team_id")
    condition = models.Q(
        pk__in=Calendar.members.through.objects.filter(calendar_id__in=membership.calendar_ids).values("user_id")
    ) | models.Q(pk__in=Team.members.through.objects.filter(team_id__in=teams).values("user_id"))
    if direct and scope.admin:
        condition = models.Q(pk__isnull=False)
    elif direct:
        condition |= models.Q(pk__in=managed_user_ids(scope.user))
    if user_ids is not None:
        condition &= models.Q(pk__in=user_ids)
    return condition


def _absence_rows(scope, query, membership, direct, user_ids) -> list[dict]:
    people = User.objects.filter(_people_filter(scope, membership, direct, user_ids)).values("pk")
    absences = Absence.objects.filter(user_id__in=people).overlapping(query.start, query.end).only(*SHOWN_FIELDS)
    absences = with_people_and_types(absences.order_by())
    rows = []
    for absence in absences:
        shown_in = membership.calendars_showing(absence)
        if not shown_in and not (direct and scope.viewer.sees_details_of(absence.user_id)):
            continue
        face = absence_face(absence, scope.viewer)
        if query.types is not None and face.type not in query.types:
            continue
        for row_id, start_at, end_at in absence_spans(absence, query.start, query.end):
            rows.append(
                {
                    "id": row_id,
                    "kind": "absence",
                    "calendar": shown_in[0] if shown_in else None,
                    "type": face.type,
                    "title": face.title,
                    "user": absence.user,
                    "start_at": start_at,
                    "end_at": end_at,
                    "all_day": absence.all_day,
                    "color": face.color,
                }
            )
    return rows


def _event_rows(calendars: list[Calendar], query: SearchQuery, reader) -> list[dict]:
    by_id = {c.pk: c for c in calendars}
    margin = dt.timedelta(days=1)
    events = Event.objects.filter(calendar_id__in=list(by_id)).overlapping(query.start - margin, query.end + margin)
    if query.types is not None:
        events = events.filter(type__in=query.types)
    rows = []
    for event in events:
        start_at, end_at = event_span(event, reader)
        if start_at < query.end and end_at > query.start:
            rows.append(
                {
                    "id": f"event-{event.pk}",
                    "kind": "event",
                    "calendar": event.calendar_id,
                    "type": event.type,
                    "title": event.title,
                    "user": None,
                    "start_at": start_at,
                    "end_at": end_at,
                    "all_day": event.all_day,
                    "color": by_id[event.calendar_id].color,
                }
            )
    return rows


def event_span(event: Event, reader) -> tuple[dt.datetime, dt.datetime]:
    """A native event's UTC bounds; an all-day one spans whole days in the reader's zone."""
    if event.all_day:
        return day_bounds(event.start_date, event.end_date, zone_of(reader))
    return event.start_at, event.end_at


def holiday_regions(people_condition: models.Q) -> set[tuple[str, str]]:
    """The distinct (country, subdivision) pairs of the work schedules of the people matched."""
    rows = User.objects.filter(people_condition).exclude(holiday_country="")
    return set(rows.order_by().values_list("holiday_country", "holiday_subdivision").distinct())


def _holiday_rows(scope, query, membership, direct, user_ids) -> list[dict]:
    zone = zone_of(scope.user)
    regions = holiday_regions(_people_filter(scope, membership, direct, user_ids))
    first = (query.start.astimezone(zone) - dt.timedelta(days=1)).date()
    last = (query.end.astimezone(zone) + dt.timedelta(days=1)).date()
    rows = {}
    for holiday_id, day, name in holidays_in(regions, first, last):
        start_at = local_midnight(day, zone)
        end_at = local_midnight(day + dt.timedelta(days=1), zone)
        if start_at < query.end and end_at > query.start:
            rows[holiday_id] = {
                "id": holiday_id,
                "kind": "holiday",
                "calendar": None,
                "type": HOLIDAY_TYPE,
                "title": name,
                "user": None,
                "start_at": start_at,
                "end_at": end_at,
                "all_day": True,
                "color": HOLIDAY_COLOR,
            }
    return list(rows.values())


def holidays_in(regions: set[tuple[str, str]], first: dt.date, last: dt.date) -> list[tuple[str, dt.date, str]]:
    """``(id, date, name)`` of each public holiday of the regions in ``[first, last]``, once each.

    A holiday the whole country keeps is ``holiday-<CC>-<date>`` whichever subdivisions ask for it;
    one only a subdivision keeps is ``holiday-<CC>-<SUB>-<date>``.
    """
    found: dict[str, tuple[str, dt.date, str]] = {}
    for country, subdivision in sorted(regions):
        national = public_holidays(country, "", first, last)
        regional = public_holidays(country, subdivision, first, last) if subdivision else national
        for day, name in regional.items():
            region = country if day in national else f"{country}-{subdivision}"
            holiday_id = f"holiday-{region}-{day.isoformat()}"
            found.setdefault(holiday_id, (holiday_id, day, name))
    return sorted(found.values(), key=lambda item: (item[1], item[0]))


def calendar_feed_absences(calendar: Calendar):
    """The absences a calendar's feed carries: its members' (direct and through teams), of its
    shown types, ended at most ``FEED_PAST`` ago or later (recurring series while they run)."""
    team_members = Team.members.through.objects.filter(team__calendars=calendar).values("user_id")
    members = Calendar.members.through.objects.filter(calendar=calendar).values("user_id")
    absences = Absence.objects.filter(models.Q(user_id__in=members) | models.Q(user_id__in=team_members))
    type_keys = list(calendar.absence_types.values_list("key", flat=True))
    if type_keys:
        absences = absences.filter(type_id__in=type_keys)
    return _recent(absences)


def personal_feed_absences(user: User):
    """A person's own absences and the absences they cover, in the feed window."""
    return _recent(Absence.objects.filter(models.Q(user=user) | models.Q(coverer=user)))


def _recent(absences) -> list[Absence]:
    cutoff = timezone.now() - FEED_PAST
    recent = absences.filter(models.Q(series_end_at__gte=cutoff) | models.Q(series_end_at__isnull=True)).exclude(
        recurrence="", end_at__lt=cutoff
    )
    return with_people_and_types(recent.only(*SHOWN_FIELDS, *FEED_FIELDS).order_by("start_at", "pk"))


def with_people_and_types(absences) -> list[Absence]:
    """The absences with their ``user`` and ``type`` attached from one query each.

    A join would build a ``User`` and an ``AbsenceType`` per absence row; a 500-person calendar
    has thousands of absences in a search window or feed but only 500 people and a handful of
    types. Three queries whatever the number of rows.
    """
    absences = list(absences)
    ids = {absence.user_id for absence in absences}
    people = {user.pk: user for user in User.objects.filter(pk__in=ids).order_by()} if ids else {}
    types = {kind.pk: kind for kind in AbsenceType.objects.order_by()}
    for absence in absences:
        absence.user = people[absence.user_id]
        absence.type = types[absence.type_id]
    return absences


def calendar_feed_events(calendar: Calendar):
    """The calendar's native events that ended at most ``FEED_PAST`` ago or later."""
    return calendar.events.filter(end_at__gte=timezone.now() - FEED_PAST).order_by("start_at", "pk")
