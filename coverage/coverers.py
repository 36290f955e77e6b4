"""Who takes a work item from an away user, and where a chain of away coverers ends."""

import datetime as dt
from dataclasses import dataclass

from coverage.precedence import ANY
from coverage.selectors import Availability, CoverersAt
from rules.models import Rule

# A reassignment follows at most this many coverers (the first coverer is hop 1).
MAX_HOPS = 5


@dataclass
class Cover:
    """What an away user's coverage says for an item: ``action`` is reassign/unassign/keep,
    ``reason`` is ``rule``, ``absence_coverer`` or ``no_coverer``."""

    action: str
    coverer: object | None
    rule: Rule | None
    reason: str


def cover_for(availability: Availability, *, project=ANY, issue_type=ANY) -> Cover:
    """The highest-precedence rule in force that matches the item decides; without one the
    absence's coverer takes it (reassign), else the item stays (keep)."""
    rule = availability.rule_for(project=project, issue_type=issue_type)
    if rule is not None:
        if rule.action != Rule.Action.REASSIGN:
            return Cover(rule.action, None, rule, "rule")
        if rule.coverer is None:  # the named coverer was deleted
            return Cover(Rule.Action.KEEP, None, rule, "no_coverer")
        return Cover(Rule.Action.REASSIGN, rule.coverer, rule, "rule")
    coverer = availability.absence_coverer()
    if coverer is not None:
        return Cover(Rule.Action.REASSIGN, coverer, None, "absence_coverer")
    return Cover(Rule.Action.KEEP, None, None, "no_coverer")


def follow_chain(
    first, *, assignee, at: dt.datetime, project, issue_type, named_by: Availability | None = None
) -> tuple[object | None, list]:
    """Walk from ``first`` through away coverers' own coverage for the same item.

    Returns ``(final coverer or None, everyone passed)``. Stops with None at a coverer who is
    inactive, whose coverage does not reassign, who was already passed (a cycle, the assignee
    included), or when the ``MAX_HOPS``-th coverer is away too. ``named_by`` (the assignee's
    availability) lets the first load take in every coverer it names. About one query per hop
    (``CoverersAt``).
    """
    states = CoverersAt(at, named_by=named_by)
    chain: list = []
    seen = {assignee.pk}
    current = first
    for _hop in range(MAX_HOPS):
        if current.pk in seen:
            return None, chain
        chain.append(current)
        seen.add(current.pk)
        if not current.is_active:
            return None, chain
        availability = states.availability(current)
        if availability.available:
            return current, chain
        cover = cover_for(availability, project=project, issue_type=issue_type)
        if cover.action != Rule.Action.REASSIGN:
            return None, chain
        current = cover.coverer
    return None, chain
