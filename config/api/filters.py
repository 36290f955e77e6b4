"""django-filter pieces shared by every resource: user references (``?user=me``) and time windows."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field

from config.api.fields import resolve_user_ref


class UserRefMultipleField(forms.Field):
    """One or more user references (id, username, email or ``me``), repeated in the query string."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in (None, "", []):
            return []
        values = value if isinstance(value, list | tuple) else [value]
        users = []
        # A blank entry (``?user=``) adds no condition, as a blank value does for any django-filter field.
        for raw in (item for item in values if str(item).strip()):
            user = resolve_user_ref(raw, request=self.request)
            if user is None:
                # The input goes in params, never into the message: it is %-formatted later.
                raise ValidationError("No active user '%(value)s'.", code="unknown", params={"value": str(raw)[:100]})
            users.append(user)
        return users


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class UserRefFilter(django_filters.Filter):
    """Filters on a user foreign key by id, username, email or ``me``; repeat to match any of several."""

    field_class = UserRefMultipleField

    def filter(self, qs, value):
        if not value:
            return qs
        qs = qs.filter(**{f"{self.field_name}__in": [user.pk for user in value]})
        return qs.distinct() if self.distinct else qs


class FilterSet(django_filters.FilterSet):
    """Hands the request to user-reference filters so ``me`` resolves to the caller."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        for flt in self.filters.values():
            if isinstance(flt, UserRefFilter):
                flt.extra["request"] = request
