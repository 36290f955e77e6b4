"""Page-number pagination whose bad parameters are 400s, not silently clamped."""

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
