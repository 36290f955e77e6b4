"""Writes for absences and absence types. Every change goes through these functions (API, admin,
import, demo data), so the change feed and any other side effect hook in one place."""

import copy
import datetime as dt

from django.db import IntegrityError, transaction

from absences.changes import change_record_delete, change_record_upsert
from absences.models import Absence, AbsenceType
from absences.recurrence import parse_rrule, series_end, user_zone
from config.api.fields import FIRST_YEAR, LAST_YEAR
from config.errors import DomainError
from people.models import User
from people.services import user_may_manage

MAX_LENGTH = dt.timedelta(days=366)
# Absences live between these moments: far enough for any real use, and safe for zone arithmetic.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
TIME_FIELDS = ("start_at", "end_at", "start_date", "end_date")
# What a full replacement (PUT) resets a field to when the request leaves it out.
REPLACE_DEFAULTS = {
    "type": "vacation",
    "title": "",
    "message": "",
    "coverer": None,
    "approval_delegate": None,
    "reason": "",
    "recurrence": "",
    "recurrence_exceptions": [],
}
PLAIN_FIELDS = ("title", "message", "coverer", "approval_delegate", "reason", "source", "source_id", "recurrence")
NULLABLE_FIELDS = ("coverer", "approval_delegate", "source", "source_id")


# --- absence types -----------------------------------------------------------------------------


@transaction.atomic
def absence_type_create(
    *,
    key: str,
    name: str,
    color: str = "#6b7280",
    counts_as_away: bool = True,
    private: bool = False,
    is_active: bool = True,
) -> AbsenceType:
    """A new absence type; ``key`` is its permanent identifier."""
    if key == "away":
        raise DomainError("'away' is reserved: private absences show as that type.", attr="key")
    if AbsenceType.objects.filter(key=key).exists():
        raise DomainError(f"An absence type '{key}' exists already.", code="unique", attr="key")
    absence_type = AbsenceType(
        key=key, name=name, color=color, counts_as_away=counts_as_away, private=private, is_active=is_active
    )
    absence_type.full_clean()
    absence_type.save()
    return absence_type


@transaction.atomic
def absence_type_update(*, absence_type: AbsenceType, **changes) -> AbsenceType:
    """Change a type's name, colour or flags (the key never changes)."""
    for field in ("name", "color", "counts_as_away", "private", "is_active"):
        if field in changes:
            setattr(absence_type, field, changes[field])
    absence_type.full_clean()
    absence_type.save()
    return absence_type


@transaction.atomic
def absence_type_delete(*, absence_type: AbsenceType) -> None:
    """Delete an unused type. A type still in use is refused: deactivate it instead, so existing
    absences keep their meaning and history."""
    in_use = Absence.objects.filter(type=absence_type).count()
    if in_use:
        raise DomainError(
            f"{in_use} absence(s) use type '{absence_type.key}'; deactivate it (is_active=false) instead.",
            code="protected",
        )
    absence_type.delete()


# --- absences ----------------------------------------------------------------------------------


def _resolve_type(value) -> AbsenceType:
    key = value.key if isinstance(value, AbsenceType) else str(value)
    absence_type = AbsenceType.objects.filter(key=key, is_active=True).first()
    if absence_type is None:
        raise DomainError(f"No active absence type '{key[:40]}'.", code="does_not_exist", attr="type")
    return absence_type


def _check_may_manage(user: User, actor: User | None, admin: bool) -> None:
    if actor is not None and not user_may_manage(actor=actor, subject=user, admin=admin):
        raise DomainError(
            "You may record absences only for yourself and the members of teams you lead.",
            code="not_permitted",
            attr="user",
        )


def _day_start(day: dt.date, user: User) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=user_zone(user)).astimezone(dt.UTC)


def _apply_dates(absence: Absence, changes: dict) -> None:
    zone = user_zone(absence.user)
    start_date = changes.get("start_date") or absence.start_date
    if start_date is None and absence.start_at is not None:
        start_date = absence.start_at.astimezone(zone).date()
    if start_date is None:
        raise DomainError("Give start_date (and end_date) for an all-day absence.", code="required", attr="start_date")
    end_date = changes.get("end_date") or (absence.end_date if absence.all_day else None) or start_date
    for name, day in (("start_date", start_date), ("end_date", end_date)):
        if not EARLIEST.date() <= day < LATEST.date():
            raise DomainError("Dates run from 1900 to 8999.", code="out_of_range", attr=name)
    if end_date < start_date:
        raise DomainError("end_date must not be before start_date.", code="end_before_start", attr="end_date")
    if (end_date - start_date).days + 1 > MAX_LENGTH.days:
        raise DomainError("An absence lasts at most 366 days.", code="max_duration", attr="end_date")
    absence.all_day, absence.start_date, absence.end_date = True, start_date, end_date
    absence.start_at = _day_start(start_date, absence.user)
    absence.end_at = _day_start(end_date + dt.timedelta(days=1), absence.user)


def _apply_times(absence: Absence, changes: dict, user_changed: bool) -> None:
    """Timed (``start_at``/``end_at``) or all-day (``start_date``/``end_date``, inclusive, in the
    user's zone) bounds; an all-day absence follows its user's zone when the user changes."""
    sent_dates = any(changes.get(name) is not None for name in ("start_date", "end_date"))
    sent_times = any(changes.get(name) is not None for name in ("start_at", "end_at"))
    if sent_dates and sent_times:
        raise DomainError(
            "Send either start_at/end_at or start_date/end_date, not both.", code="exclusive", attr="start_date"
        )
    if sent_dates or (absence.all_day and user_changed and not sent_times):
        _apply_dates(absence, changes)
        return
    if sent_times:
        absence.start_at = changes.get("start_at") or absence.start_at
        absence.end_at = changes.get("end_at") or absence.end_at
        absence.all_day, absence.start_date, absence.end_date = False, None, None
    if absence.start_at is None:
        raise DomainError("Give start_at and end_at, or start_date and end_date.", code="required", attr="start_at")
    if absence.end_at is None:
        raise DomainError("Give end_at.", code="required", attr="end_at")
    for name in ("start_at", "end_at"):
        if not EARLIEST <= getattr(absence, name) < LATEST:
            raise DomainError("Times run from 1900 to 8999.", code="out_of_range", attr=name)
    if absence.end_at <= absence.start_at:
        raise DomainError("End must be after start.", code="end_before_start", attr="end_at")
    if absence.end_at - absence.start_at > MAX_LENGTH:
        raise DomainError("An absence lasts at most 366 days.", code="max_duration", attr="end_at")


def _exception_value(text: str, user: User, attr: str) -> str:
    day = dt.date.fromisoformat(text) if len(text) == 10 else None
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if day is None else None
    if not FIRST_YEAR <= (day or moment).year <= LAST_YEAR:  # before zone arithmetic can overflow
        raise DomainError("Dates and times run from 1900 to 8999.", code="out_of_range", attr=attr)
    if day is not None:
        return day.isoformat()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=user_zone(user))
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _normalise_exceptions(values, user: User) -> list[str]:
    """ISO dates stay dates (skip that local day); datetimes become UTC (skip the occurrence then)."""
    if not isinstance(values, list | tuple):
        raise DomainError("Give a list of dates or datetimes.", attr="recurrence_exceptions")
    normalised = []
    for index, value in enumerate(values):
        attr = f"recurrence_exceptions.{index}"
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        text = str(value).strip()
        try:
            normalised.append(_exception_value(text, user, attr))
        except (ValueError, OverflowError):
            raise DomainError(f"'{text[:40]}' is neither a date nor a datetime (ISO 8601).", attr=attr) from None

    return sorted(set(normalised))


def _validate(absence: Absence) -> None:
    if absence.coverer_id is not None and absence.coverer_id == absence.user_id:
        raise DomainError("The coverer must be someone else than the absent user.", code="self_cover", attr="coverer")
    if absence.recurrence:
        parse_rrule(absence.recurrence, absence.start_at.astimezone(user_zone(absence.user)))
    absence.recurrence_exceptions = _normalise_exceptions(absence.recurrence_exceptions, absence.user)
    absence.series_end_at = series_end(absence)
    # The unique sync key and the end>start check are enforced by the caller and the database.
    absence.full_clean(validate_unique=False, validate_constraints=False)


def _duplicate_key(absence: Absence) -> bool:
    if not (absence.source and absence.source_id):
        return False
    others = Absence.objects.filter(source=absence.source, source_id=absence.source_id).exclude(pk=absence.pk)
    return others.exists()


def _unique_error(absence: Absence) -> DomainError:
    return DomainError(
        f"An absence with source '{absence.source}' and source_id '{absence.source_id}' exists already.",
        code="unique",
        attr="source_id",
    )


def _save(absence: Absence) -> Absence:
    if _duplicate_key(absence):
        raise _unique_error(absence)
    try:
        with transaction.atomic():
            absence.save()
    except IntegrityError:
        # Another writer took the sync key between our check and the insert.
        raise _unique_error(absence) from None
    return absence


def _assign(absence: Absence, changes: dict, *, actor: User | None, admin: bool) -> Absence:
    unknown = set(changes) - set(PLAIN_FIELDS) - set(TIME_FIELDS) - {"user", "type", "recurrence_exceptions"}
    if unknown:
        raise TypeError(f"Unknown absence fields: {', '.join(sorted(unknown))}")
    user_changed = "user" in changes and changes["user"].pk != absence.user_id
    if "user" in changes:
        _check_may_manage(changes["user"], actor, admin)
        absence.user = changes["user"]
    if "type" in changes and (changes["type"] != absence.type_id or absence.pk is None):
        absence.type = _resolve_type(changes["type"])
    for field in PLAIN_FIELDS:
        if field in changes:
            # Text fields store "" for nothing; references and the sync key store NULL.
            empty = None if field in NULLABLE_FIELDS else ""
            setattr(absence, field, changes[field] or empty)
    if "recurrence_exceptions" in changes:
        absence.recurrence_exceptions = changes["recurrence_exceptions"] or []
    _apply_times(absence, changes, user_changed)
    _validate(absence)
    return absence


def absence_validate(*, absence: Absence | None = None, user: User | None = None, **fields) -> Absence:
    """Validate a new absence (``user`` + fields) or changes to ``absence`` without saving
    anything: the admin form checks its input with this before calling the real service."""
    if absence is None:
        draft = Absence(user=user)
        fields.setdefault("type", "vacation")
    else:
        draft = copy.copy(absence)
    return _assign(draft, fields, actor=None, admin=True)


@transaction.atomic
def absence_create(*, user: User, actor: User | None = None, admin: bool = False, **fields) -> Absence:
    """Record an absence for ``user``. With ``actor``, the visibility policy applies (self, lead,
    admin). ``type`` (key or instance) defaults to ``vacation``; give ``start_at``/``end_at`` or the
    inclusive local ``start_date``/``end_date`` of an all-day absence."""
    fields.setdefault("type", "vacation")
    absence = Absence(user=user, type_id=None)
    _check_may_manage(user, actor, admin)
    _assign(absence, fields, actor=actor, admin=admin)
    _save(absence)
    change_record_upsert(absence=absence)  # change feed: same transaction
    return absence


@transaction.atomic
def absence_update(*, absence: Absence, actor: User | None = None, admin: bool = False, **changes) -> Absence:
    """Change some fields of an absence (a full replacement passes every field, see
    ``REPLACE_DEFAULTS``). Moving it to another user needs that user's visibility too."""
    previous_owner_id = absence.user_id
    _assign(absence, changes, actor=actor, admin=admin)
    _save(absence)
    change_record_upsert(absence=absence, previous_owner_id=previous_owner_id)  # change feed: same transaction
    return absence


@transaction.atomic
def absence_delete(*, absence: Absence) -> None:
    """Delete an absence (its history stays in the audit trail)."""
    change_record_delete(absence=absence)  # change feed: same transaction
    absence.delete()


@transaction.atomic
def absence_upsert_by_source(
    *, source: str, source_id: str, user: User, actor: User | None = None, admin: bool = False, **fields
) -> tuple[Absence, bool]:
    """Create or fully replace the absence with sync key (``source``, ``source_id``).

    Returns ``(absence, created)``. Safe under concurrency: the unique constraint decides who
    inserts; a loser of that race locks the winner's row and replaces it instead.
    """
    if not source or not source_id:
        raise DomainError("Both source and source_id are required.", code="required", attr="source_id")
    fields = {**REPLACE_DEFAULTS, **fields, "user": user, "source": source, "source_id": source_id}
    existing = _locked_by_source(source, source_id)
    if existing is None:
        absence = Absence(user=user)
        _check_may_manage(user, actor, admin)
        _assign(absence, fields, actor=actor, admin=admin)
        try:
            with transaction.atomic():
                absence.save()
            change_record_upsert(absence=absence)  # change feed: same transaction
            return absence, True
        except IntegrityError:
            existing = _locked_by_source(source, source_id)
            if existing is None:
                raise
    _check_may_manage(existing.user, actor, admin)
    previous_owner_id = existing.user_id
    _assign(existing, fields, actor=actor, admin=admin)
    existing.save()
    change_record_upsert(absence=existing, previous_owner_id=previous_owner_id)  # change feed: same transaction
    return existing, False


def _locked_by_source(source: str, source_id: str) -> Absence | None:
    return (
        Absence.objects.select_for_update(of=("self",))
        .select_related("user", "type")
        .filter(source=source, source_id=source_id)
        .first()
    )
