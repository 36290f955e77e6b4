"""Assignment resolution: the one function integrators, the browser app and webhooks call."""

import contextlib
import datetime as dt
from dataclasses import dataclass, field

from django.db import connections, router
from django.utils import timezone

from coverage.coverers import Cover, cover_for, follow_chain
from coverage.messages import compose_message
from coverage.models import ReplyLog
from coverage.selectors import Availability, user_availability_with
from coverage.visibility import absence_message, absence_summary, detail_visible_ids
from rules.models import RoutingSettings, Rule
from rules.selectors import effective_exclusion, routing_settings_from, routing_settings_read

NONE = "none"


@dataclass
class Resolution:
    """The answer to "who takes this work item, and what do we reply?" (SPEC §6 resolve)."""

    assignee: object
    assignee_away: bool
    action: str
    assign_to: object | None
    reason: str
    message: str = ""
    reply: bool = False
    rule: Rule | None = None
    absence: dict | None = None
    until: dt.datetime | None = None
    chain: list = field(default_factory=list)


@dataclass(frozen=True)
class WorkItem:
    """What the integrator tells about the item; ``issue`` holds the filter fields and ``key``."""

    event: str
    project: str | None = None
    issue_type: str | None = None
    actor: object | None = None
    issue: dict = field(default_factory=dict)

    def filter_fields(self) -> dict:
        return {**self.issue, "project": self.project, "issue_type": self.issue_type}


def _left_alone(item: WorkItem, *, assignee, cover: Cover, availability: Availability, settings) -> str | None:
    """The reason routing leaves the item with the assignee before any rule is consulted, if any."""
    if item.event == "mentioned" and not settings.reply_when_mentioned:
        return "mentioned"
    if effective_exclusion(assignee, settings=settings).matches(item.filter_fields()):
        return "excluded"
    if item.actor is None:
        return None
    if settings.ignore_self_assign and item.actor.pk == assignee.pk:
        return "self_assign"
    coverers = {cover.coverer.pk} if cover.coverer is not None else set()
    coverers |= {s.absence.coverer_id for s in availability.covering if s.absence and s.absence.coverer_id}
    if settings.allow_coverer_assign_back and item.actor.pk in coverers:
        return "coverer_assign_back"
    return None


def _decide(item: WorkItem, *, assignee, at, availability: Availability, settings) -> Resolution:
    cover = cover_for(availability, project=item.project, issue_type=item.issue_type)
    reason = _left_alone(item, assignee=assignee, cover=cover, availability=availability, settings=settings)
    if reason is not None:
        return Resolution(assignee, True, NONE, assignee, reason, chain=[], rule=None)
    if cover.action == Rule.Action.UNASSIGN:
        return Resolution(assignee, True, cover.action, None, cover.reason, rule=cover.rule)
    if cover.action == Rule.Action.KEEP:
        return Resolution(assignee, True, cover.action, assignee, cover.reason, rule=cover.rule)
    final, chain = follow_chain(
        cover.coverer,
        assignee=assignee,
        at=at,
        project=item.project,
        issue_type=item.issue_type,
        named_by=availability,
    )
    if final is None:
        return Resolution(
            assignee, True, Rule.Action.KEEP, assignee, "no_available_coverer", rule=cover.rule, chain=chain
        )
    return Resolution(assignee, True, cover.action, final, cover.reason, rule=cover.rule, chain=chain)


def _message_coverer(resolution: Resolution, availability: Availability, item: WorkItem):
    """``{coverer}``: who takes the item; otherwise whom the user named for it (nobody when the
    chain found no one available)."""
    if resolution.action == Rule.Action.REASSIGN:
        return resolution.assign_to
    if resolution.reason == "no_available_coverer":
        return None
    return cover_for(availability, project=item.project, issue_type=item.issue_type).coverer


# One statement claims the reply: a missing row is inserted, a stale one renewed, a fresh one left
# alone (then no row comes back). Concurrent claims for one (assignee, key) queue on the unique
# index or the row lock, and the loser sees the winner's fresh ``replied_at`` in the WHERE (both
# PostgreSQL and SQLite re-check it against the committed row), so exactly one gets a row back.
_CLAIM = (
    "INSERT INTO {table} (assignee_id, issue_key, replied_at) VALUES (%s, %s, %s) "
    "ON CONFLICT (assignee_id, issue_key) DO UPDATE SET replied_at = excluded.replied_at "
    "WHERE {table}.replied_at <= %s RETURNING id"
)


def reply_claim(*, assignee, issue_key: str, now: dt.datetime, interval_hours: int) -> bool:
    """True for exactly one caller per (assignee, issue key) and interval, even concurrently: one
    ``INSERT … ON CONFLICT DO UPDATE … WHERE`` (the unique constraint on the pair is its target)."""
    cutoff = now - dt.timedelta(hours=interval_hours)
    connection = connections[router.db_for_write(ReplyLog)]
    adapt = connection.ops.adapt_datetimefield_value
    sql = _CLAIM.format(table=connection.ops.quote_name(ReplyLog._meta.db_table))
    params = [assignee.pk, issue_key, adapt(now), adapt(cutoff)]
    if connection.vendor == "postgresql" and connection.get_autocommit() and not connection.in_atomic_block:
        return _claim_without_flush_wait(connection, sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def _claim_without_flush_wait(connection, sql: str, params: list) -> bool:
    """The claim in a transaction of its own that commits without waiting for the WAL flush
    (``synchronous_commit`` off for it alone), sent in one round trip (a psycopg pipeline).

    Waiting for the flush (an fsync) was the slowest part of a resolve, up to milliseconds on a
    busy disk. What it risks: if PostgreSQL crashes within a fraction of a second of the claim,
    the claim may be lost and that issue may get its auto-reply a second time. Nothing else
    commits this way. Only when not inside a transaction (whose commit is someone else's).
    """
    connection.ensure_connection()
    raw = connection.connection
    cursor_of = getattr(connection, "prepared_cursor", connection.cursor)  # config.postgresql: prepared
    with connection.wrap_database_errors, cursor_of() as cursor:
        try:
            with raw.pipeline():
                raw.execute("BEGIN")
                raw.execute("SET LOCAL synchronous_commit TO OFF")
                cursor.execute(sql, params)
                raw.execute("COMMIT")
        except Exception:
            # A failed statement leaves the transaction open (aborted): close it. If the connection
            # itself is gone, that fails too; the original error is the one to report.
            with contextlib.suppress(Exception):
                raw.rollback()
            raise
        return cursor.fetchone() is not None


def coverage_resolve(
    *,
    assignee,
    event: str,
    project: str | None = None,
    issue_type: str | None = None,
    at: dt.datetime | None = None,
    actor=None,
    issue: dict | None = None,
    caller=None,
    admin: bool = False,
) -> Resolution:
    """Decide what happens to a work item assigned to (or mentioning) ``assignee`` at ``at``
    (default now), following SPEC §6's order. Decides from the clock, never from ``Rule.status``.

    ``caller``/``admin`` only decide whether a private absence's details may appear in the answer
    (``caller=None``: internal use, shown). One round trip when the assignee is available (their
    absences, rules and the routing settings, three statements); when away, one more per coverer
    in a chain (their rules and covering absences) and the reply claim.
    No transaction: everything before the claim only reads, and the claim is one statement.
    """
    now = timezone.now()
    at = at or now
    # The routing settings travel with the assignee's absences and rules (one round trip).
    availability, settings_rows = user_availability_with(assignee, at, routing_settings_read())
    if availability.available:
        return Resolution(assignee, False, NONE, assignee, "not_away")
    settings: RoutingSettings = routing_settings_from(settings_rows)
    item = WorkItem(event=event, project=project, issue_type=issue_type, actor=actor, issue=dict(issue or {}))
    resolution = _decide(item, assignee=assignee, at=at, availability=availability, settings=settings)
    reveal = caller is None or assignee.pk in detail_visible_ids(caller, [assignee.pk], admin=admin)
    resolution.absence = absence_summary(availability.span, reveal=reveal)
    resolution.until = availability.back_at
    rule_message = resolution.rule.message if resolution.rule is not None else ""
    resolution.message = compose_message(
        absence_message(availability.span, reveal=reveal),
        rule_message,
        user=assignee,
        coverer=_message_coverer(resolution, availability, item),
        until=availability.back_at,
    )
    key = item.issue.get("key")
    if key and resolution.action != NONE and resolution.message:
        resolution.reply = reply_claim(
            assignee=assignee, issue_key=key, now=now, interval_hours=settings.reply_interval_hours
        )
    return resolution
