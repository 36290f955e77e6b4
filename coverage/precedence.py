"""Which of a user's rules applies to a work item, and in what order rules win.

Shared by resolution (one item) and by the availability/current views (no item: the fields the
caller did not name are not checked, see ``ANY``).
"""

from rules.models import Rule

# A work-item field that was not named at all (the "current coverage" view): a rule's list for it
# is not checked. ``None`` is different: the item has no value, so only rules for "all" match.
ANY = object()


def _listed(values, value, *, fold) -> bool:
    if not values or value is ANY:
        return True
    if value is None or value == "":
        return False
    return fold(value) in {fold(v) for v in values}


def rule_matches(rule: Rule, *, project=ANY, issue_type=ANY) -> bool:
    """Project keys compare upper-cased, issue type names case-insensitively; empty lists mean all."""
    return _listed(rule.projects, project, fold=str.upper) and _listed(rule.issue_types, issue_type, fold=str.casefold)


def precedence(rule: Rule) -> tuple:
    """One-time before recurring, a listed project before all, a listed issue type before all, newest."""
    return (rule.kind == Rule.Kind.ONE_TIME, bool(rule.projects), bool(rule.issue_types), rule.created_at, rule.pk)


def select_rule(rules, *, project=ANY, issue_type=ANY) -> Rule | None:
    """The applicable rule with the highest precedence among those matching the item, or None."""
    matching = [r for r in rules if rule_matches(r, project=project, issue_type=issue_type)]
    return max(matching, key=precedence, default=None)
