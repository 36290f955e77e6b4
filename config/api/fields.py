"""Serializer fields for the conventions every resource shares: user references and datetimes."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.compiled import CompiledQuery

# Years a client may name in an instant or a date asked about (absences store the same range): window
# arithmetic around them (a day's margin, a zone's offset) stays inside Python's datetime range.
FIRST_YEAR, LAST_YEAR = 1900, 8999


def user_display_name(user) -> str:
    """Full name, else username: how people are named in responses and messages."""
    return (user.get_full_name() or "").strip() or user.username


def user_ref(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "email": user.email, "name": user_display_name(user)}


class UserRefField(serializers.Field):
    """A user named by id, username or email in requests; ``{id, username, email, name}`` in responses.

    Unknown and inactive users are a 400 on this field. ``me`` names the caller.
    """

    default_error_messages = {
        "unknown": "No active user '{value}'.",
        "invalid": "Give a user id, username or email address.",
    }

    def to_internal_value(self, data):
        user = resolve_user_ref(data, request=self.context.get("request"))
        if user is None:
            if not isinstance(data, int | str) or isinstance(data, bool) or str(data).strip() == "":
                self.fail("invalid")
            self.fail("unknown", value=str(data)[:100])
        return user

    def to_representation(self, value):
        return user_ref(value)


class UserRefListField(serializers.ListField):
    """A list of user references; accepts a related manager on output."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", UserRefField())
        super().__init__(**kwargs)

    def to_representation(self, data):
        items = data.all() if hasattr(data, "all") else data
        return [user_ref(user) for user in items]

    def to_internal_value(self, data):
        users = super().to_internal_value(data)
        unique = {user.pk: user for user in users}
        return list(unique.values())


def _user_by(lookup: str, *, active_only: bool):
    def build(value):
        users = get_user_model().objects.filter(is_active=True) if active_only else get_user_model().objects.all()
        return users.filter(**{lookup: value}).order_by("pk")[:1]  # as ``.first()``

    return build


# Every request naming a user in its path or body makes one of these: built once. No real id is
# negative, and NUL never appears in a username or an address (refused above).
_USER_BY = {
    (lookup, active_only): CompiledQuery(_user_by(lookup, active_only=active_only), sentinels=first, others=second)
    for lookup, first, second in (
        ("pk", (-(2**62) - 1,), (-(2**62) - 2,)),
        ("username", ("\x00user-1",), ("\x00user-2",)),
        ("email__iexact", ("\x00mail-1",), ("\x00mail-2",)),
    )
    for active_only in (True, False)
}


def _first_user(lookup: str, value, active_only: bool):
    rows = _USER_BY[lookup, active_only].fetch(value)
    return rows[0] if rows else None


def resolve_user_ref(value, *, request=None, active_only: bool = True):
    """The user that ``value`` (id, username, email or ``me``) names, or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return _first_user("pk", value, active_only) if 0 < value < 2**63 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    # NUL never names a user, and PostgreSQL refuses it in a query (a 500 otherwise).
    if not text or len(text) > 254 or "\x00" in text:
        return None
    if text == "me":
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None
    if text.isascii() and text.isdigit():
        number = int(text)
        return _first_user("pk", number, active_only) if 0 < number < 2**63 else None
    return _first_user("email__iexact" if "@" in text else "username", text, active_only)


def zone_of(user) -> ZoneInfo:
    """The zone in which naive input about ``user`` is read (their work schedule, else UTC)."""
    zone = getattr(user, "timezone", None) if user is not None else None
    if zone is None:
        return ZoneInfo("UTC")
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(str(zone))


def localize(value: dt.datetime, user) -> dt.datetime:
    """Attach ``user``'s zone to a naive datetime; aware ones pass through."""
    if timezone.is_aware(value):
        return value
    return value.replace(tzinfo=zone_of(user))


def utc_text(value: dt.datetime | None) -> str | None:
    """How every datetime is written in responses: ISO 8601 in UTC with ``Z`` (naive ones as they are)."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = value.astimezone(dt.UTC)
    return value.isoformat().replace("+00:00", "Z")


class LocalDateTimeField(serializers.DateTimeField):
    """Parses ISO 8601; keeps naive input naive so the serializer can read it in the subject
    user's zone (``BaseSerializer.subject_user``). Output is always UTC with ``Z``."""

    default_error_messages = {"out_of_range": "Give a time between the years 1 and 9999 in UTC."}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(*args, **kwargs)

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            return value
        try:
            return value.astimezone(dt.UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
            self.fail("out_of_range")

    def to_representation(self, value):
        if value is None or isinstance(value, dt.datetime):
            return utc_text(value)
        return super().to_representation(value)


@extend_schema_field({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]})
class DateOrDateTimeField(serializers.CharField):
    """An ISO 8601 date or datetime, kept as text for the serializer to read in the right zone; the
    schema says so (a plain string would promise that any text is accepted)."""
