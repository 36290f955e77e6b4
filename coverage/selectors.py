"""Availability: is a user away at an instant, since when, until when, and who covers them.

A user is away at ``at`` when an occurrence of one of their away-type absences, or the window of
one of their enabled one-time rules, covers ``at`` (start inclusive, end exclusive). One user's
answer costs two queries (their absences in the look-ahead, their rules); a page of users two too
(their look-ahead as plain values, with the covering ones' coverers; their rules); coverers
in a chain, who only need the instant itself, are loaded a few at a time by :class:`CoverersAt`.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from absences.models import Absence
from absences.querysets import exceptions_from_text, exceptions_text
from absences.recurrence import occurrences
from absences.selectors import SERIES_FIELDS, series_values_cover
from config.compiled import CompiledQuery, fetch_together
from config.id_lists import ids_in
from coverage.precedence import ANY, select_rule
from people.models import User
from rules.models import Rule

# How far after ``at`` an away stretch is followed (and the next absence looked for). Absences are
# at most 366 days long, so this always reaches the end of the absence covering ``at``; a stretch
# chained past it ends, for ``back_at``, at the end of the last piece starting inside this window.
LOOKAHEAD = dt.timedelta(days=366)


@dataclass(frozen=True)
class AwaySpan:
    """One piece of away time: an absence occurrence (``absence`` set: a model, or an
    ``AbsenceRow`` for a page of users) or a one-time rule window."""

    start: dt.datetime
    end: dt.datetime
    absence: "Absence | AbsenceRow | None" = None
    rule: Rule | None = None

    def covers(self, at: dt.datetime) -> bool:
        return self.start <= at < self.end


@dataclass
class Availability:
    """A user's state at ``at``. ``span`` is the absence occurrence shown as "the" absence: the
    covering one that started last (ties: newest id); ``rules`` are the enabled rules in force."""

    user: object
    at: dt.datetime
    available: bool
    covering: list[AwaySpan] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    back_at: dt.datetime | None = None
    next_span: AwaySpan | None = None

    @property
    def span(self) -> AwaySpan | None:
        spans = [s for s in self.covering if s.absence is not None]
        return max(spans, key=lambda s: (s.start, s.absence.pk), default=None)

    @property
    def absence(self) -> Absence | None:
        return self.span.absence if self.span else None

    @property
    def away_since(self) -> dt.datetime | None:
        return min((s.start for s in self.covering), default=None)

    def absence_coverer(self):
        """The coverer named by the shown absence, else by any other covering absence."""
        spans = sorted(
            (s for s in self.covering if s.absence is not None), key=lambda s: (s.start, s.absence.pk), reverse=True
        )
        return next((s.absence.coverer for s in spans if s.absence.coverer_id), None)

    def rule_for(self, *, project=ANY, issue_type=ANY) -> Rule | None:
        return select_rule(self.rules, project=project, issue_type=issue_type)


# A moment's width: absences "overlapping [at, at + MOMENT)" are those that may cover ``at``.
MOMENT = dt.timedelta(microseconds=1)
# SPEC §4: an absence lasts at most 366 days, so one covering ``at`` started after ``at - 366 d``.
MAX_ABSENCE_LENGTH = dt.timedelta(days=366)
USER_REF_FIELDS = {"id", "username", "email", "first_name", "last_name"}
# What a current-coverage row reads of its person: the reference, and the zone of ``{until}`` and
# of their series (not the password hash, dates, working days and holiday region).
ROW_PERSON_FIELDS = (*sorted(USER_REF_FIELDS), "timezone")
# A page's absences in its look-ahead, read as values: what occurrences, merging and ``next_absence``
# need, and what a covering one shows (its message and coverer, joined).
PAGE_FIELDS = (
    "id",
    "user_id",
    "type_id",
    "type__private",
    "title",
    "start_at",
    "end_at",
    "all_day",
    "recurrence",
    "recurrence_exceptions",
    "series_end_at",
    "message",
    "coverer_id",
)
# What coverage rows and messages show of a coverer (``user_ref``, ``user_display_name``), in the
# model's field order, which ``Model.from_db`` expects of a subset.
COVERER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields if f.attname in USER_REF_FIELDS)


@dataclass(frozen=True)
class TypeRef:
    key: str
    private: bool


@dataclass
class AbsenceRow:
    """An absence of a page of users, read as plain values: a year of absences for a page of users
    would cost far more as models. It carries what look-ahead needs (occurrences, merging,
    ``next_absence``) and what a covering one shows (``message``, ``coverer``, like the model's)."""

    pk: int
    user_id: int
    type_id: str
    private: bool
    title: str
    start_at: dt.datetime
    end_at: dt.datetime
    all_day: bool
    recurrence: str
    recurrence_exceptions: list
    series_end_at: dt.datetime | None
    message: str
    coverer_id: int | None
    coverer_names: tuple = ()  # the coverer's other ``COVERER_FIELDS``, as read
    coverer: User | None = None  # set for the covering rows only (``_shown``): they are shown
    user: object = None

    @property
    def type(self) -> TypeRef:
        return TypeRef(self.type_id, self.private)


def _absences_query(user_ids, start: dt.datetime, end: dt.datetime):
    """Away absences (and series) of a few people that may have time in ``[start, end)``, as models
    with type and coverer (inside the per-user btree: ``of_people_overlapping``)."""
    return (
        Absence.objects.of_people_overlapping(user_ids, start, end).away().select_related("type", "coverer").order_by()
    )


def _may_cover(absence, at: dt.datetime) -> bool:
    """Whether a loaded absence (or series) of the look-ahead may cover ``at``: what
    ``overlapping(at, at + MOMENT)`` would select."""
    if absence.start_at > at:
        return False
    if not absence.recurrence:
        return absence.end_at > at
    return absence.series_end_at is None or absence.series_end_at > at


def _page_query(user_ids, start: dt.datetime, end: dt.datetime):
    """Away absences of ``user_ids`` with time in ``[start, end)``, as ``PAGE_FIELDS`` and their
    coverer's other ``COVERER_FIELDS`` (values).

    ``of_people_overlapping`` checks the window inside the per-user btree: for a page of 100
    people PostgreSQL otherwise read their whole history from the table (~10,000 rows, 2,700
    pages) to keep the ~600 ahead.
    """
    columns = [exceptions_text() if name == "recurrence_exceptions" else name for name in PAGE_FIELDS]
    return (
        Absence.objects.of_people_overlapping(user_ids, start, end)
        .away()
        .order_by()
        .values_list(*columns, *(f"coverer__{name}" for name in COVERER_FIELDS[1:]))
    )


def _page_rows(fetched: list) -> list[AbsenceRow]:
    """``_page_absences``' values (a page of people's away absences with time in ``[at, at +
    LOOKAHEAD)``) as light rows with their coverers: the ones covering ``at`` are among them
    (picked with ``_may_cover``, as for one user). Reading the covering ones here too, not as
    models with their type and coverer in a query of their own, saves that query and ~400 model
    instances a page; the query is compiled once per page size and prepared (``_ForFewPeople``).
    """
    rows = []
    for values in fetched:
        row = AbsenceRow(*values[: len(PAGE_FIELDS)], values[len(PAGE_FIELDS) :])
        row.recurrence_exceptions = exceptions_from_text(row.recurrence_exceptions)
        rows.append(row)
    return rows


def _shown(row: AbsenceRow) -> AbsenceRow:
    """``row`` with its coverer as a ``User`` (only the fields read; others load when asked for, as
    with ``only()``), for a covering row, which is shown."""
    if row.coverer_id is not None:
        row.coverer = User.from_db(None, COVERER_FIELDS, (row.coverer_id, *row.coverer_names))
    return row


def _rules_query(user_ids, start: dt.datetime, end: dt.datetime):
    one_time_in_window = Q(kind=Rule.Kind.ONE_TIME, start_at__lt=end, end_at__gt=start)
    return (
        Rule.objects.filter(user_id__in=user_ids, enabled=True)
        .filter(Q(kind=Rule.Kind.RECURRING) | one_time_in_window)
        .select_related("coverer")
        .order_by()
    )


class _ForFewPeople:
    """``build(user_ids, start, end)`` compiled once for each number of people up to ``most``
    (``config.compiled``), on first use: one person's year ahead on every availability and resolve,
    the one to three coverers of a chain, a page of current coverage (a page size, usually the
    same on every request). More people, or SQLite, build the queryset as usual."""

    def __init__(self, build, most: int = 4) -> None:
        self.build = build
        self.most = most
        self.compiled: dict[int, CompiledQuery] = {}

    def _compile(self, count: int) -> CompiledQuery:
        def build(*values):
            return self.build(list(values[:count]), values[count], values[count + 1])

        # No real id is negative, and 1901 is before any stored time.
        def values(year: int, first_id: int) -> tuple:
            ids = tuple(first_id - n for n in range(count))
            return (*ids, dt.datetime(year, 1, 1, tzinfo=dt.UTC), dt.datetime(year, 6, 1, tzinfo=dt.UTC))

        return CompiledQuery(build, sentinels=values(1901, -(2**62)), others=values(1902, -(2**61)))

    def bind(self, user_ids, start: dt.datetime, end: dt.datetime):
        """The read for ``fetch_together``: the compiled query bound to these values, or (more
        people, an empty window) a function building the queryset."""
        ids = sorted(set(user_ids))
        if not 1 <= len(ids) <= self.most or end <= start:  # an empty window is no query (``overlapping``)
            return lambda: list(self.build(ids, start, end))
        compiled = self.compiled.get(len(ids))
        if compiled is None:
            compiled = self.compiled[len(ids)] = self._compile(len(ids))
        return compiled.bind(*ids, start, end)

    def fetch(self, user_ids, start: dt.datetime, end: dt.datetime) -> list:
        return fetch_together(self.bind(user_ids, start, end))[0]


_few_absences = _ForFewPeople(_absences_query)
_few_rules = _ForFewPeople(_rules_query)
# A page of current coverage: at most 500 people (``page_size``), usually the same number.
_page_absences = _ForFewPeople(_page_query, most=500)
_page_rules = _ForFewPeople(_rules_query, most=500)


def _absence_spans(absences, start: dt.datetime, end: dt.datetime) -> list[AwaySpan]:
    return [AwaySpan(s, e, absence=a) for a in absences for s, e in occurrences(a, start, end)]


def _stretch_end(spans: list[AwaySpan], covering: list[AwaySpan]) -> dt.datetime:
    """End of the continuous away time through ``covering``: overlapping or touching spans merge."""
    end = max(s.end for s in covering)
    for span in spans:  # sorted by start
        if span.start > end:
            break
        end = max(end, span.end)
    return end


def availability_from(user, at: dt.datetime, covering_absences, ahead: list[AbsenceRow], rules) -> Availability:
    """Availability of ``user`` at ``at`` from already loaded rows (no queries).

    ``covering_absences`` are shown (type, title, message, coverer): models, or a page's
    ``AbsenceRow``s; ``ahead`` (models or rows) are used to merge the stretch and find the next
    absence.
    """
    for absence in [*covering_absences, *ahead]:
        absence.user = user  # occurrences() reads the zone from it: no query per absence
    windows = [AwaySpan(r.start_at, r.end_at, rule=r) for r in rules if r.kind == Rule.Kind.ONE_TIME]
    covering = _absence_spans(covering_absences, at, at + MOMENT) + [w for w in windows if w.covers(at)]
    spans = sorted(_absence_spans(ahead, at, at + LOOKAHEAD) + windows, key=lambda s: (s.start, s.end))
    if not covering:
        upcoming = next((s for s in spans if s.absence is not None and s.start > at), None)
        return Availability(user=user, at=at, available=True, next_span=upcoming)
    back_at = _stretch_end(spans, covering)
    in_force = [r for r in rules if r.kind == Rule.Kind.RECURRING or r.start_at <= at < r.end_at]
    upcoming = next((s for s in spans if s.absence is not None and s.start > back_at), None)
    return Availability(user, at, False, covering, in_force, back_at, upcoming)


def user_availability(user, at: dt.datetime) -> Availability:
    """Availability of one user at ``at``: two queries, whatever the number of absences and rules.

    One user's look-ahead is a year of their absences (a dozen rows), so they are all read as
    models in one query and the covering ones picked here; for a page of users the split into
    covering models and light rows ahead (``users_availability``) is cheaper.
    """
    return user_availability_with(user, at)[0]


def user_availability_with(user, at: dt.datetime, *reads) -> tuple:
    """``(user_availability(user, at), *the results of reads)``: ``reads`` (``fetch_together``'s)
    travel in the same round trip as the user's absences and rules (resolve: the routing settings)."""
    absences, rules, *others = fetch_together(
        _few_absences.bind([user.pk], at, at + LOOKAHEAD), _few_rules.bind([user.pk], at, at + LOOKAHEAD), *reads
    )
    covering = [a for a in absences if _may_cover(a, at)]
    return (availability_from(user, at, covering, absences, rules), *others)


def users_availability(users, at: dt.datetime) -> dict[int, Availability]:
    """Availability of several users at once (a page of the current-coverage list): two queries in
    one round trip, their absences in the look-ahead (the covering ones among them) and their rules."""
    users = list(users)
    ids = [u.pk for u in users]
    covering, ahead, rules = defaultdict(list), defaultdict(list), defaultdict(list)
    end = at + LOOKAHEAD
    page_absences, page_rules = fetch_together(_page_absences.bind(ids, at, end), _page_rules.bind(ids, at, end))
    for row in _page_rows(page_absences):
        ahead[row.user_id].append(row)
        if _may_cover(row, at):
            covering[row.user_id].append(_shown(row))
    for rule in page_rules:
        rules[rule.user_id].append(rule)
    return {u.pk: availability_from(u, at, covering[u.pk], ahead[u.pk], rules[u.pk]) for u in users}


def _at_instant(build) -> CompiledQuery:
    """``build(at)`` compiled once (``config.compiled``): a read of the whole organisation at one
    instant, prepared on PostgreSQL with ``at`` as its only value. 1901 is before any stored time."""
    return CompiledQuery(
        build, sentinels=(dt.datetime(1901, 1, 1, tzinfo=dt.UTC),), others=(dt.datetime(1902, 1, 1, tzinfo=dt.UTC),)
    )


# Who is away at an instant (``away_user_ids``): series running then, to be checked by their
# occurrences, and one-off absences running then, read together.
_series_running = _at_instant(
    lambda at: Absence.objects.away().series_running_at(at).order_by().values_list("user_id", *SERIES_FIELDS)
)
_one_offs_running = _at_instant(
    lambda at: (
        Absence.objects.away().one_off_running_at(at, longest=MAX_ABSENCE_LENGTH).order_by().values_list("user_id")
    )
)


def _rule_windows_open(at: dt.datetime) -> list[tuple[int]]:
    """One-time rule windows open at ``at``. Built with its values, not compiled: on the partial
    index ``rule_one_time_window`` PostgreSQL needs ``at`` to see how few windows are open (0.3
    ms); a prepared statement's generic plan read every one-time rule instead (3.7 ms at 40,000)."""
    windows = Rule.objects.filter(kind=Rule.Kind.ONE_TIME, enabled=True, start_at__lte=at, end_at__gt=at)
    return list(windows.order_by().values_list("user_id"))


def away_user_ids(at: dt.datetime) -> set[int]:
    """Ids of the people away at ``at``, active or not: three reads (two in one round trip), each on its
    index (one-offs: ``one_off_running_at``, index-only on PostgreSQL's range index; series:
    ``series_running_at``; rule windows: ``rule_one_time_window``).

    The series running at ``at`` (hundreds in a large organisation) are checked here, read as
    plain values and known by them (``series_values_cover``): one whose current occurrence was
    found on an earlier request is answered without expanding it or building anything.
    """
    series, one_offs, rule_windows = fetch_together(
        _series_running.bind(at), _one_offs_running.bind(at), lambda: _rule_windows_open(at)
    )
    away = {user_id for (user_id,) in one_offs}
    away.update(user_id for (user_id,) in rule_windows)
    for row in series:
        if row[0] not in away and series_values_cover(row[1:], at):
            away.add(row[0])
    return away


def away_users(at: dt.datetime, users):
    """``users`` (a User queryset) narrowed to those away at ``at``, as one queryset.

    The ids come first (``away_user_ids``), then the people by them (``ids_in``: one array
    parameter): PostgreSQL finds ~1,100 of them by primary key and sorts them for the page
    (~3 ms at 1M absences). As subqueries in one statement it walked all 10,000 people in
    username order and tested each against them (~7 ms).
    """
    return ids_in(users, "pk", away_user_ids(at))


class CoverersAt:
    """Availability at one instant of the coverers a reassignment chain passes, loaded in batches.

    A coverer's answer needs only the instant: their absences and one-time rule windows covering
    ``at``, and their rules in force (no look-ahead: ``back_at`` and ``next_span`` are not set).
    Every load also takes in the coverers already named by what was loaded before (rules' and
    covering absences' coverers), so the next hop often finds its rows there; a person's rules and
    covering absences are read together, in one round trip (``fetch_together``): a chain of two
    away coverers and a final available one costs two round trips (four statements).
    """

    def __init__(self, at: dt.datetime, *, named_by: Availability | None = None) -> None:
        self.at = at
        self._absences: dict[int, list[Absence]] = {}
        self._rules: dict[int, list[Rule]] = {}
        self._named: set[int] = set()
        if named_by is not None:
            self._name(r.coverer_id for r in named_by.rules)
            self._name(s.absence.coverer_id for s in named_by.covering if s.absence is not None)

    def _name(self, ids) -> None:
        self._named.update(pk for pk in ids if pk is not None)

    def availability(self, user) -> Availability:
        if user.pk not in self._rules or user.pk not in self._absences:
            rule_ids = {user.pk} | (self._named - self._rules.keys()) if user.pk not in self._rules else set()
            absence_ids = {user.pk} | (self._named - self._absences.keys()) if user.pk not in self._absences else set()
            end = self.at + MOMENT
            reads = [_few_rules.bind(rule_ids, self.at, end)] if rule_ids else []
            reads += [_few_absences.bind(absence_ids, self.at, end)] if absence_ids else []
            fetched = fetch_together(*reads)
            self._rules.update((pk, []) for pk in rule_ids)
            self._absences.update((pk, []) for pk in absence_ids)
            for rule in fetched[0] if rule_ids else []:
                self._rules[rule.user_id].append(rule)
                self._name([rule.coverer_id])
            for absence in fetched[-1] if absence_ids else []:
                self._absences[absence.user_id].append(absence)
                self._name([absence.coverer_id])
        return availability_from(user, self.at, self._absences[user.pk], [], self._rules[user.pk])
