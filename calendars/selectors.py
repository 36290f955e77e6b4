"""Reads: the event search (SPEC §7) and the rows that go into ICS feeds."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from absences.models import Absence, AbsenceType
from absences.querysets import exceptions_from_text, exceptions_text
from calendars.models import Calendar, Event
from calendars.privacy import Viewer, absence_face
from calendars.spans import absence_spans, day_bounds, local_midnight
from config.api.fields import zone_of
from config.id_lists import ids_in
from people.models import Team, User
from people.schedules import public_holidays

HOLIDAY_TYPE = "holiday"
HOLIDAY_COLOR = "#dc2626"
# What search rows and feed events show of an absence (rows are many: the rest is not loaded), in
# the order of ``AbsenceRow``'s fields.
SHOWN_FIELDS = ("id", "user", "type", "title", "start_at", "end_at", "all_day", "start_date", "end_date", "recurrence",
                "recurrence_exceptions")  # fmt: skip
FEED_FIELDS = ("message", "updated_at")
# What rows and feeds use of a person: their name, reference and zone (``user_ref``, ``zone_of``).
PERSON_FIELDS = ("id", "username", "first_name", "last_name", "email", "timezone")
HOLIDAY_FIELDS = ("holiday_country", "holiday_subdivision")
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
    # Per person: their calendars, sorted, and whether any of them shows only some types.
    _showing: dict[int, tuple[list[int], bool]] = field(default_factory=dict)

    def member_ids(self) -> set[int]:
        return set(self.calendars_of)

    def calendars_showing(self, absence) -> list[int]:
        found = self._showing.get(absence.user_id)
        if found is None:  # a search asks for each of thousands of absences, of hundreds of people
            ids = sorted(self.calendars_of.get(absence.user_id, ()))
            found = self._showing[absence.user_id] = (ids, any(self.types_of.get(cid) for cid in ids))
        ids, by_type = found
        if not by_type:
            return ids
        return [cid for cid in ids if not self.types_of.get(cid) or absence.type_id in self.types_of[cid]]


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
    people = _searched_people(scope, membership, direct, user_ids)
    # Listed people are loaded once, for the rows and the holiday regions; everyone is not.
    loaded = None if people is None else load_people(people, HOLIDAY_FIELDS)
    results = _absence_rows(scope, query, membership, direct, people, loaded)
    results += _event_rows(calendars, query, scope.user)
    if query.include_holidays:
        regions = everyones_holiday_regions() if loaded is None else regions_of(loaded.values())
        results += _holiday_rows(scope, query, regions)
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


def _searched_people(scope: SearchScope, membership: Membership, direct: bool, user_ids: set[int] | None):
    """The ids of the people whose absences and holiday regions are searched; None for everyone.

    Members come from ``membership`` (already loaded); without ``calendars``, the people a
    non-admin may see directly are the viewer's ``managed_ids`` (themselves and the members of the
    teams they lead), which ``viewer_for`` has loaded too.
    """
    if direct and scope.admin:
        return user_ids
    people = membership.member_ids()
    if direct:
        people |= scope.viewer.managed_ids
    return people if user_ids is None else people & user_ids


def absences_of_people_in(people: set[int] | None, start: dt.datetime, end: dt.datetime):
    """Absences of ``people`` (None: of everyone) that may have time inside ``[start, end)``.

    For a list of people the window goes through the per-person index (``per_person_window``). The
    ids are a list, not a subquery, so that the planner knows how many people there are.
    """
    if people is None:
        return Absence.objects.overlapping(start, end)
    return ids_in(Absence.objects.all(), "user_id", people).per_person_window(start, end)


@dataclass(slots=True)
class PersonRow:
    """A person as searches and feeds show them (``PERSON_FIELDS``, and ``HOLIDAY_FIELDS`` when
    read): a search or a calendar's feed has hundreds, and a ``User`` instance each cost more than
    all else about them. ``user_ref``, ``user_display_name`` and ``zone_of`` read it as a ``User``
    (``get_full_name`` is the model's own)."""

    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    timezone: object  # as the model field gives it (a ZoneInfo)
    holiday_country: str = ""
    holiday_subdivision: str = ""

    get_full_name = User.get_full_name

    @property
    def pk(self) -> int:
        return self.id


def people_rows(people, extra: tuple[str, ...] = ()) -> dict[int, PersonRow]:
    """``people`` (a ``User`` queryset) as ``PersonRow``s by id, with ``extra`` (``HOLIDAY_FIELDS``)."""
    return {row[0]: PersonRow(*row) for row in people.order_by().values_list(*PERSON_FIELDS, *extra)}


def load_people(ids, extra: tuple[str, ...] = ()) -> dict[int, PersonRow]:
    """The people with these ids by id, with only the fields rows and feeds use (plus ``extra``)."""
    if not ids:
        return {}
    return people_rows(ids_in(User.objects.all(), "id", ids), extra)


def _absence_rows(scope, query, membership, direct, people, loaded) -> list[dict]:
    absences = absences_of_people_in(people, query.start, query.end)
    absences = absence_rows(absences.order_by(), SHOWN_FIELDS, loaded)
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


def everyones_holiday_regions() -> set[tuple[str, str]]:
    """The distinct (country, subdivision) pairs of everyone's work schedules."""
    rows = User.objects.exclude(holiday_country="").order_by()
    return set(rows.values_list(*HOLIDAY_FIELDS).distinct())


def regions_of(people) -> set[tuple[str, str]]:
    """The (country, subdivision) pairs of people loaded with ``HOLIDAY_FIELDS``."""
    return {(p.holiday_country, p.holiday_subdivision) for p in people if p.holiday_country}


def _holiday_rows(scope, query, regions: set[tuple[str, str]]) -> list[dict]:
    zone = zone_of(scope.user)
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


def calendar_feed_absences(calendar: Calendar) -> list["AbsenceRow"]:
    """The absences a calendar's feed carries: its members' (direct and through teams), of its
    shown types, ended at most ``FEED_PAST`` ago or later (recurring series while they run).

    The members are loaded first (they are needed anyway) and their ids listed in the absence
    query, which PostgreSQL then answers from the per-person index instead of a scan of every
    absence that ended in the last 90 days organisation-wide.
    """
    team_members = Team.members.through.objects.filter(team__calendars=calendar).values("user_id")
    direct_members = Calendar.members.through.objects.filter(calendar=calendar).values("user_id")
    members = User.objects.filter(models.Q(pk__in=direct_members) | models.Q(pk__in=team_members))
    people = people_rows(members)
    absences = ids_in(Absence.objects.all(), "user_id", people)
    type_keys = list(calendar.absence_types.values_list("key", flat=True))
    if type_keys:
        absences = absences.filter(type_id__in=type_keys)
    return _recent(absences, people)


def personal_feed_absences(user: User) -> list["AbsenceRow"]:
    """A person's own absences and the absences they cover, in the feed window."""
    return _recent(Absence.objects.filter(models.Q(user=user) | models.Q(coverer=user)))


def _recent(absences, people: dict[int, User] | None = None) -> list["AbsenceRow"]:
    cutoff = timezone.now() - FEED_PAST
    recent = absences.filter(models.Q(series_end_at__gte=cutoff) | models.Q(series_end_at__isnull=True)).exclude(
        recurrence="", end_at__lt=cutoff
    )
    return absence_rows(recent.order_by("start_at", "pk"), (*SHOWN_FIELDS, *FEED_FIELDS), people)


@dataclass(slots=True)
class AbsenceRow:
    """An absence as searches and feeds read it: the columns they show, its ``user`` and ``type``.

    Searches and feeds read thousands of absences; a model instance per row (and Django's
    descriptors to attach its user and type) cost more than the query. The fields are
    ``SHOWN_FIELDS`` then ``FEED_FIELDS``, the attribute names the ``Absence`` model has, so code
    that reads an absence (privacy, spans, recurrence, the ICS writer) reads a row the same way.
    """

    id: int
    user_id: int
    type_id: str
    title: str
    start_at: dt.datetime
    end_at: dt.datetime
    all_day: bool
    start_date: dt.date | None
    end_date: dt.date | None
    recurrence: str
    recurrence_exceptions: list
    message: str = ""
    updated_at: dt.datetime | None = None
    user: User | None = None
    type: AbsenceType | None = None

    @property
    def pk(self) -> int:
        return self.id


def absence_rows(absences, fields: tuple[str, ...], people: dict[int, User] | None = None) -> list[AbsenceRow]:
    """The absences as ``AbsenceRow``s with their ``user`` and ``type`` attached.

    ``fields`` are ``SHOWN_FIELDS`` (and ``FEED_FIELDS``), read as tuples (the exceptions as JSON
    text, decoded here: ``exceptions_text``). People come from
    ``people`` when the caller has them, else from one query; types from one query. A join would
    build a ``User`` and an ``AbsenceType`` per row, for only hundreds of people and a handful of
    types. At most three queries whatever the number of rows.
    """
    columns = [exceptions_text() if name == "recurrence_exceptions" else name for name in fields]
    rows = [AbsenceRow(*values) for values in absences.values_list(*columns)]
    if people is None:
        people = load_people({row.user_id for row in rows})
    types = {kind.pk: kind for kind in AbsenceType.objects.order_by()}
    for row in rows:
        row.user = people[row.user_id]
        row.type = types[row.type_id]
        row.recurrence_exceptions = exceptions_from_text(row.recurrence_exceptions)
    return rows


def calendar_feed_events(calendar: Calendar):
    """The calendar's native events that ended at most ``FEED_PAST`` ago or later."""
    return calendar.events.filter(end_at__gte=timezone.now() - FEED_PAST).order_by("start_at", "pk")
