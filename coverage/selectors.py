"""Availability: is a user away at an instant, since when, until when, and who covers them.

A user is away at ``at`` when an occurrence of one of their away-type absences, or the window of
one of their enabled one-time rules, covers ``at`` (start inclusive, end exclusive). Each answer
costs two queries (absences, rules) for one user, or for a whole page of users at once.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from absences.models import Absence
from absences.recurrence import occurrences
from coverage.precedence import ANY, select_rule
from rules.models import Rule

# How far after ``at`` an away stretch is followed (and the next absence looked for). Absences are
# at most 366 days long, so this always reaches the end of the absence covering ``at``; a stretch
# chained past it ends, for ``back_at``, at the end of the last piece starting inside this window.
LOOKAHEAD = dt.timedelta(days=366)


@dataclass(frozen=True)
class AwaySpan:
    """One piece of away time: an absence occurrence (``absence`` set) or a one-time rule window."""

    start: dt.datetime
    end: dt.datetime
    absence: Absence | None = None
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


def _absences_query(user_ids, start: dt.datetime, end: dt.datetime):
    return (
        Absence.objects.filter(user_id__in=user_ids)
        .away()
        .overlapping(start, end)
        .select_related("type", "coverer")
        .order_by()
    )


def _rules_query(user_ids, start: dt.datetime, end: dt.datetime):
    one_time_in_window = Q(kind=Rule.Kind.ONE_TIME, start_at__lt=end, end_at__gt=start)
    return (
        Rule.objects.filter(user_id__in=user_ids, enabled=True)
        .filter(Q(kind=Rule.Kind.RECURRING) | one_time_in_window)
        .select_related("coverer")
        .order_by()
    )


def _spans(absences, rules, start: dt.datetime, end: dt.datetime) -> list[AwaySpan]:
    spans = [AwaySpan(s, e, absence=a) for a in absences for s, e in occurrences(a, start, end)]
    spans += [AwaySpan(r.start_at, r.end_at, rule=r) for r in rules if r.kind == Rule.Kind.ONE_TIME]
    return sorted(spans, key=lambda s: (s.start, s.end))


def _stretch_end(spans: list[AwaySpan], covering: list[AwaySpan]) -> dt.datetime:
    """End of the continuous away time through ``covering``: overlapping or touching spans merge."""
    end = max(s.end for s in covering)
    for span in spans:  # sorted by start
        if span.start > end:
            break
        end = max(end, span.end)
    return end


def availability_from(user, at: dt.datetime, absences, rules) -> Availability:
    """Availability of ``user`` at ``at`` from already loaded absences and rules (no queries)."""
    for absence in absences:
        absence.user = user  # occurrences() reads the zone from it: no query per absence
    spans = _spans(absences, rules, at, at + LOOKAHEAD)
    covering = [s for s in spans if s.covers(at)]
    if not covering:
        upcoming = next((s for s in spans if s.absence is not None and s.start > at), None)
        return Availability(user=user, at=at, available=True, next_span=upcoming)
    back_at = _stretch_end(spans, covering)
    in_force = [r for r in rules if r.kind == Rule.Kind.RECURRING or r.start_at <= at < r.end_at]
    upcoming = next((s for s in spans if s.absence is not None and s.start > back_at), None)
    return Availability(user, at, False, covering, in_force, back_at, upcoming)


def user_availability(user, at: dt.datetime) -> Availability:
    """Availability of one user at ``at``: two queries, whatever the number of absences and rules."""
    end = at + LOOKAHEAD
    absences = list(_absences_query([user.pk], at, end))
    rules = list(_rules_query([user.pk], at, end))
    return availability_from(user, at, absences, rules)


def users_availability(users, at: dt.datetime) -> dict[int, Availability]:
    """Availability of several users at once (a page of the current-coverage list): two queries."""
    users = list(users)
    end = at + LOOKAHEAD
    ids = [u.pk for u in users]
    absences, rules = defaultdict(list), defaultdict(list)
    for absence in _absences_query(ids, at, end):
        absences[absence.user_id].append(absence)
    for rule in _rules_query(ids, at, end):
        rules[rule.user_id].append(rule)
    return {u.pk: availability_from(u, at, absences[u.pk], rules[u.pk]) for u in users}


def away_users(at: dt.datetime, users):
    """``users`` (a User queryset) narrowed to those away at ``at``, as one queryset.

    One-off absences and one-time rule windows are matched in SQL on the window indexes
    (``start_at <= at < end``); recurring series that may cover ``at`` are read through the partial
    index on recurring absences and their occurrences checked here, so only those rows are loaded.
    """
    one_off = Absence.objects.away().filter(recurrence="", start_at__lte=at, series_end_at__gt=at, end_at__gt=at)
    rule_windows = Rule.objects.filter(kind=Rule.Kind.ONE_TIME, enabled=True, start_at__lte=at, end_at__gt=at)
    recurring = (
        Absence.objects.away()
        .exclude(recurrence="")
        .filter(start_at__lte=at)
        .filter(Q(series_end_at__gt=at) | Q(series_end_at__isnull=True))
        .select_related("user")
        .only(
            "id", "start_at", "end_at", "all_day", "recurrence", "recurrence_exceptions", "user__id", "user__timezone"
        )
    )
    moment_end = at + dt.timedelta(microseconds=1)
    recurring_ids = {a.user_id for a in recurring if occurrences(a, at, moment_end)}
    return users.filter(
        Q(pk__in=one_off.values("user_id")) | Q(pk__in=rule_windows.values("user_id")) | Q(pk__in=recurring_ids)
    )
