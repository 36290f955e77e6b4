"""Writes of the rules app: rules (create/update/delete), routing settings and preferences.

A rule's ``status`` is read from the clock on every write (``rule_status_at``); the beat sweep
(``rules_sweep``) keeps it current between writes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.errors import DomainError
from rules.exclusion import validate_filter
from rules.lifecycle import announce_after_commit, claim_transitions, unannounced_transitions
from rules.models import RoutingSettings, Rule, RuleTransition, UserRoutingPreference

__all__ = [
    "routing_settings_update",
    "rule_create",
    "rule_delete",
    "rule_status_at",
    "rule_update",
    "rule_validate",
    "rules_sweep",
    "user_exclusion_filter_set",
]

PLACEHOLDERS = ("user", "coverer", "until")
PLACEHOLDER_RE = re.compile(r"\{(\w*)\}")
RULE_FIELDS = (
    "kind",
    "name",
    "enabled",
    "start_at",
    "end_at",
    "projects",
    "issue_types",
    "action",
    "coverer",
    "message",
)


def rule_status_at(rule: Rule, now: dt.datetime) -> str:
    """The status the clock gives ``rule`` at ``now``."""
    if not rule.enabled:
        return Rule.Status.DISABLED
    if rule.kind == Rule.Kind.RECURRING:
        return Rule.Status.ACTIVE
    if now < rule.start_at:
        return Rule.Status.SCHEDULED
    return Rule.Status.ACTIVE if now < rule.end_at else Rule.Status.EXPIRED


@transaction.atomic
def rule_create(*, actor, admin: bool, user=None, kind: str, action: str, **fields: Any) -> Rule:
    """Create a rule for ``user`` (default ``actor``); others' rules need the visibility policy."""
    user = user or actor
    _check_may_manage(actor=actor, admin=admin, user=user)
    rule = Rule(user=user, kind=kind, action=action, created_by=actor)
    _apply(rule, {"kind": kind, "action": action, **fields})
    rule.full_clean(exclude=["user", "coverer", "created_by"])
    _save_with_status(rule, previous=None)
    return rule


@transaction.atomic
def rule_update(*, rule: Rule, actor, admin: bool, **changes: Any) -> Rule:
    """Change a rule (only the fields given); moving it to another user needs the visibility policy."""
    if "user" in changes and changes["user"] is not None and changes["user"] != rule.user:
        _check_may_manage(actor=actor, admin=admin, user=changes["user"])
        rule.user = changes["user"]
    previous = rule.status
    _apply(rule, {key: value for key, value in changes.items() if key in RULE_FIELDS})
    rule.full_clean(exclude=["user", "coverer", "created_by"])
    _save_with_status(rule, previous=previous)
    return rule


@transaction.atomic
def rule_delete(*, rule: Rule) -> None:
    """Delete a rule (its transition log goes with it)."""
    rule.delete()


def rule_validate(*, rule: Rule, changes: dict[str, Any]) -> None:
    """Check ``changes`` against ``rule`` without saving (the admin form reports errors with it)."""
    _apply(rule, changes)
    rule.full_clean(exclude=["user", "coverer", "created_by"])


def _check_may_manage(*, actor, admin: bool, user) -> None:
    visible = get_user_model().objects.visible_to(actor, admin=admin)
    if not visible.filter(pk=user.pk).exists():
        raise DomainError(
            "You may only manage rules of yourself and of members of teams you lead.", code="not_permitted", attr="user"
        )


def _apply(rule: Rule, changes: dict[str, Any]) -> None:
    """Apply ``changes`` to ``rule`` and enforce the rules of SPEC §5 on the result."""
    for key, value in changes.items():
        setattr(rule, key, value)
    _check_window(rule, changes)
    _check_coverer(rule, changes)
    rule.projects = _normalise(rule.projects or [], upper=True)
    rule.issue_types = _normalise(rule.issue_types or [], upper=False)
    _check_placeholders(rule.message or "")


def _check_window(rule: Rule, changes: dict[str, Any]) -> None:
    if rule.kind == Rule.Kind.RECURRING:
        for attr in ("start_at", "end_at"):
            if changes.get(attr) is not None:
                raise DomainError(
                    "A recurring rule has no dates: it applies during every absence.", code="not_allowed", attr=attr
                )
        # A rule turned recurring forgets the window it had as a one-time rule.
        rule.start_at = rule.end_at = None
        return
    for attr in ("start_at", "end_at"):
        if getattr(rule, attr) is None:
            raise DomainError("A one-time rule needs a start and an end.", code="required", attr=attr)
    if rule.end_at <= rule.start_at:
        raise DomainError("End must be after start.", code="end_before_start", attr="end_at")


def _check_coverer(rule: Rule, changes: dict[str, Any]) -> None:
    if rule.action != Rule.Action.REASSIGN:
        if changes.get("coverer") is not None:
            raise DomainError("Only a reassign rule names a coverer.", code="not_allowed", attr="coverer")
        # A rule that stops reassigning forgets its coverer.
        rule.coverer = None
        return
    if rule.coverer is None:
        raise DomainError("A reassign rule needs a coverer.", code="required", attr="coverer")
    if rule.coverer_id == rule.user_id:
        raise DomainError("The coverer cannot be the rule's own user.", code="self_cover", attr="coverer")


def _normalise(values: Iterable[str], *, upper: bool) -> list[str]:
    """Trimmed, case-insensitively de-duplicated, in the order given (project keys upper-cased)."""
    seen: dict[str, str] = {}
    for value in values:
        text = value.strip()
        seen.setdefault(text.casefold(), text.upper() if upper else text)
    return list(seen.values())


def _check_placeholders(message: str) -> None:
    unknown = sorted({name for name in PLACEHOLDER_RE.findall(message) if name not in PLACEHOLDERS})
    if unknown:
        known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise DomainError(
            f"Unknown placeholder {{{unknown[0]}}} in the message; use {known}.",
            code="unknown_placeholder",
            attr="message",
        )


def _save_with_status(rule: Rule, *, previous: str | None) -> None:
    """Set status and stamps from the clock, save, and record (and announce) an activation once."""
    now = timezone.now()
    rule.status = rule_status_at(rule, now)
    if rule.status == Rule.Status.SCHEDULED:
        rule.activated_at = rule.expired_at = None
    elif rule.status == Rule.Status.ACTIVE:
        rule.activated_at = rule.activated_at or now
        rule.expired_at = None
    elif rule.status == Rule.Status.EXPIRED:
        rule.expired_at = rule.expired_at or now
    rule.save()
    _forget_transitions_that_no_longer_hold(rule)
    if rule.kind == Rule.Kind.ONE_TIME and rule.status == Rule.Status.ACTIVE and previous != Rule.Status.ACTIVE:
        announce_after_commit(claim_transitions(RuleTransition.Kind.ACTIVATED, Rule.objects.filter(pk=rule.pk), now))


def _forget_transitions_that_no_longer_hold(rule: Rule) -> None:
    if rule.status == Rule.Status.SCHEDULED:
        rule.transitions.all().delete()
    elif rule.status == Rule.Status.ACTIVE:
        rule.transitions.filter(transition=RuleTransition.Kind.EXPIRED).delete()


@transaction.atomic
def routing_settings_update(**changes: Any) -> RoutingSettings:
    """Change the organisation's routing settings; the default filter must compile."""
    settings = RoutingSettings.objects.select_for_update().get(pk=RoutingSettings.get_solo().pk)
    if "default_exclusion_filter" in changes:
        validate_filter(changes["default_exclusion_filter"], attr="default_exclusion_filter")
    if "reply_interval_hours" in changes and changes["reply_interval_hours"] < 1:
        raise DomainError("Give at least 1 hour.", code="min_value", attr="reply_interval_hours")
    for key, value in changes.items():
        setattr(settings, key, value)
    settings.full_clean()
    settings.save()
    return settings


@transaction.atomic
def user_exclusion_filter_set(*, user, exclusion_filter: str) -> UserRoutingPreference:
    """Set ``user``'s own exclusion filter (validated: a 400 names line and column)."""
    validate_filter(exclusion_filter, attr="exclusion_filter")
    preference, _ = UserRoutingPreference.objects.update_or_create(
        user=user, defaults={"exclusion_filter": exclusion_filter or ""}
    )
    return preference


@dataclass(frozen=True)
class SweepResult:
    activated: int
    expired: int


def _due_activation(now: dt.datetime) -> Q:
    return Q(kind=Rule.Kind.ONE_TIME, enabled=True, status=Rule.Status.SCHEDULED, start_at__lte=now, end_at__gt=now)


def _due_expiry(now: dt.datetime) -> Q:
    return Q(
        kind=Rule.Kind.ONE_TIME,
        enabled=True,
        status__in=[Rule.Status.SCHEDULED, Rule.Status.ACTIVE],
        end_at__lte=now,
    )


@transaction.atomic
def rules_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Move due one-time rules ``scheduled → active`` and ended ones ``→ expired``, stamp them, and
    hand each new transition to the email task once (after commit).

    Set-based: two claim inserts, two guarded updates and one read of the recent transitions whose
    emails never reached the task queue (``unannounced_transitions``), whatever the number of due
    rules; the emails are composed and sent by ``rules.send_transition_emails``, not here. Safe to run twice,
    or twice at once: a transition is claimed by its unique log row, and a rule moves only from the
    status the guard names (a second sweep's UPDATE waits for the first's row locks, then matches
    nothing)."""
    now = now or timezone.now()
    activating = Rule.objects.filter(_due_activation(now))
    expiring = Rule.objects.filter(_due_expiry(now))
    activated = claim_transitions(RuleTransition.Kind.ACTIVATED, activating, now)
    expired = claim_transitions(RuleTransition.Kind.EXPIRED, expiring, now)
    activating.update(status=Rule.Status.ACTIVE, activated_at=now, updated_at=now)
    expiring.update(status=Rule.Status.EXPIRED, expired_at=now, updated_at=now)
    announce_after_commit(activated + expired + unannounced_transitions(now))
    return SweepResult(activated=len(activated), expired=len(expired))
