"""Read-side query methods for absences."""

import datetime as dt
import json
from dataclasses import dataclass

from django.db import connections, models
from django.db.models.functions import Cast

from people.querysets import OwnedQuerySet


def open_after(moment: dt.datetime) -> models.Q:
    """Series whose last occurrence ends after ``moment`` (or that never end)."""
    return models.Q(series_end_at__gt=moment) | models.Q(series_end_at__isnull=True)


def exceptions_text() -> Cast:
    """``recurrence_exceptions`` read as its JSON text, for ``values_list`` readers of many rows.

    Django decodes a ``JSONField`` in Python for every row (and a query with a converter pays a
    converter pass over every row); nearly every absence is a one-off whose exceptions are ``[]``.
    Decode the text with ``exceptions_from_text``.
    """
    return Cast("recurrence_exceptions", models.TextField())


def exceptions_from_text(text: str | None) -> list | None:
    """The list ``recurrence_exceptions`` holds, from ``exceptions_text``'s value (what Django's
    ``JSONField`` would have decoded: ``json.loads`` of the same text)."""
    if text == "[]":
        return []
    return None if text is None else json.loads(text)


class Recurring(models.Func):
    """``recurrence <> ''`` (a series), or with ``series=False`` ``recurrence = ''`` (a one-off), the
    empty text written into the SQL rather than bound as a parameter.

    These are the predicates of the partial indexes on series and one-offs (migrations 0006 and
    0008), and PostgreSQL uses a partial index only when the statement itself proves its
    predicate: with ``recurrence = %s`` a prepared statement's generic plan (``config.compiled``)
    cannot, and it read the range index over every absence instead (5.5-6.5 ms against 2-3 ms for
    the ~380 series running now at 1M absences).
    """

    output_field = models.BooleanField()

    def __init__(self, *, series: bool = True):
        super().__init__(models.F("recurrence"))
        self.series = series

    def as_sql(self, compiler, connection, **extra):
        column_sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"{column_sql} {'<>' if self.series else '='} ''", params


class PeriodCondition(models.Func):
    """A condition on the stored range of migration 0006 (PostgreSQL), written by ``condition``.

    The column is not a model field (SQLite has no ranges), so it is named through the table alias
    of ``start_at``: right in joins and subqueries too, where Django renames the table.
    """

    output_field = models.BooleanField()

    def __init__(self, *values):
        super().__init__(models.F("start_at"), *(models.Value(value) for value in values))

    def condition(self, period: str, *values: str) -> str:
        raise NotImplementedError

    def as_sql(self, compiler, connection, **extra):
        column, *values = self.get_source_expressions()
        sql, params = [], []
        for value in values:
            value_sql, value_params = compiler.compile(value)
            sql.append(value_sql)
            params.extend(value_params)
        period = f"{compiler.quote_name_unless_alias(column.alias)}.{connection.ops.quote_name('period')}"
        return self.condition(period, *sql), tuple(params)


class PeriodOverlaps(PeriodCondition):
    """``period && tstzrange(start, end, '[)')``: the absence has time in ``[start, end)``."""

    def condition(self, period: str, start: str, end: str) -> str:
        return f"{period} && tstzrange({start}, {end}, '[)')"


class PeriodContains(PeriodCondition):
    """``period @> moment``: the absence (or series) runs at ``moment``."""

    def condition(self, period: str, moment: str) -> str:
        return f"{period} @> {moment}"


class PeriodNotEmpty(PeriodCondition):
    """``NOT isempty(period)``: true of every row (an absence ends after it starts), and the
    predicate of the partial index ``absence_period_start`` (migration 0007), so that only a query
    stating it can walk that index. (``period IS NOT NULL`` would not do: PostgreSQL proves it from
    any ``period && …`` or ``@>`` condition, and then walks that index for them too.)"""

    def condition(self, period: str) -> str:
        return f"NOT isempty({period})"


@dataclass(frozen=True)
class AppliedWindow:
    """What ``in_window`` did on PostgreSQL, for ``AbsenceQuerySet.window_arms``."""

    start: dt.datetime
    end: dt.datetime
    before: models.QuerySet  # the queryset it was applied to
    where: object  # the WHERE it made: a later filter changes it, and the arms no longer apply


class AbsenceQuerySet(OwnedQuerySet):
    _window: AppliedWindow | None = None

    def _clone(self):
        clone = super()._clone()
        clone._window = self._window
        return clone

    def overlapping(self, start: dt.datetime, end: dt.datetime):
        """Absences (or series) that may have time inside ``[start, end)``.

        One-off absences match exactly; a recurring series matches when its first occurrence starts
        before ``end`` and its last one ends after ``start`` (``series_end_at`` null = no end). Its
        occurrences still have to be expanded to know which fall inside the window.

        For a few people (``user_id`` filters): served by the per-user btree ``absence_user_window``.
        A window over everyone should use ``in_window``.
        """
        if end <= start:
            return self.none()
        # Two arms, each on its own partial index: one-off absences by their end (series_end_at is
        # end_at for them), series by series_end_at. A single start_at/series_end_at condition made
        # PostgreSQL walk the start_at index through all of history for a window near now.
        one_off = models.Q(recurrence="", end_at__gt=start, start_at__lt=end)
        series = ~models.Q(recurrence="") & models.Q(start_at__lt=end) & open_after(start)
        return self.filter(one_off | series)

    def per_person_window(self, start: dt.datetime, end: dt.datetime):
        """``overlapping``, with the window stated once more as one condition on the per-person
        btree ``absence_user_window (user, start_at, series_end_at)``, for querysets filtered to
        some people: ``series_end_at`` is ``end_at`` for a one-off, so this adds no condition
        ``overlapping`` does not already require, but PostgreSQL then finds each person's few
        matching entries inside the index instead of fetching their whole history from the table
        (one person at 1M absences: 5 heap pages instead of 101) or every absence in the window
        organisation-wide (a 500-member calendar: 20k heap pages for 1,600 rows)."""
        return self.overlapping(start, end).filter(open_after(start), start_at__lt=end)

    def of_people_overlapping(self, user_ids, start: dt.datetime, end: dt.datetime):
        """``per_person_window`` for the absences of a few people (``user_ids``)."""
        return self.filter(user_id__in=sorted(set(user_ids))).per_person_window(start, end)

    def in_window(self, start: dt.datetime, end: dt.datetime):
        """``overlapping`` for windows over the whole organisation (lists, "who is away now").

        On PostgreSQL one ``&&`` on the stored range, which the GiST indexes of migration 0006 answer
        (the covering one without reading the table); elsewhere the btree conditions of
        ``overlapping``. Not for a few people's absences: there the per-user btree is faster than
        the range index, which the planner would otherwise pick (see docs/performance.md).
        """
        if end <= start:
            return self.none()
        if connections[self.db].vendor == "postgresql":
            windowed = self.filter(PeriodOverlaps(start, end))
            windowed._window = AppliedWindow(start, end, self, windowed.query.where)
            return windowed
        return self.overlapping(start, end)

    def one_off_running_at(self, at: dt.datetime, *, longest: dt.timedelta):
        """One-off absences running at ``at`` (``start_at <= at < end_at``), none longer than
        ``longest``: "who is away now" across the organisation.

        On PostgreSQL ``period @> at`` on the partial SP-GiST index ``absence_one_off_period``
        (migration 0008), index-only with the user and type; elsewhere the btree conditions of
        ``absence_one_off_window``, bounded to one absence length of starts (``longest``).
        """
        if connections[self.db].vendor == "postgresql":
            return self.filter(PeriodContains(at), Recurring(series=False))
        # end_at is series_end_at for a one-off: this matches the partial index absence_one_off_window
        return self.filter(recurrence="", start_at__gt=at - longest, start_at__lte=at, end_at__gt=at)

    def series_running_at(self, at: dt.datetime):
        """Series running at ``at`` (their first occurrence has begun and their last has not
        ended): the ones whose occurrences may cover ``at``, to be checked by expanding them.

        On PostgreSQL ``period @> at`` on the partial GiST index ``absence_series_period``
        (migration 0006); elsewhere the btree conditions of ``overlapping``'s series arm.
        """
        if connections[self.db].vendor == "postgresql":
            return self.filter(Recurring(), PeriodContains(at))
        return self.exclude(recurrence="").filter(open_after(at), start_at__lte=at)

    def window_arms(self):
        """The rows of ``in_window(start, end)`` as two disjoint querysets, in ``start_at`` order one
        after the other: those running at ``start`` (begun before it), then those beginning in
        ``[start, end)``. None unless this queryset is ``in_window``'s (PostgreSQL) with at most its
        ordering changed since.

        ``&&`` finds every absence of the window in the range index, however few the other filters
        keep and however few rows a page needs; the arms are cheaper: the first stabs the range
        index at one instant, the second walks ``absence_period_start`` in ``start_at`` order, so a
        page reads its keys and stops (docs/performance.md, "Lists at 1M, fourth pass").
        """
        window = self._window
        if window is None or self.query.where != window.where:
            return None
        running = window.before.filter(PeriodContains(window.start), start_at__lt=window.start)
        starting = window.before.filter(PeriodNotEmpty(), start_at__gte=window.start, start_at__lt=window.end)
        return running, starting

    def away(self):
        """Only types that make their user unavailable (not e.g. ``meeting``)."""
        return self.filter(type__counts_as_away=True)
