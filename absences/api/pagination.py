"""The absence list's pagination: the page's keys first, then only those rows."""

from django.core.paginator import Paginator

from config.api.pagination import PageNumberPagination


class KeysFirstPaginator(Paginator):
    """Fetches a page as ``rows WHERE pk IN (the page's keys, sorted and sliced)``: one query.

    The inner select needs only the filter and sort columns, which the covering window index holds
    (PostgreSQL, migration 0006), so a page deep in a window sorts index entries instead of reading
    every matching row with its four joins; the joins then run for the page's rows alone.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=keys), number, self)


class AbsencePagination(PageNumberPagination):
    django_paginator_class = KeysFirstPaginator
