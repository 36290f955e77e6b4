"""Recording rule transitions exactly once, and telling the people concerned by email.

A transition is claimed by inserting its row into ``RuleTransition`` with
``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING rule_id`` (PostgreSQL and SQLite ≥ 3.35 alike):
one statement however many rules are due, and a sweep racing another one blocks on the unique index
until the first commits, then claims nothing. Only the ids it claimed get emails, after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import QuerySet

from config.api.fields import user_display_name, zone_of
from rules.models import Rule, RuleTransition

logger = logging.getLogger(__name__)
EMAIL_FIELDS = (
    "id",
    "user_id",
    "coverer_id",
    "kind",
    "name",
    "start_at",
    "end_at",
    "projects",
    "issue_types",
    "action",
)


def claim_transitions(kind: str, rules: QuerySet[Rule], now: dt.datetime) -> list[int]:
    """Record ``kind`` for every rule of ``rules`` that has not recorded it yet; return the ids claimed."""
    select_sql, select_params = rules.order_by().values("id").query.sql_with_params()
    table = RuleTransition._meta.db_table
    sql = (
        f"INSERT INTO {table} (rule_id, transition, at) "  # noqa: S608 - table name from the model, values bound
        f"SELECT due.id, %s, %s FROM ({select_sql}) due WHERE true "
        "ON CONFLICT (rule_id, transition) DO NOTHING RETURNING rule_id"
    )
    params = [kind, connection.ops.adapt_datetimefield_value(now), *select_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def notify_after_commit(claims: dict[str, list[int]]) -> None:
    """Email the user and the coverer of each claimed rule (``{transition: [rule ids]}``) once the
    transaction commits. Two reads whatever the number of rules: the rules, then the distinct people
    (a few people cover many rules, so they are loaded once each, not once per rule)."""
    rule_ids = {rule_id for ids in claims.values() for rule_id in ids}
    if not rule_ids:
        return
    rules = {rule.pk: rule for rule in Rule.objects.filter(pk__in=rule_ids).only(*EMAIL_FIELDS)}
    people = get_user_model().objects.in_bulk(
        {rule.user_id for rule in rules.values()} | {rule.coverer_id for rule in rules.values() if rule.coverer_id}
    )
    for rule in rules.values():
        rule.user = people[rule.user_id]
        rule.coverer = people.get(rule.coverer_id)
    batches = [(kind, [rules[rule_id] for rule_id in ids if rule_id in rules]) for kind, ids in claims.items()]
    # Read inside the transaction (what was claimed); compose and send outside it.
    transaction.on_commit(partial(_send, batches))


def _send(batches: list[tuple[str, list[Rule]]]) -> None:
    messages = [message for kind, rules in batches for rule in rules for message in transition_emails(kind, rule)]
    if not messages:
        return
    try:
        get_connection().send_messages(messages)
    except Exception:
        # The transition is recorded either way; a mail server outage must not undo or repeat it.
        logger.exception("Could not send %d rule transition email(s)", len(messages))


def transition_emails(kind: str, rule: Rule) -> list[EmailMessage]:
    """One message to the rule's user and one to its coverer (if any), each with an address."""
    name = rule.name or f"{rule.get_kind_display()} rule"
    verb = "is now active" if kind == RuleTransition.Kind.ACTIVATED else "has ended"
    # A plain-ASCII subject (when the name is) skips RFC 2047 header encoding, the costliest step.
    subject = f'[Standin] Routing rule "{name}" {verb}'
    messages = []
    if rule.user.email:
        messages.append(_message(subject, _body_for_user(kind, rule, name), rule.user.email))
    if rule.coverer is not None and rule.coverer.email:
        messages.append(_message(subject, _body_for_coverer(kind, rule, name), rule.coverer.email))
    return messages


def _message(subject: str, body: str, to: str) -> EmailMessage:
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])


def _when(moment: dt.datetime | None, user) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(zone_of(user)).strftime("%Y-%m-%d %H:%M %Z")


def _scope(rule: Rule) -> str:
    projects = ", ".join(rule.projects) or "all projects"
    types = ", ".join(rule.issue_types) or "all issue types"
    return f"{projects}; {types}"


def _body_for_user(kind: str, rule: Rule, name: str) -> str:
    action = rule.get_action_display()
    if rule.coverer is not None:
        action += f" ({user_display_name(rule.coverer)})"
    window = f"{_when(rule.start_at, rule.user)} to {_when(rule.end_at, rule.user)}"
    state = "now applies" if kind == RuleTransition.Kind.ACTIVATED else "no longer applies"
    return (
        f"Hello {user_display_name(rule.user)},\n\nyour routing rule “{name}” {state}.\n\n"
        f"Rule: #{rule.pk}\nWindow: {window}\nAction: {action}\nScope: {_scope(rule)}\n"
    )


def _body_for_coverer(kind: str, rule: Rule, name: str) -> str:
    person = user_display_name(rule.user)
    window = f"{_when(rule.start_at, rule.coverer)} to {_when(rule.end_at, rule.coverer)}"
    if kind == RuleTransition.Kind.ACTIVATED:
        lead = f"work of {person} is now reassigned to you by the rule “{name}”"
    else:
        lead = f"you no longer receive work of {person} through the rule “{name}”"
    return (
        f"Hello {user_display_name(rule.coverer)},\n\n{lead}.\n\n"
        f"Rule: #{rule.pk}\nWindow: {window}\nScope: {_scope(rule)}\n"
    )
