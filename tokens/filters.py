import django_filters

from config.api.filters import FilterSet, UserRefFilter
from tokens.models import APIToken


class APITokenFilter(FilterSet):
    user = UserRefFilter(field_name="user", label="Tokens of this user (id, username, email or me)")
    revoked = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = APIToken
        fields = ["user", "revoked"]
