"""The absence list's pagination: the page's keys (and the total) first, then only those rows."""

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, Q, Window
from django.utils.functional import cached_property

from absences.selectors import absence_rows
from config.api.pagination import TOTAL, CountingPaginator, PageNumberPagination

# The orderings a window's arms keep (``AbsenceQuerySet.window_arms``): by ``start_at``, either way.
# Descending, the arm of absences beginning inside the window comes first.
ARM_ORDERINGS = {("start_at", "pk"): False, ("-start_at", "-pk"): True}


class KeysFirstPaginator(CountingPaginator):
    """Fetches a page as its keys, sorted and sliced, with the total (``COUNT(*) OVER ()``), then
    ``rows WHERE pk IN (those keys)``: two queries, where counting and reading separately were a
    count plus one query that sorted the same keys again.

    The keys' select needs only the filter and sort columns, which the covering window index holds
    (PostgreSQL, migration 0006), so a page deep in a window sorts index entries instead of reading
    every matching row with its four joins; the joins then run for the page's rows alone.

    A ``from``/``to`` window sorted by ``start_at`` (the default) is paged by its two arms instead
    (``AbsenceQuerySet.window_arms``): one statement counts both, and the page's rows are read by
    their keys in each arm's own order (``WHERE pk IN (… ORDER BY start_at, id LIMIT … OFFSET …)``),
    still two statements, without finding and sorting every absence of the window.
    """

    def rows_with_total(self, bottom: int, top: int) -> tuple[list, int | None]:
        keys = list(self.object_list.annotate(**{TOTAL: Window(Count("pk"))}).values_list("pk", TOTAL)[bottom:top])
        if not keys:
            return [], None
        rows = {row.pk: row for row in absence_rows(self.object_list.filter(pk__in=[pk for pk, _ in keys]).order_by())}
        return [rows[pk] for pk, _ in keys], keys[0][1]

    @cached_property
    def _arms(self) -> list | None:
        """The window's arms in this list's order, or None when it is not a window in ``start_at`` order."""
        ordering = tuple(getattr(getattr(self.object_list, "query", None), "order_by", ()))
        window_arms = getattr(self.object_list, "window_arms", None)
        if ordering not in ARM_ORDERINGS or window_arms is None or self.object_list.query.distinct:
            return None
        arms = window_arms()
        if arms is None:
            return None
        arms = [arm.order_by(*ordering) for arm in arms]
        return arms[::-1] if ARM_ORDERINGS[ordering] else arms

    @cached_property
    def _arm_sizes(self) -> list[int]:
        """How many rows each arm has, in one statement."""
        connection = connections[self.object_list.db]
        counts, params = [], []
        for arm in self._arms:
            try:
                sql, arm_params = arm.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
            except EmptyResultSet:  # e.g. nobody to see: nothing to count
                counts.append("0")
                continue
            counts.append(f"(SELECT COUNT(*) FROM ({sql}) AS arm)")  # noqa: S608 - Django's SQL, values as params
            params.extend(arm_params)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(counts)}", params)
            return list(cursor.fetchone())

    @cached_property
    def count(self) -> int:
        if self._arms is not None:
            return sum(self._arm_sizes)
        return Paginator.count.func(self)

    def page(self, number):
        if self._arms is not None:
            return self._arms_page(number)
        if not self._counts_in_window():
            return self._keys_first_page(number)
        return super().page(number)

    def _arms_page(self, number):
        number = self.validate_number(number)  # counts first: a page past the end is a 404
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys, offset = Q(), 0
        for arm, size in zip(self._arms, self._arm_sizes, strict=True):
            first, last = max(bottom - offset, 0), min(top - offset, size)
            if first < last:
                keys |= Q(pk__in=arm.values("pk")[first:last])
            offset += size
        rows = absence_rows(self.object_list.filter(keys)) if keys else []
        return self._get_page(rows, number, self)

    def _keys_first_page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)


class AbsencePagination(PageNumberPagination):
    django_paginator_class = KeysFirstPaginator
