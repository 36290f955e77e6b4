"""Recording rule transitions exactly once, and telling the people concerned by email at most once.

Two claims, each a conditional write whose result says what this caller won:

- **The transition** is claimed by inserting its row into ``RuleTransition`` with
  ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING id`` (PostgreSQL and SQLite ≥ 3.35 alike): one
  statement however many rules are due; a sweep racing another one blocks on the unique index until
  the first commits, then claims nothing.
- **Its emails** are claimed by the Celery task ``rules.send_transition_emails`` (enqueued after
  commit, a batch of transition ids each): ``UPDATE … SET notified_at WHERE notified_at IS NULL
  RETURNING id``, the set-based form of healthchecks' ``filter(processed=None).update()`` claim. A
  task that runs twice, or twice at once, sends each transition's messages once; a transition whose
  messages could not be sent at all is released (``notified_at`` back to NULL) and retried.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from config.api.fields import user_display_name, zone_of
from rules.models import Rule, RuleTransition

logger = logging.getLogger(__name__)
# Transitions per email task: 10,000 due rules make 20 tasks, each a few seconds of composing/sending.
EMAIL_BATCH = 500


def claim_transitions(kind: str, rules: QuerySet[Rule], now: dt.datetime) -> list[int]:
    """Record ``kind`` for every rule of ``rules`` that has not recorded it yet; return the new
    transitions' ids (only these get emails)."""
    select_sql, select_params = rules.order_by().values("id").query.sql_with_params()
    table = RuleTransition._meta.db_table
    sql = (
        f"INSERT INTO {table} (rule_id, transition, at) "  # noqa: S608 - table name from the model, values bound
        f"SELECT due.id, %s, %s FROM ({select_sql}) due WHERE true "
        "ON CONFLICT (rule_id, transition) DO NOTHING RETURNING id"
    )
    params = [kind, connection.ops.adapt_datetimefield_value(now), *select_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# A transition whose email task never reached the broker (Redis down past Celery's publish
# retries) keeps ``notified_at`` empty: each sweep hands those recorded between a day and a few
# minutes ago to the email task again (an in-flight task has claimed its own, so it is not
# doubled; a duplicate task claims nothing). Retries that ran out are picked up again the same way
# until the day is over, about once a minute.
CATCH_UP_AFTER = dt.timedelta(minutes=5)
CATCH_UP_FOR = dt.timedelta(days=1)
CATCH_UP_MOST = 10 * EMAIL_BATCH


def unannounced_transitions(now: dt.datetime) -> list[int]:
    """Transitions of the last day, older than a few minutes, whose emails nobody has claimed
    (the partial index ``transition_unannounced`` holds only these)."""
    recent = RuleTransition.objects.filter(notified_at=None, at__gt=now - CATCH_UP_FOR, at__lte=now - CATCH_UP_AFTER)
    return list(recent.order_by("at").values_list("id", flat=True)[:CATCH_UP_MOST])


def announce_after_commit(transition_ids: list[int]) -> None:
    """Once the claims are committed, hand their emails to ``rules.send_transition_emails`` in
    batches: composing and sending stays out of the sweep (and out of the request that claimed)."""
    from rules.tasks import send_transition_emails  # the task module imports the services

    for start in range(0, len(transition_ids), EMAIL_BATCH):
        batch = transition_ids[start : start + EMAIL_BATCH]
        # Robust: a broker that cannot take the task is logged, and neither turns a committed rule
        # write into a 500 nor stops the sweep's other batches.
        transaction.on_commit(lambda batch=batch: send_transition_emails.delay(batch), robust=True)


@dataclass
class Notified:
    """What one run of the email task did: transitions announced, and those to try again."""

    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)


def transitions_notify(transition_ids: list[int]) -> Notified:
    """Email the user and the coverer of each transition of ``transition_ids`` not yet announced.

    Claims first (committed at once: the task runs outside any transaction), sends after: a second run, concurrent
    or later, finds nothing left to claim. A transition none of whose messages went out (the mail
    server is down) is released for the caller to retry; one whose first message went out and whose
    second failed (a refused recipient: retrying would not help) stays claimed, so nobody gets a
    message twice."""
    claimed = _claim_notices(transition_ids)
    if not claimed:
        return Notified()
    transitions = RuleTransition.objects.filter(pk__in=claimed).select_related("rule__user", "rule__coverer")
    result = _send_all(list(transitions))
    if result.retry:
        RuleTransition.objects.filter(pk__in=result.retry).update(notified_at=None)
    return result


def _claim_notices(transition_ids: list[int]) -> list[int]:
    pending = RuleTransition.objects.filter(pk__in=transition_ids, notified_at=None)
    return update_returning_ids(pending, notified_at=timezone.now())


def update_returning_ids(queryset: QuerySet, **values) -> list[int]:
    """``queryset.update(**values)`` that returns the primary keys of the rows it changed, in one
    statement (``UPDATE … RETURNING``; PostgreSQL and SQLite ≥ 3.35). Only for querysets on one table."""
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    sql, params = query.get_compiler(queryset.db).as_sql()
    pk = connection.ops.quote_name(queryset.model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {pk}", params)
        return [row[0] for row in cursor.fetchall()]


def _send_all(transitions: list[RuleTransition]) -> Notified:
    result = Notified()
    mailer = get_connection()
    try:
        mailer.open()
    except Exception:
        logger.exception("Could not reach the mail server for %d rule transition(s); retrying", len(transitions))
        result.retry = [transition.pk for transition in transitions]
        return result
    try:
        for transition in transitions:
            (result.retry if _send_one(mailer, transition) else result.sent).append(transition.pk)
    finally:
        mailer.close()
    return result


def _send_one(mailer, transition: RuleTransition) -> bool:
    """Send a transition's messages; True when it should be retried: none of them went out."""
    for position, message in enumerate(transition_emails(transition.transition, transition.rule)):
        try:
            mailer.send_messages([message])
        except Exception:
            if position == 0:
                logger.warning("Could not send the emails of rule transition %s; retrying", transition.pk)
                return True
            # The first message went out: a retry would repeat it, and a refused recipient stays refused.
            logger.exception("Could not send a rule transition email to %s (transition %s)", message.to, transition.pk)
            return False
    return False


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
