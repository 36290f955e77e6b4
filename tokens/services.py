"""Writes for tokens: mint, revoke, change the token settings."""

import datetime as dt

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from config.errors import DomainError
from tokens.hashing import current_pepper_id, format_token, hash_secret, new_key_id, new_secret
from tokens.models import SCOPES, APIToken, TokenSettings


def _validate_scopes(*, user, scopes: list[str], actor_scopes: list[str] | None) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes or unknown:
        raise DomainError(f"Scopes are a non-empty subset of {', '.join(SCOPES)}.", attr="scopes")
    if "admin" in scopes and not user.is_staff:
        raise DomainError("The admin scope is only for staff users.", code="not_staff", attr="scopes")
    missing = sorted(set(scopes) - set(actor_scopes)) if actor_scopes is not None else []
    if missing:
        raise PermissionDenied(f"A token cannot create a token with scopes it does not hold: {', '.join(missing)}.")
    return [scope for scope in SCOPES if scope in scopes]


def _check_calendar_narrowing(*, calendars: list[int], actor_calendar_ids: list[int] | None) -> None:
    """A calendar-limited token mints only tokens limited to (some of) its own calendars: an empty
    list would mean "every calendar", which the actor itself cannot see."""
    if not actor_calendar_ids:
        return
    outside = sorted(set(calendars) - set(actor_calendar_ids))
    if not calendars or outside:
        raise PermissionDenied("A calendar-limited token can only create tokens limited to its own calendars.")


def _validate_calendars(*, user, calendar_ids: list[int], admin: bool) -> list[int]:
    """Calendar ids must be calendars ``user`` may see (only checked once the calendars app exists)."""
    ids = sorted(set(calendar_ids))
    if not ids:
        return []
    try:
        Calendar = apps.get_model("calendars", "Calendar")
    except LookupError:
        raise DomainError("There are no calendars to limit a token to.", attr="calendars") from None
    found = set(Calendar.objects.visible_to(user, admin=admin).filter(pk__in=ids).values_list("pk", flat=True))
    unknown = [pk for pk in ids if pk not in found]
    if unknown:
        raise DomainError(f"Unknown calendar(s): {', '.join(map(str, unknown))}.", code="unknown", attr="calendars")
    return ids


def token_check(
    *,
    user,
    scopes: list[str],
    calendar_ids: list[int] = (),
    expires_at: dt.datetime | None = None,
    rate_limit_per_hour: int | None = None,
    actor_scopes: list[str] | None = None,
    actor_calendar_ids: list[int] | None = None,
) -> tuple[list[str], list[int]]:
    """Validate a token's settings for ``user`` (DomainError / PermissionDenied); the clean scopes and calendars."""
    if not user.is_active:
        raise DomainError("Tokens are only for active users.", code="inactive", attr="user")
    scopes = _validate_scopes(user=user, scopes=list(scopes), actor_scopes=actor_scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("The expiry must be in the future.", code="in_past", attr="expires_at")
    if rate_limit_per_hour is not None and rate_limit_per_hour < 1:
        raise DomainError("The rate limit is at least 1 request an hour.", attr="rate_limit_per_hour")
    calendars = _validate_calendars(user=user, calendar_ids=list(calendar_ids), admin="admin" in scopes)
    _check_calendar_narrowing(calendars=calendars, actor_calendar_ids=actor_calendar_ids)
    return scopes, calendars


@transaction.atomic
def token_create(
    *,
    user,
    name: str,
    scopes: list[str],
    created_by=None,
    calendar_ids: list[int] = (),
    expires_at: dt.datetime | None = None,
    rate_limit_per_hour: int | None = None,
    actor_scopes: list[str] | None = None,
    actor_calendar_ids: list[int] | None = None,
) -> tuple[APIToken, str]:
    """Mint a token for ``user``; returns it and its plaintext (shown once, never stored).

    ``actor_scopes`` are the scopes of the token making the request (None for a session, the admin or
    a command): a token never mints scopes it lacks; ``actor_calendar_ids`` the requesting token's
    calendar limit: a limited token never mints a wider one. Who may create for whom is the caller's check.
    """
    scopes, calendars = token_check(
        user=user,
        scopes=scopes,
        calendar_ids=calendar_ids,
        expires_at=expires_at,
        rate_limit_per_hour=rate_limit_per_hour,
        actor_scopes=actor_scopes,
        actor_calendar_ids=actor_calendar_ids,
    )
    key_id = new_key_id()
    while APIToken.objects.filter(key_id=key_id).exists():
        key_id = new_key_id()
    secret, pepper_id = new_secret(), current_pepper_id()
    token = APIToken(
        name=name,
        user=user,
        key_id=key_id,
        pepper_id=pepper_id,
        secret_hash=hash_secret(secret, pepper_id),
        scopes=scopes,
        calendars=calendars,
        expires_at=expires_at,
        rate_limit_per_hour=rate_limit_per_hour,
        created_by=created_by,
    )
    token.full_clean()
    token.save()
    return token, format_token(key_id, secret)


@transaction.atomic
def token_revoke(*, token: APIToken) -> APIToken:
    """Revoke ``token`` (idempotent): it answers 401 from the next request on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def token_settings_update(**changes) -> TokenSettings:
    """Change the token settings singleton."""
    token_settings = TokenSettings.get_solo()
    for field in ("allow_user_tokens", "default_rate_limit_per_hour"):
        if field in changes:
            setattr(token_settings, field, changes[field])
    if token_settings.default_rate_limit_per_hour < 1:
        raise DomainError("The default rate limit is at least 1 request an hour.", attr="default_rate_limit_per_hour")
    token_settings.full_clean()
    token_settings.save()
    return token_settings
