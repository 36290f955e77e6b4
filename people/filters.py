import django_filters
from django.db.models import Q

from config.api.filters import FilterSet, UserRefFilter
from people.models import Team, User


class UserFilter(FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Search name, username or email")

    class Meta:
        model = User
        fields = ["search"]

    def filter_search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset


class TeamFilter(FilterSet):
    member = UserRefFilter(field_name="members", label="Teams with this member (id, username, email or me)")
    lead = UserRefFilter(field_name="leads", label="Teams led by this user")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Team
        fields = ["member", "lead", "name"]
