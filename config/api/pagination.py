"""Page-number pagination whose bad parameters are 400s, not silently clamped."""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, Window
from rest_framework import pagination

from config.api.errors import validation_error
from config.api.params import single_param

MAX_PAGE_SIZE = 500


def _positive_int(raw: str, attr: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise validation_error("A positive integer is required.", attr=attr) from None
    if value < 1:
        raise validation_error("A positive integer is required.", attr=attr, code="min_value")
    return value


TOTAL = "page_total"  # the window count's alias on a page's rows
LARGEST_OFFSET = 2**62  # well inside PostgreSQL's bigint, far beyond any list


class CountingPaginator(Paginator):
    """A page and the total in one query: the page's rows carry ``COUNT(*) OVER ()``.

    Django's paginator counts first and then reads the page: two statements that both find every
    matching row (for a window over the organisation, two scans of the same index entries). Here
    the page's query counts them once while it sorts them. An empty page (past the end, or nothing
    matches) costs the plain count as well, to tell "empty list" from "no such page".
    """

    def rows_with_total(self, bottom: int, top: int) -> tuple[list, int | None]:
        """The rows ``[bottom:top]`` of the list and the total (None when there are no such rows)."""
        rows = list(self.object_list.annotate(**{TOTAL: Window(Count("pk"))})[bottom:top])
        return rows, (getattr(rows[0], TOTAL) if rows else None)

    def _counts_in_window(self) -> bool:
        query = getattr(self.object_list, "query", None)
        if query is None or query.distinct or query.combinator or "count" in self.__dict__:
            return False  # not a queryset, a window over a DISTINCT, or counted already (page=last)
        return connections[self.object_list.db].features.supports_over_clause

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)  # validate_number's own error
        bottom = (number - 1) * self.per_page
        if number < 1 or bottom + self.per_page + self.orphans > LARGEST_OFFSET or not self._counts_in_window():
            # A page so far out that its OFFSET is no bigint (a 500 from PostgreSQL): the plain
            # count first answers "no such page" (404), as Django's paginator does.
            return super().page(number)
        rows, total = self.rows_with_total(bottom, bottom + self.per_page + self.orphans)
        if total is None:
            return super().page(number)
        self.count = total  # the cached_property, filled from the window count
        if bottom + self.per_page + self.orphans < total:
            rows = rows[: self.per_page]  # the last page takes up to ``orphans`` rows more
        return self._get_page(rows, self.validate_number(number), self)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        raw = single_param(request.query_params, self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = _positive_int(raw, self.page_size_query_param)
        if size > self.max_page_size:
            raise validation_error(
                f"At most {self.max_page_size} items per page.", attr=self.page_size_query_param, code="max_value"
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        raw_page = single_param(request.query_params, self.page_query_param)
        if raw_page is not None and raw_page not in self.last_page_strings:
            _positive_int(raw_page, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number (from 1).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page (default {self.page_size}, at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class CountingPagination(PageNumberPagination):
    """For lists whose count costs as much as their page (a window over the organisation)."""

    django_paginator_class = CountingPaginator
