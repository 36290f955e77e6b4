"""The absences change feed (SPEC §4, docs/changes.md).

Writes: the absence services call ``change_record_upsert``/``change_record_delete`` inside their
own transaction, so a change row exists exactly when the write committed.

Order: rows get their feed ``position`` only after they are committed. ``changes_sequence`` numbers
every committed, unnumbered row (``max(position) + 1, + 2, …``) while holding one lock (a
PostgreSQL transaction-level advisory lock; SQLite has a single writer anyway), and commits before
the lock is released. Positions therefore become visible in increasing order, without gaps: when a
reader sees position ``p``, every position below ``p`` is already visible. Writers never wait for
each other on the feed; only the numbering step, which is one ``UPDATE``, is serialised.
"""

import base64
import binascii
import dataclasses
import datetime as dt
import functools

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from absences.models import Absence, AbsenceChange
from people.querysets import managed_user_ids

RETENTION = dt.timedelta(days=90)
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# pg_advisory_xact_lock key of the numbering step ("STDN" in ASCII).
SEQUENCE_LOCK_KEY = 0x5354444E
_CURSOR_PREFIX = "c1:"


class CursorExpired(Exception):
    """The cursor points before the oldest kept change: the client missed pruned changes."""


class CursorInvalid(Exception):
    """The cursor was not issued by this feed."""


# --- recording (called by absences.services, inside their transaction) --------------------------


@functools.cache
def _snapshot_serializer():
    # One instance: building a ModelSerializer's fields costs more than rendering an absence, and
    # rendering keeps no state, so imports of thousands of rows share it.
    from absences.api.changes import AbsenceSnapshotSerializer

    return AbsenceSnapshotSerializer()


def absence_snapshot(absence: Absence) -> dict:
    """The absence as the API shows it, minus what depends on the clock (``state``,
    ``working_days``) or on the write (``warnings``)."""
    return dict(_snapshot_serializer().to_representation(absence))


def change_record_upsert(*, absence: Absence, previous_owner_id: int | None = None) -> None:
    """Record that ``absence`` was created or changed. When it moved to another user, the previous
    owner's viewers get a tombstone first: from their point of view it is gone."""
    if previous_owner_id is not None and previous_owner_id != absence.user_id:
        AbsenceChange.objects.create(op=AbsenceChange.Op.DELETE, absence_id=absence.pk, owner_id=previous_owner_id)
    AbsenceChange.objects.create(
        op=AbsenceChange.Op.UPSERT, absence_id=absence.pk, owner_id=absence.user_id, snapshot=absence_snapshot(absence)
    )


def change_record_delete(*, absence: Absence) -> None:
    """Record the deletion of ``absence`` (call before deleting: it needs the id and the owner)."""
    AbsenceChange.objects.create(op=AbsenceChange.Op.DELETE, absence_id=absence.pk, owner_id=absence.user_id)


# --- ordering and pruning ---------------------------------------------------------------------------

_NUMBER_FRESH_ROWS = """
UPDATE {table} SET position = numbered.position
FROM (
    SELECT id,
           (SELECT COALESCE(MAX(position), 0) FROM {table}) + ROW_NUMBER() OVER (ORDER BY id) AS position
    FROM {table} WHERE position IS NULL
) AS numbered
WHERE {table}.id = numbered.id
"""


def changes_sequence() -> None:
    """Give every committed change without a position the next positions, in id order.

    Within one absence, id order is commit order (its writers queue on the absence's row lock and
    record the change after writing it); across absences any order of committed rows is a valid
    commit order. Cheap when there is nothing to do (an index-only existence check).
    """
    if not AbsenceChange.objects.filter(position__isnull=True).exists():
        return
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCE_LOCK_KEY])
        cursor.execute(_NUMBER_FRESH_ROWS.format(table=connection.ops.quote_name(AbsenceChange._meta.db_table)))


def changes_prune(*, now: dt.datetime | None = None) -> int:
    """Delete changes older than ``RETENTION``; returns how many. The newest change is always kept,
    so the feed can tell an expired cursor from a fresh one even after a quiet quarter."""
    changes_sequence()
    cutoff = (now or timezone.now()) - RETENTION
    numbered = AbsenceChange.objects.filter(position__isnull=False)
    head = numbered.aggregate(head=Max("position"))["head"]
    if head is None:
        return 0
    first_kept = numbered.filter(at__gte=cutoff).aggregate(first=Min("position"))["first"]
    bound = first_kept - 1 if first_kept is not None else head - 1
    deleted, _ = numbered.filter(position__lte=bound).delete()
    return deleted


# --- reading -------------------------------------------------------------------------------------------


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorInvalid from None
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not (number.isascii() and number.isdigit()) or len(number) > 18:
        raise CursorInvalid
    return int(number)


@dataclasses.dataclass(frozen=True)
class ChangesPage:
    changes: list[dict]
    next_cursor: str


def _entry(change: AbsenceChange) -> dict:
    return {
        "op": change.op,
        "id": change.absence_id,
        "at": change.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "absence": change.snapshot if change.op == AbsenceChange.Op.UPSERT else None,
    }


def changes_page(*, viewer, admin: bool, cursor: str = "", limit: int = DEFAULT_LIMIT) -> ChangesPage:
    """The next ``limit`` changes after ``cursor`` (empty: from the oldest kept change) that
    ``viewer`` may see: changes of absences owned by people whose absences they may see now.

    Raises ``CursorInvalid`` for a cursor this feed never issued (or from the future) and
    ``CursorExpired`` when changes after it were pruned. Costs the same few queries at any size.
    """
    changes_sequence()
    bounds = AbsenceChange.objects.filter(position__isnull=False).aggregate(first=Min("position"), head=Max("position"))
    first, head = bounds["first"], bounds["head"] or 0
    after = decode_cursor(cursor) if cursor else (first or 1) - 1
    if after > head:
        raise CursorInvalid
    if first is not None and after < first - 1:
        raise CursorExpired
    # Only up to the head read above: a change numbered meanwhile belongs to the next page.
    rows = AbsenceChange.objects.filter(position__gt=after, position__lte=head)
    if not admin:
        rows = rows.filter(owner_id__in=managed_user_ids(viewer))
    page = list(rows.order_by("position")[:limit])
    last = page[-1].position if len(page) == limit else head
    return ChangesPage(changes=[_entry(change) for change in page], next_cursor=encode_cursor(last))
