"""Filters of the rules list."""

import django_filters
from django.db.models import F, Q

from config.api.filters import BooleanFilter, ChoiceFilter, FilterSet, UserRefFilter
from rules.models import Rule


class RuleFilter(FilterSet):
    user = UserRefFilter(field_name="user", label="Rules of these users (id, username, email or me); repeatable")
    kind = ChoiceFilter(choices=Rule.Kind.choices)
    enabled = BooleanFilter()
    status = django_filters.MultipleChoiceFilter(choices=Rule.Status.choices, label="Status; repeatable")
    project = django_filters.CharFilter(
        method="filter_project", label="Rules that apply to this project (listed, or all projects)"
    )
    created_by = UserRefFilter(field_name="created_by", label="Rules created by these users; repeatable")
    by_admin = BooleanFilter(
        method="filter_by_admin", label="true: rules staff made for someone else; false: all others"
    )

    class Meta:
        model = Rule
        fields = ["user", "kind", "enabled", "status", "project", "created_by", "by_admin"]

    def filter_project(self, queryset, name, value):
        return queryset.for_project(value) if value.strip() else queryset

    def filter_by_admin(self, queryset, name, value):
        if value:
            return queryset.filter(created_by__is_staff=True).exclude(created_by=F("user"))
        return queryset.filter(Q(created_by__isnull=True) | Q(created_by=F("user")) | Q(created_by__is_staff=False))
