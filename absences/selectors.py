"""Reads about absences: state, working days, warnings, and the one presentation other apps reuse."""

import datetime as dt
from types import SimpleNamespace

from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from absences.models import Absence
from absences.querysets import exceptions_from_text, exceptions_text
from absences.recurrence import current_or_next, occurrences, series_covers_known, user_zone
from absences.staffing import covered_dates, members_staffing
from people.models import User
from people.querysets import managed_user_ids
from people.schedules import working_dates

UPCOMING, CURRENT, PAST = "upcoming", "current", "past"
STATES = (UPCOMING, CURRENT, PAST)
PRIVATE_TYPE_KEY = "away"
# Warnings look this far into an endless (or very long) series.
WARNING_HORIZON = dt.timedelta(days=366)
# What expanding a series needs (``occurrences``, ``current_or_next``), read as values; the
# exceptions and the zone as text, so that no column needs a converter (``user_zone`` reads a name).
SERIES_FIELDS = ("start_at", "end_at", "all_day", "recurrence", exceptions_text(), Cast("user__timezone", TextField()))


def series_row(start_at, end_at, all_day, recurrence, exceptions, zone) -> SimpleNamespace:
    """A series read as ``SERIES_FIELDS``, carrying what expanding occurrences reads
    (``absences.recurrence``)."""
    return SimpleNamespace(
        start_at=start_at,
        end_at=end_at,
        all_day=all_day,
        recurrence=recurrence,
        recurrence_exceptions=exceptions_from_text(exceptions),
        user=SimpleNamespace(timezone=zone),
    )


def series_rows(queryset, *keys: str):
    """``(key values…, row)`` for each series of ``queryset``, read as plain values (not models with
    their joins: a window over the organisation holds hundreds), ``row`` a ``series_row``."""
    for *head, start_at, end_at, all_day, recurrence, exceptions, zone in (
        queryset.exclude(recurrence="").order_by().values_list(*keys, *SERIES_FIELDS)
    ):
        yield (*head, series_row(start_at, end_at, all_day, recurrence, exceptions, zone))


def series_values_cover(values: tuple, at: dt.datetime) -> bool:
    """``series_covers`` for a series read as a tuple of ``SERIES_FIELDS``, known by those values:
    a series whose current occurrence was found before is answered without building anything."""
    return series_covers_known(values, at, lambda: series_row(*values))


def absence_list(*, viewer: User, admin: bool):
    """The absences ``viewer`` may see (self, their teams' members, everyone as admin), with what
    their presentation needs, so a page costs the same number of queries at any size."""
    return Absence.objects.visible_to(viewer, admin=admin).select_related(
        "user", "type", "coverer", "approval_delegate"
    )


# An absence of the list as its presentation reads it (``READERS``, ``absence_state``,
# ``absence_working_days``): columns, then the person, type, coverer and delegate as plain values.
ROW_FIELDS = tuple(
    field.attname for field in Absence._meta.concrete_fields if not field.is_relation
)  # id, title, start_at, … (the foreign keys' ids are in the people's and type's columns)
PERSON_FIELDS = ("id", "username", "email", "first_name", "last_name")
SCHEDULE_FIELDS = ("timezone", "working_days", "holiday_country", "holiday_subdivision")


class PersonRow:
    """A person as a list row shows them (``user_ref``) and, for the absence's own user, their schedule."""

    __slots__ = ("pk", "username", "email", "first_name", "last_name", *SCHEDULE_FIELDS)
    get_full_name = User.get_full_name  # the display name is the model's, to the byte

    def __init__(self, values, schedule=()):
        self.pk, self.username, self.email, self.first_name, self.last_name = values
        for name, value in zip(SCHEDULE_FIELDS, schedule, strict=False):  # the absence's own user only
            setattr(self, name, value)

    @property
    def id(self) -> int:
        return self.pk


class AbsenceRow:
    """An absence as plain values with the attribute names of the model and its four relations
    (``absence_list``'s ``select_related``): a page of 50 models with their ~150 related ones cost
    ~2 ms of Python to build, these a fraction of it (``tests/absences/test_absence_rows.py``)."""

    __slots__ = (*ROW_FIELDS, "type", "user", "coverer", "approval_delegate")

    @property
    def pk(self) -> int:
        return self.id

    @property
    def type_id(self) -> str:
        return self.type.key

    @property
    def user_id(self) -> int:
        return self.user.pk

    @property
    def coverer_id(self) -> int | None:
        return self.coverer and self.coverer.pk

    @property
    def approval_delegate_id(self) -> int | None:
        return self.approval_delegate and self.approval_delegate.pk


def _reference(values) -> PersonRow | None:
    return None if values[0] is None else PersonRow(values)


_PERSON = [f"user__{name}" for name in (*PERSON_FIELDS, *SCHEDULE_FIELDS)]
_REFERENCES = [f"{relation}__{name}" for relation in ("coverer", "approval_delegate") for name in PERSON_FIELDS]


def absence_rows(queryset) -> list[AbsenceRow]:
    """The absences of ``queryset`` (in its order) as ``AbsenceRow``s, in one query."""
    own, person, reference = len(ROW_FIELDS), len(_PERSON), len(PERSON_FIELDS)
    rows = []
    for values in queryset.values_list(*ROW_FIELDS, "type__key", "type__private", *_PERSON, *_REFERENCES):
        row = AbsenceRow()
        for name, value in zip(ROW_FIELDS, values[:own], strict=True):
            setattr(row, name, value)
        type_key, private, *people = values[own:]
        row.type = SimpleNamespace(key=type_key, private=private)
        row.user = PersonRow(people[:reference], people[reference:person])
        row.coverer = _reference(people[person : person + reference])
        row.approval_delegate = _reference(people[person + reference :])
        rows.append(row)
    return rows


def reference_occurrence(absence: Absence, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The occurrence ``state`` and ``working_days`` describe: the current one, else the next one,
    else (a finished series) the last one."""
    now = now or timezone.now()
    found = current_or_next(absence, now)
    if found is not None:
        return found
    if absence.recurrence and absence.series_end_at is not None:
        return absence.series_end_at - (absence.end_at - absence.start_at), absence.series_end_at
    return absence.start_at, absence.end_at


def absence_state(absence: Absence, now: dt.datetime | None = None) -> str:
    """``upcoming``, ``current`` or ``past``; a series by its current or next occurrence."""
    now = now or timezone.now()
    found = current_or_next(absence, now)
    if found is None:
        return PAST
    return CURRENT if found[0] <= now else UPCOMING


def absence_working_days(absence: Absence, now: dt.datetime | None = None) -> int:
    """Working days (the user's schedule minus public holidays) with time of the reference
    occurrence on them, as local dates of the user."""
    zone = user_zone(absence.user)
    dates = covered_dates(reference_occurrence(absence, now), zone)
    return len(working_dates(absence.user, dates[0], dates[-1]))


def absences_in_state(queryset, state: str, now: dt.datetime | None = None):
    """Narrow ``queryset`` to ``state``. One-off absences in SQL; a series whose window contains
    ``now`` is expanded (only those), so the answer agrees with ``absence_state`` exactly."""
    now = now or timezone.now()
    open_series = Q(series_end_at__gt=now) | Q(series_end_at__isnull=True)
    if state == PAST:
        return queryset.filter(series_end_at__lte=now)
    one_off_current = Q(recurrence="", start_at__lte=now, end_at__gt=now)
    sql = Q(start_at__gt=now) if state == UPCOMING else one_off_current
    running = queryset.exclude(recurrence="").filter(open_series, start_at__lte=now).select_related("user")
    matching = [absence.pk for absence in running if absence_state(absence, now) == state]
    return queryset.filter(sql | Q(pk__in=matching))


def overlapping_exactly(queryset, start: dt.datetime, end: dt.datetime, *, org_wide: bool = False):
    """Absences with time in ``[start, end)``: one-off ones in SQL, series by their occurrences.
    ``org_wide``: a window over many people's absences (``in_window``), not a few people's."""
    window = (lambda rows: rows.in_window(start, end)) if org_wide else (lambda rows: rows.overlapping(start, end))
    # Only what expanding needs, as values: not the list's four joins and models per series.
    misses = []
    for pk, row in series_rows(window(queryset), "pk"):
        found = current_or_next(row, start)
        if found is None or found[0] >= end:
            misses.append(pk)
    # The window last: the list's pages may then split it (``AbsenceQuerySet.window_arms``).
    return window(queryset.exclude(pk__in=misses) if misses else queryset)


def details_visible_to(viewer: User, subject_user_id: int, *, admin: bool) -> bool:
    """May ``viewer`` see the title, reason and message of ``subject``'s private absences? (the
    user, their team leads, admins: the same people who may manage them)."""
    if admin or viewer.pk == subject_user_id:
        return True
    return User.objects.filter(pk=subject_user_id, pk__in=managed_user_ids(viewer)).exists()


def present_absence(absence: Absence, *, details_visible: bool) -> dict:
    """The API representation of an absence. When ``details_visible`` is false and its type is
    private, it shows as type ``away`` without title, reason or message. Other apps (coverage,
    calendars) list other people's absences through this."""
    from absences.api.serializers import AbsenceSerializer

    return AbsenceSerializer(absence, context={"details_visible": details_visible}).data


def _horizon(absence: Absence) -> tuple[dt.datetime, dt.datetime]:
    end = absence.series_end_at or absence.start_at + WARNING_HORIZON
    return absence.start_at, min(end, absence.start_at + WARNING_HORIZON)


def _coverer_away(absence: Absence, spans) -> dict | None:
    start, end = _horizon(absence)
    coverer = absence.coverer
    theirs = Absence.objects.of_people_overlapping([coverer.pk], start, end).away().exclude(pk=absence.pk)
    for other in theirs:
        other.user = coverer
        for c_start, c_end in occurrences(other, start, end):
            if any(c_start < s_end and c_end > s_start for s_start, s_end in spans):
                when = max(c_start, start).isoformat().replace("+00:00", "Z")
                detail = f"{coverer.username} is away during this absence (from {when})."
                return {"code": "coverer_away", "detail": detail}
    return None


def _below_minimum(absence: Absence, spans) -> list[dict]:
    zone = user_zone(absence.user)
    dates = sorted({day for span in spans for day in covered_dates(span, zone)})
    warnings = []
    teams = absence.user.teams.filter(min_available__gt=0).prefetch_related("members")
    for team in teams:
        days = members_staffing(team.members.all(), team.min_available, dates[0], dates[-1])
        short = [d.date for d in days if d.date in dates and d.below_minimum and absence.user in d.away]
        if short:
            listed = ", ".join(day.isoformat() for day in short[:5]) + (" …" if len(short) > 5 else "")
            detail = f"Team {team.name} has fewer than {team.min_available} people available on {listed}."
            warnings.append({"code": "below_team_minimum", "detail": detail, "team": team.pk})
    return warnings


def absence_warnings(absence: Absence) -> list[dict]:
    """Non-blocking warnings for a created or changed absence: ``coverer_away`` when the coverer
    has an away absence overlapping it, ``below_team_minimum`` per team of the user that drops
    below its ``min_available`` on some day of it (first 366 days of a series)."""
    spans = occurrences(absence, *_horizon(absence))
    if not spans or not absence.type.counts_as_away:
        return []
    warnings = []
    if absence.coverer_id is not None:
        found = _coverer_away(absence, spans)
        if found:
            warnings.append(found)
    return warnings + _below_minimum(absence, spans)
