"""Read-side query methods for absences."""

import datetime as dt
import json

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


class PeriodOverlaps(models.Func):
    """``period && tstzrange(start, end, '[)')`` on the stored range of migration 0006 (PostgreSQL).

    The column is not a model field (SQLite has no ranges), so it is named through the table alias
    of ``start_at``: right in joins and subqueries too, where Django renames the table.
    """

    output_field = models.BooleanField()

    def __init__(self, start: dt.datetime, end: dt.datetime):
        super().__init__(models.F("start_at"), models.Value(start), models.Value(end))

    def as_sql(self, compiler, connection, **extra):
        column, start, end = self.get_source_expressions()
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        period = f"{compiler.quote_name_unless_alias(column.alias)}.{connection.ops.quote_name('period')}"
        return f"{period} && tstzrange({start_sql}, {end_sql}, '[)')", (*start_params, *end_params)


class AbsenceQuerySet(OwnedQuerySet):
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

    def of_people_overlapping(self, user_ids, start: dt.datetime, end: dt.datetime):
        """``overlapping`` for the absences of a few people (``user_ids``), with the window stated
        once more as one condition on the per-person btree ``absence_user_window (user, start_at,
        series_end_at)``: ``series_end_at`` is ``end_at`` for a one-off, so this adds no condition
        ``overlapping`` does not already require, but PostgreSQL then finds each person's few
        matching entries inside the index instead of fetching their whole history from the table
        (one person at 1M absences: 5 heap pages instead of 101)."""
        return (
            self.filter(user_id__in=sorted(set(user_ids)))
            .overlapping(start, end)
            .filter(open_after(start), start_at__lt=end)
        )

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
            return self.filter(PeriodOverlaps(start, end))
        return self.overlapping(start, end)

    def away(self):
        """Only types that make their user unavailable (not e.g. ``meeting``)."""
        return self.filter(type__counts_as_away=True)
