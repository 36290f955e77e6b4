"""Reads of the rules app: visible rules, the routing settings and the exclusion filter in force."""

from __future__ import annotations

from django.db.models import QuerySet

from config.compiled import CompiledQuery
from config.errors import DomainError
from rules.exclusion import ExclusionFilter, compile_filter
from rules.models import RoutingSettings, Rule, UserRoutingPreference

# Read on every resolve: built once (config.compiled).
_ROUTING_SETTINGS = CompiledQuery(
    lambda: RoutingSettings.objects.filter(pk=RoutingSettings.singleton_instance_id)[:1], sentinels=(), others=()
)


def routing_settings() -> RoutingSettings:
    """The organisation's routing settings (created with defaults on first read)."""
    return routing_settings_from(_ROUTING_SETTINGS.fetch())


def routing_settings_read():
    """The settings' read, for ``config.compiled.fetch_together`` (resolve sends it with others)."""
    return _ROUTING_SETTINGS.bind()


def routing_settings_from(rows: list) -> RoutingSettings:
    """The settings from ``routing_settings_read``'s rows (none yet: created with defaults)."""
    return rows[0] if rows else RoutingSettings.get_solo()


def user_exclusion_filter(user) -> str:
    """The user's own exclusion filter text ("" when they never set one)."""
    preference = UserRoutingPreference.objects.filter(user=user).only("exclusion_filter").first()
    return preference.exclusion_filter if preference else ""


def effective_exclusion_filter(user, *, settings: RoutingSettings | None = None) -> str:
    """The filter text that decides which of ``user``'s work items routing leaves alone: the default
    filter, or the user's own when ``exclusion_mode`` is ``user``."""
    settings = settings or routing_settings()
    if settings.exclusion_mode == RoutingSettings.ExclusionMode.USER:
        return user_exclusion_filter(user)
    return settings.default_exclusion_filter


def effective_exclusion(user, *, settings: RoutingSettings | None = None) -> ExclusionFilter:
    """The compiled effective filter. Stored filters were validated on save; should one still fail to
    compile (written around the API), it is treated as empty rather than failing every resolution."""
    text = effective_exclusion_filter(user, settings=settings)
    try:
        return compile_filter(text)
    except DomainError:
        return compile_filter("")


def rules_visible_to(user, *, admin: bool) -> QuerySet[Rule]:
    """Rules the caller may see, with the user references each response shows."""
    return Rule.objects.visible_to(user, admin=admin).select_related("user", "coverer", "created_by")
