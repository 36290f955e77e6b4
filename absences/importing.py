"""Import absences from CSV or ICS (docs/import-export.md), idempotently by sync key.

Files are read into ``ParsedRow``s (line number + service arguments, or the reason the row cannot
be read); each row is then applied in its own transaction through the absence services, so a bad
row changes nothing and the good rows around it are imported. A row whose absence already holds
exactly that data is ``unchanged`` and writes nothing (no history entry, no change-feed entry).
"""

import collections
import contextlib
import dataclasses
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from absences.exporting import OWN_SOURCE
from absences.import_formats import ParsedRow, error_text
from absences.models import Absence
from absences.recurrence import user_zone
from absences.services import REPLACE_DEFAULTS, absence_update, absence_upsert_by_source, absence_validate
from config.api.fields import resolve_user_ref
from config.errors import DomainError

CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"
DEFAULT_SOURCE = "import"
CHUNK_ROWS = 100
# Stored fields that decide whether a row changes its absence.
COMPARED = (
    "user_id", "type_id", "title", "start_at", "end_at", "all_day", "start_date", "end_date", "message",
    "coverer_id", "approval_delegate_id", "reason", "recurrence", "recurrence_exceptions",
)  # fmt: skip
USER_FIELDS = ("coverer", "approval_delegate")


@dataclasses.dataclass
class ImportSummary:
    counts: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    failures: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    dry_run: bool = False

    def add(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def fail(self, line: int, reason: str) -> None:
        self.counts[FAILED] += 1
        self.failures.append((line, reason))

    def report(self) -> list[str]:
        """The summary as lines of text (the command prints them; the admin shows them)."""
        head = ", ".join(f"{self.counts[name]} {name}" for name in (CREATED, UPDATED, UNCHANGED, FAILED))
        lines = [("Dry run (nothing written): " if self.dry_run else "Imported: ") + head + "."]
        lines += [f"line {line}: {reason}" for line, reason in self.failures]
        return lines


class RowImporter:
    """Applies rows through the services; remembers resolved user references for the whole file."""

    def __init__(self, *, default_source: str) -> None:
        self.default_source = default_source
        self._users: dict[str, object] = {}

    def user(self, ref: str, attr: str):
        if not ref:
            raise DomainError(f"{attr} is required.", code="required", attr=attr)
        if ref not in self._users:
            self._users[ref] = resolve_user_ref(ref)
        if self._users[ref] is None:
            raise DomainError(f"No active user '{ref[:100]}'.", code="does_not_exist", attr=attr)
        return self._users[ref]

    def apply(self, fields: dict) -> str:
        fields = dict(fields)
        user = self.user(fields.pop("user"), "user")
        for name in USER_FIELDS:
            fields[name] = self.user(fields[name], name) if fields.get(name) else None
        zone = user_zone(user)
        for name in ("start_at", "end_at"):
            if name in fields and fields[name].tzinfo is None:
                fields[name] = fields[name].replace(tzinfo=zone)
        source, source_id = fields.pop("source") or self.default_source, fields.pop("source_id")
        if not source_id:
            raise DomainError(
                "Every row needs a source_id (its key for re-imports).", code="required", attr="source_id"
            )
        return self._write(user, source, source_id, fields)

    def _write(self, user, source: str, source_id: str, fields: dict) -> str:
        existing = _existing(source, source_id, user)
        if existing is not None and existing.user_id == user.pk and _unchanged(existing, fields):
            return UNCHANGED
        if existing is not None and not existing.source:
            # This installation's own absence, exported without a sync key: change it in place.
            absence_update(absence=existing, **{**REPLACE_DEFAULTS, **fields})
            return UPDATED
        _, created = absence_upsert_by_source(source=source, source_id=source_id, user=user, **fields)
        return CREATED if created else UPDATED


def _existing(source: str, source_id: str, user) -> Absence | None:
    """The absence this row describes: by sync key; for ``OWN_SOURCE`` rows also the keyless
    absence with that id when it belongs to the same user (an export of this installation)."""
    absences = Absence.objects.select_related("user", "type")
    found = absences.filter(source=source, source_id=source_id).first()
    if found is None and source == OWN_SOURCE and source_id.isascii() and source_id.isdigit() and len(source_id) < 19:
        found = absences.filter(pk=int(source_id), source__isnull=True, user=user).first()
    return found


def _unchanged(existing: Absence, fields: dict) -> bool:
    """Would replacing ``existing`` with ``fields`` store the same data? Decided by the services'
    own validation (which also normalises), so an import never has a second set of rules."""
    draft = absence_validate(absence=existing, **{**REPLACE_DEFAULTS, **fields})
    return all(getattr(draft, name) == getattr(existing, name) for name in COMPARED)


def import_rows(
    rows: Iterable[ParsedRow], *, source: str = DEFAULT_SOURCE, dry_run: bool = False, tick: Callable | None = None
) -> ImportSummary:
    """Apply ``rows``; each row is atomic (a savepoint: a failing row leaves no trace). Rows are
    committed in chunks of ``CHUNK_ROWS`` (one commit per row would cost a disk flush each); a dry
    run applies everything in one transaction that is rolled back. ``tick`` runs after every row."""
    summary = ImportSummary(dry_run=dry_run)
    importer = RowImporter(default_source=source or DEFAULT_SOURCE)
    with transaction.atomic() if dry_run else contextlib.nullcontext():
        for chunk in _chunks(rows):
            with transaction.atomic():
                for row in chunk:
                    _apply(row, importer, summary)
                    if tick is not None:
                        tick()
        if dry_run:
            transaction.set_rollback(True)
    return summary


def _chunks(rows: Iterable[ParsedRow]):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _apply(row: ParsedRow, importer: RowImporter, summary: ImportSummary) -> None:
    if row.error is not None:
        summary.fail(row.line, row.error)
        return
    try:
        with transaction.atomic():
            summary.add(importer.apply(row.fields))
    except (DomainError, ValidationError) as exc:
        summary.fail(row.line, error_text(exc))
