"""Hooks for the schema fuzzing run (.ci/schema): loaded through ``SCHEMATHESIS_HOOKS``."""

import os

import schemathesis

NO_SUCH_TOKEN = 2**31 - 1


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    """The run's own admin token may revoke any token, itself included (its id is in the resource
    pool from ``GET /tokens/``); revoking itself would turn the rest of the run into 401s. Such a
    call is sent for an id that does not exist instead (a 404); every other id is fuzzed as usual."""
    own_token = str((case.path_parameters or {}).get("id")) == os.environ["FUZZ_TOKEN_ID"]
    if case.method.upper() == "DELETE" and case.path == "/api/v1/tokens/{id}/" and own_token:
        case.path_parameters["id"] = NO_SUCH_TOKEN


# 400s that schema-valid input can meet for reasons OpenAPI cannot express: a user reference naming
# nobody or a well-formed change-feed cursor this feed never issued (both ``unknown``), a name
# already taken, a NUL character (PostgreSQL cannot store one; DRF refuses it), a moment that must
# lie in the future (the schema has no "after now").
# Any other 400 to schema-valid input still fails the run.
ACCEPTED_400_CODES = {
    "unknown",
    "unique",
    "does_not_exist",
    "null_characters_not_allowed",
    "in_past",
    # An exclusion filter is an expression in its own grammar (docs/filters.md), not a pattern.
    "invalid_filter",
    # So is an absence's RRULE (RFC 5545), and one that parses may still never occur.
    "invalid_rrule",
    # A date or date-time outside the years 1900-8999: OpenAPI's formats cannot bound the year
    # (millisecond timestamps can, and declare minimum/maximum instead).
    "out_of_range",
    # Two fields that exclude each other (start_at/end_at vs start_date/end_date, start vs start_ms).
    "exclusive",
    # An end not after its start: OpenAPI cannot compare two fields.
    "end_before_start",
    # A window over 92 days (event search, team staffing) / an event or absence over 366 days: a difference
    # of two fields.
    "max_window",
    "max_duration",
    # The coverer is the absent (or rule's own) user: a comparison of two fields.
    "self_cover",
    # A field the chosen kind/action excludes (dates on a recurring rule, a coverer without
    # reassign), or a calendar member the caller may not add (depends on team membership).
    "not_allowed",
    # The admin scope asked for a token of a user who is not staff: depends on that user's role.
    "not_staff",
    # A {placeholder} in a message that is not one of the known ones (free text in the schema).
    "unknown_placeholder",
}

# ``required`` only where a field is required conditionally on others (OpenAPI has no "required
# if"): (operation, attr). A ``required`` anywhere else means the schema misses a required field.
ACCEPTED_CONDITIONAL_REQUIRED = {
    # Timed or all-day bounds: start_at/end_at or start_date/end_date.
    ("POST /api/v1/absences/", "start_at"),
    ("POST /api/v1/absences/", "end_at"),
    ("PUT /api/v1/absences/by-source/{source}/{source_id}/", "start_at"),
    ("PUT /api/v1/absences/by-source/{source}/{source_id}/", "end_at"),
    ("PUT /api/v1/absences/{id}/", "start_at"),
    ("PUT /api/v1/absences/{id}/", "end_at"),
    ("POST /api/v1/absences/", "start_date"),
    ("PUT /api/v1/absences/{id}/", "start_date"),
    ("PUT /api/v1/absences/by-source/{source}/{source_id}/", "start_date"),
    ("POST /api/v1/calendars/{calendar_pk}/events/", "start_at"),
    ("POST /api/v1/calendars/{calendar_pk}/events/", "end_at"),
    ("POST /api/v1/calendars/{calendar_pk}/events/", "start_date"),
    ("POST /api/v1/calendars/{calendar_pk}/events/", "end_date"),
    ("PUT /api/v1/calendars/{calendar_pk}/events/{id}/", "start_at"),
    ("PUT /api/v1/calendars/{calendar_pk}/events/{id}/", "end_at"),
    ("PUT /api/v1/calendars/{calendar_pk}/events/{id}/", "start_date"),
    ("PUT /api/v1/calendars/{calendar_pk}/events/{id}/", "end_date"),
    # Turning an all-day event into a timed one (or back) needs both bounds of the new kind: this
    # depends on the stored event.
    ("PATCH /api/v1/calendars/{calendar_pk}/events/{id}/", "start_at"),
    ("PATCH /api/v1/calendars/{calendar_pk}/events/{id}/", "end_at"),
    ("PATCH /api/v1/calendars/{calendar_pk}/events/{id}/", "start_date"),
    ("PATCH /api/v1/calendars/{calendar_pk}/events/{id}/", "end_date"),
    # A one-time rule needs start_at/end_at; a reassign rule needs a coverer.
    ("POST /api/v1/rules/", "start_at"),
    ("POST /api/v1/rules/", "end_at"),
    ("POST /api/v1/rules/", "coverer"),
    ("PUT /api/v1/rules/{id}/", "start_at"),
    ("PUT /api/v1/rules/{id}/", "end_at"),
    ("PUT /api/v1/rules/{id}/", "coverer"),
    # A PATCH that makes a rule one-time (or reassigning) without the fields that kind needs.
    ("PATCH /api/v1/rules/{id}/", "start_at"),
    ("PATCH /api/v1/rules/{id}/", "end_at"),
    ("PATCH /api/v1/rules/{id}/", "coverer"),
    # start or start_ms, end or end_ms.
    ("POST /api/v1/events/search/", "start"),
    ("POST /api/v1/events/search/", "end"),
}

# Unknown keys of data-defined vocabularies (absence types are rows an admin manages, not an enum).
ACCEPTED_DATA_CHOICES = {("GET /api/v1/absences/", "type"), ("GET /api/v1/absences/", "type.0")}


def _accepted(operation: str, error: dict) -> bool:
    code, attr = error.get("code"), error.get("attr")
    if code in ACCEPTED_400_CODES:
        return True
    if code == "required":
        return (operation, attr) in ACCEPTED_CONDITIONAL_REQUIRED
    if code == "invalid_choice":
        return (operation, attr) in ACCEPTED_DATA_CHOICES
    return False


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Keep a failure unless it is one of the expected, state-dependent answers above."""
    if failure.code in ("ST201", "ST202") and response.status_code == 412:
        # A stale If-Match depends on the row's current state, and RFC 9110 §13.2.1 evaluates
        # preconditions before the request content, so it also wins over a malformed body.
        return False
    if failure.code != "ST202" or response.status_code != 400:
        return True
    try:
        errors = response.json()["errors"]
    except (ValueError, KeyError, TypeError):
        return True
    operation = f"{case.method.upper()} {case.path}"
    return not errors or not all(_accepted(operation, error) for error in errors)
