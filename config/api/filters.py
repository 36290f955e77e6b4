"""django-filter pieces shared by every resource: user references (``?user=me``) and time windows."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field

from config.api.fields import resolve_user_ref
from config.api.params import REPEATED, repeated_message


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


def takes_several(field: forms.Field) -> bool:
    """Whether a filter's form field reads every value of its name (``?user=a&user=b``)."""
    return isinstance(field.widget, forms.SelectMultiple | forms.MultipleHiddenInput)


class StrictQueryFormMixin:
    """A filter that takes one value, given twice, is a 400 (``repeated``), not "the last one wins"."""

    def clean(self):
        getlist = getattr(self.data, "getlist", None)
        if getlist is not None:
            for name, field in self.fields.items():
                if not takes_several(field) and len(getlist(name)) > 1 and name not in self.errors:
                    self.add_error(name, ValidationError(repeated_message(name), code=REPEATED))
        return super().clean()


class FilterSet(django_filters.FilterSet):
    """Hands the request to user-reference filters so ``me`` resolves to the caller; its form
    refuses repeated single-value filters.

    The form class is built once per filter set class: django-filter builds it (a class, with every
    filter's form field) on each request, ~0.4 ms for the absence list's twelve filters. Its fields
    must not depend on the request, so the caller reaches the user-reference fields of each form
    instance (its own copies of the class's fields) instead of their class."""

    _form_classes: dict[type, type] = {}

    def get_form_class(self):
        form_class = FilterSet._form_classes.get(type(self))
        if form_class is None:
            built = super().get_form_class()
            form_class = type(built.__name__, (StrictQueryFormMixin, built), {})
            FilterSet._form_classes[type(self)] = form_class
        return form_class

    @property
    def form(self):
        if not hasattr(self, "_form"):
            for field in super().form.fields.values():
                if isinstance(field, UserRefMultipleField):
                    field.request = self.request
        return self._form


class StrictBooleanField(forms.Field):
    """``true``/``false`` (also ``1``/``0``, any case) and nothing else: ``?enabled=maybe`` is a 400,
    not a silently ignored filter (django-filter's default reads unknown text as "no filter")."""

    widget = forms.TextInput
    TRUE = {"true", "1"}
    FALSE = {"false", "0"}

    def to_python(self, value):
        if value is None:  # left out
            return None
        # ``?enabled=`` is no more a boolean than ``?enabled=x`` (the schema says boolean).
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValidationError("Use true or false.", code="invalid")


@extend_schema_field({"type": "boolean"})
class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class StrictChoiceField(django_filters.fields.ChoiceField):
    """One of the choices; an empty value (``?kind=``) is a 400 like any other value not listed,
    not a filter left out (the schema gives the choices as an enum)."""

    def clean(self, value):
        if value == "":
            raise ValidationError(
                "Choose one of: %(choices)s.",
                code="invalid_choice",
                params={"choices": ", ".join(str(key) for key, _ in self.choices if key != "")},
            )
        return super().clean(value)


class ChoiceFilter(django_filters.ChoiceFilter):
    field_class = StrictChoiceField
