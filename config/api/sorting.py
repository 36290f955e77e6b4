"""``?sort=field,-other`` with a per-view whitelist (``sort_fields``); unknown names are a 400."""

from rest_framework.filters import BaseFilterBackend

from config.api.errors import validation_error
from config.api.params import single_param

SORT_PARAM = "sort"


class SortFilter(BaseFilterBackend):
    """Views declare ``sort_fields`` (API name → model path, or a list of names) and ``default_sort``."""

    def get_sort_map(self, view) -> dict[str, str]:
        fields = getattr(view, "sort_fields", None) or {}
        if isinstance(fields, dict):
            return fields
        return {name: name for name in fields}

    def get_ordering(self, request, view) -> list[str]:
        sort_map = self.get_sort_map(view)
        raw = single_param(request.query_params, SORT_PARAM)
        if raw is None:
            default = getattr(view, "default_sort", None)
            return list(default) if default else []
        terms = [term.strip() for term in raw.split(",") if term.strip()]
        if not terms:
            raise validation_error("Name at least one sort field, or leave out `sort`.", attr=SORT_PARAM)
        ordering = []
        for term in terms:
            descending = term.startswith("-")
            name = term[1:] if descending else term
            if name not in sort_map:
                allowed = ", ".join(sorted(sort_map)) or "none"
                raise validation_error(f"Unknown sort field '{name}'. Allowed: {allowed}.", attr=SORT_PARAM)
            ordering.append(("-" if descending else "") + sort_map[name])
        return ordering

    def filter_queryset(self, request, queryset, view):
        sort_map = self.get_sort_map(view)
        if not sort_map and single_param(request.query_params, SORT_PARAM) is None:
            return queryset
        ordering = self.get_ordering(request, view)
        if not ordering:
            return queryset
        # The primary key last keeps pages stable when sort values tie.
        pk = "-pk" if ordering[-1].startswith("-") else "pk"
        return queryset.order_by(*ordering, pk)

    def get_schema_operation_parameters(self, view):
        sort_map = self.get_sort_map(view)
        if not sort_map:
            return []
        names = sorted(sort_map)
        default = ",".join(getattr(view, "default_sort", None) or []) or "id"
        return [
            {
                "name": SORT_PARAM,
                "required": False,
                "in": "query",
                "description": (
                    f"Comma-separated sort fields, `-` for descending. Allowed: {', '.join(names)}. Default: {default}."
                ),
                "schema": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "enum": [*names, *[f"-{n}" for n in names]]},
                },
                "style": "form",
                "explode": False,
            }
        ]
