"""The absence list's pagination: the page's keys (and the total) first, then only those rows."""

from django.db.models import Count, Window

from config.api.pagination import TOTAL, CountingPaginator, PageNumberPagination


class KeysFirstPaginator(CountingPaginator):
    """Fetches a page as its keys, sorted and sliced, with the total (``COUNT(*) OVER ()``), then
    ``rows WHERE pk IN (those keys)``: two queries, where counting and reading separately were a
    count plus one query that sorted the same keys again.

    The keys' select needs only the filter and sort columns, which the covering window index holds
    (PostgreSQL, migration 0006), so a page deep in a window sorts index entries instead of reading
    every matching row with its four joins; the joins then run for the page's rows alone.
    """

    def rows_with_total(self, bottom: int, top: int) -> tuple[list, int | None]:
        keys = list(self.object_list.annotate(**{TOTAL: Window(Count("pk"))}).values_list("pk", TOTAL)[bottom:top])
        if not keys:
            return [], None
        rows = {row.pk: row for row in self.object_list.filter(pk__in=[pk for pk, _ in keys]).order_by()}
        return [rows[pk] for pk, _ in keys], keys[0][1]

    def page(self, number):
        if not self._counts_in_window():
            return self._keys_first_page(number)
        return super().page(number)

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
