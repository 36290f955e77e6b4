"""The visibility matrix (SPEC §2, §3, §7): every endpoint x every action x six callers.

Callers: the *owner* of the objects; *other*, an unrelated user; *lead*, who leads the owner's team;
*admin*, a staff user with an ``admin`` token; *staff*, a staff user whose token lacks ``admin``
(so acts as a plain user); *limited*, the owner's own token limited to another calendar of theirs.

Each case asserts the exact status, that a refused call (and any call by a caller not entitled to
the owner's data) carries none of the owner's marker strings, that entitled list/search answers do
show the owner's object, and that a refused call changed nothing stored.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.security.conftest import AT, CALLERS, World
from tokens.models import TokenSettings

RESULTS: list[tuple[str, str, int]] = []  # (case, caller, status), counted by conftest
PASSED: list[bool] = []


def row(owner, other, lead, admin, staff, limited) -> dict[str, int]:
    return dict(zip(CALLERS, (owner, other, lead, admin, staff, limited), strict=True))


def same(status: int) -> dict[str, int]:
    return dict.fromkeys(CALLERS, status)


# Who is entitled to the owner's data, per kind of object (True: may see it; False: must not).
OWNED = row(True, False, True, True, False, True)  # absences, rules, schedules, staffing: §2
OWN_ONLY = row(True, False, False, True, False, True)  # tokens: docs/tokens.md ("your own, admins all")
SELF_ONLY = row(True, False, False, False, False, True)  # the caller's own settings and feed
CALENDAR = row(True, False, False, True, False, False)  # §7 + docs/calendars.md; limited: other calendar
NOBODY = same(False)  # global objects or the caller's own: the owner's markers never show
DIRECT = row(True, False, True, True, False, False)  # search without calendars: people one may see directly

TIMES = {"start_at": "2026-12-20T09:00:00Z", "end_at": "2026-12-21T17:00:00Z"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[World], str]
    expected: dict[str, int]
    entitled: dict[str, bool]
    body: Callable[[World], dict] | None = None
    marker: str | None = None  # shown to entitled callers on success (lists, searches)


def absence_url(w):
    return f"/api/v1/absences/{w.absence.pk}/"


def rule_url(w):
    return f"/api/v1/rules/{w.rule.pk}/"


def token_url(w):
    return f"/api/v1/tokens/{w.token.pk}/"


def calendar_url(w):
    return f"/api/v1/calendars/{w.calendar.pk}/"


def event_url(w):
    return f"/api/v1/calendars/{w.calendar.pk}/events/{w.event.pk}/"


def schedule_url(w):
    return f"/api/v1/work-schedules/{w.owner.username}/"


def absence_body(w):
    return {"type": "sickness", "title": "changed", **TIMES}


def rule_body(w):
    return {"kind": "one_time", "name": "changed", "action": "keep", **TIMES}


def team_body(w):
    return {"name": "Team T", "members": [w.owner.pk], "leads": [w.lead.pk], "min_available": 0}


OWNED_READ = row(200, 404, 200, 200, 404, 200)
OWNED_CREATE = row(201, 400, 201, 201, 400, 201)  # 400 not_permitted on `user` (docs/absences.md, rules.md)
OWNED_DELETE = row(204, 404, 204, 204, 404, 204)
ADMIN_ONLY = row(403, 403, 403, 200, 403, 403)
CAL_READ = row(200, 404, 404, 200, 404, 404)
CAL_DELETE = row(204, 404, 404, 204, 404, 404)
CAL_CREATE = row(201, 404, 404, 201, 404, 404)
NO_METHOD = row(403, 403, 403, 405, 403, 403)
SELF = row(200, 200, 200, 200, 200, 404)  # personal feed endpoints: limited tokens are 404

CASES = [
    # --- absences (SPEC §4) ---
    Case("absences list", "GET", lambda w: "/api/v1/absences/", same(200), OWNED, marker="SECRET-ABSENCE-TITLE"),
    Case("absences retrieve", "GET", absence_url, OWNED_READ, OWNED),
    Case(
        "absences create",
        "POST",
        lambda w: "/api/v1/absences/",
        OWNED_CREATE,
        OWNED,
        body=lambda w: {"user": w.owner.username, **absence_body(w)},
    ),
    Case("absences update", "PUT", absence_url, OWNED_READ, OWNED, body=absence_body),
    Case("absences partial_update", "PATCH", absence_url, OWNED_READ, OWNED, body=lambda w: {"title": "x"}),
    Case("absences delete", "DELETE", absence_url, OWNED_DELETE, OWNED),
    Case(
        "absences by-source",
        "PUT",
        lambda w: "/api/v1/absences/by-source/hr/owner-1/",
        OWNED_READ,
        OWNED,
        body=absence_body,
    ),
    Case(
        "absences changes",
        "GET",
        lambda w: "/api/v1/absences/changes/",
        same(200),
        OWNED,
        marker="SECRET-ABSENCE-TITLE",
    ),
    # --- absence types (global; changes: admins) ---
    Case("absence-types list", "GET", lambda w: "/api/v1/absence-types/", same(200), NOBODY),
    Case("absence-types retrieve", "GET", lambda w: "/api/v1/absence-types/sickness/", same(200), NOBODY),
    Case(
        "absence-types create",
        "POST",
        lambda w: "/api/v1/absence-types/",
        row(403, 403, 403, 201, 403, 403),
        NOBODY,
        body=lambda w: {"key": "sabbatical", "name": "Sabbatical", "color": "#123456"},
    ),
    # Unsupported methods: DRF checks permissions first, so those who may not change the object at
    # all get 403 before the 405 an admin sees.
    Case("absence-types update", "PUT", lambda w: "/api/v1/absence-types/trip/", NO_METHOD, NOBODY, body=lambda w: {}),
    Case(
        "absence-types partial_update",
        "PATCH",
        lambda w: "/api/v1/absence-types/trip/",
        ADMIN_ONLY,
        NOBODY,
        body=lambda w: {"name": "Journey"},
    ),
    Case(
        "absence-types delete",
        "DELETE",
        lambda w: "/api/v1/absence-types/trip/",
        row(403, 403, 403, 204, 403, 403),
        NOBODY,
    ),
    # --- rules (SPEC §5) ---
    Case("rules list", "GET", lambda w: "/api/v1/rules/", same(200), OWNED, marker="SECRET-RULE-NAME"),
    Case("rules retrieve", "GET", rule_url, OWNED_READ, OWNED),
    Case(
        "rules create",
        "POST",
        lambda w: "/api/v1/rules/",
        OWNED_CREATE,
        OWNED,
        body=lambda w: {"user": w.owner.username, **rule_body(w)},
    ),
    Case("rules update", "PUT", rule_url, OWNED_READ, OWNED, body=rule_body),
    Case("rules partial_update", "PATCH", rule_url, OWNED_READ, OWNED, body=lambda w: {"enabled": False}),
    Case("rules delete", "DELETE", rule_url, OWNED_DELETE, OWNED),
    # --- routing settings (global: anyone reads, admins change) and the caller's own filter ---
    Case("settings/routing retrieve", "GET", lambda w: "/api/v1/settings/routing/", same(200), NOBODY),
    Case(
        "settings/routing partial_update",
        "PATCH",
        lambda w: "/api/v1/settings/routing/",
        ADMIN_ONLY,
        NOBODY,
        body=lambda w: {"reply_interval_hours": 3},
    ),
    Case("settings/routing update", "PUT", lambda w: "/api/v1/settings/routing/", NO_METHOD, NOBODY, body=lambda w: {}),
    Case(
        "settings/routing/me retrieve",
        "GET",
        lambda w: "/api/v1/settings/routing/me/",
        same(200),
        SELF_ONLY,
        marker="SECRETPROJECT",
    ),
    Case(
        "settings/routing/me update",
        "PUT",
        lambda w: "/api/v1/settings/routing/me/",
        same(200),
        row(None, False, False, False, False, None),  # writes the caller's own; the owner's stays
        body=lambda w: {"exclusion_filter": "project = MINE"},
    ),
    Case(
        "settings/routing/me partial_update",
        "PATCH",
        lambda w: "/api/v1/settings/routing/me/",
        same(405),
        NOBODY,
        body=lambda w: {"exclusion_filter": "project = MINE"},
    ),
    # --- tokens (SPEC §3) ---
    Case("tokens list", "GET", lambda w: "/api/v1/tokens/", same(200), OWN_ONLY, marker="SECRET-TOKEN-NAME"),
    Case("tokens retrieve", "GET", token_url, row(200, 404, 404, 200, 404, 200), OWN_ONLY),
    Case(
        "tokens create",
        "POST",
        lambda w: "/api/v1/tokens/",
        # allow_user_tokens is on: the owner mints their own; others may not name the owner (403);
        # a calendar-limited token cannot mint an unlimited one (403).
        row(201, 403, 403, 201, 403, 403),
        OWN_ONLY,
        body=lambda w: {"user": w.owner.username, "name": "new", "scopes": ["read"]},
    ),
    Case("tokens update", "PUT", token_url, same(405), NOBODY, body=lambda w: {"name": "x", "scopes": ["read"]}),
    Case("tokens partial_update", "PATCH", token_url, same(405), NOBODY, body=lambda w: {"name": "x"}),
    Case("tokens delete", "DELETE", token_url, row(204, 404, 404, 204, 404, 204), OWN_ONLY),
    Case("settings/tokens retrieve", "GET", lambda w: "/api/v1/settings/tokens/", same(200), NOBODY),
    Case(
        "settings/tokens partial_update",
        "PATCH",
        lambda w: "/api/v1/settings/tokens/",
        ADMIN_ONLY,
        NOBODY,
        body=lambda w: {"default_rate_limit_per_hour": 7},
    ),
    Case("settings/tokens update", "PUT", lambda w: "/api/v1/settings/tokens/", NO_METHOD, NOBODY, body=lambda w: {}),
    # --- people (SPEC §3a) ---
    Case("users list", "GET", lambda w: "/api/v1/users/", same(200), NOBODY),
    Case("users retrieve", "GET", lambda w: f"/api/v1/users/{w.owner.pk}/", same(200), NOBODY),
    Case("work-schedules retrieve", "GET", schedule_url, OWNED_READ, OWNED),
    Case(
        "work-schedules update",
        "PUT",
        schedule_url,
        OWNED_READ,
        OWNED,
        body=lambda w: {"timezone": "Asia/Tokyo", "working_days": [0, 1, 2]},
    ),
    Case(
        "work-schedules partial_update", "PATCH", schedule_url, OWNED_READ, OWNED, body=lambda w: {"working_days": [3]}
    ),
    Case("work-schedules delete", "DELETE", schedule_url, same(405), NOBODY),
    Case("teams list", "GET", lambda w: "/api/v1/teams/", same(200), NOBODY),
    Case("teams retrieve", "GET", lambda w: f"/api/v1/teams/{w.team.pk}/", same(200), NOBODY),
    Case(
        "teams create",
        "POST",
        lambda w: "/api/v1/teams/",
        row(403, 403, 403, 201, 403, 403),
        NOBODY,
        body=lambda w: {"name": "New team"},
    ),
    Case(
        "teams update",
        "PUT",
        lambda w: f"/api/v1/teams/{w.team.pk}/",
        row(403, 403, 403, 200, 403, 403),  # a lead changes members only; PUT sends every field
        NOBODY,
        body=team_body,
    ),
    Case(
        "teams partial_update",
        "PATCH",
        lambda w: f"/api/v1/teams/{w.team.pk}/",
        row(403, 403, 200, 200, 403, 403),
        NOBODY,
        body=lambda w: {"members": [w.owner.pk, w.other.pk]},
    ),
    Case("teams delete", "DELETE", lambda w: f"/api/v1/teams/{w.team.pk}/", row(403, 403, 403, 204, 403, 403), NOBODY),
    # --- coverage (SPEC §6): availability is not secret, private details are (docs/coverage.md) ---
    Case(
        "coverage availability",
        "GET",
        lambda w: f"/api/v1/coverage/availability/{w.owner.username}/?at={AT}",
        same(200),
        OWNED,
        marker="SECRET-ABSENCE-TITLE",
    ),
    Case(
        "coverage current",
        "GET",
        lambda w: f"/api/v1/coverage/current/?at={AT}",
        same(200),
        OWNED,
        marker="SECRET-ABSENCE-TITLE",
    ),
    Case(
        "coverage resolve",
        "POST",
        lambda w: "/api/v1/coverage/resolve/",
        same(200),
        OWNED,
        body=lambda w: {"assignee": w.owner.username, "event": "assigned", "at": AT},
        marker="SECRET-ABSENCE-MESSAGE",
    ),
    Case(
        "coverage staffing",
        "GET",
        lambda w: f"/api/v1/teams/{w.team.pk}/staffing/?start=2026-12-01&end=2026-12-03",
        OWNED_READ,
        OWNED,
    ),
    # --- calendars, events, search, feeds (SPEC §7) ---
    Case("calendars list", "GET", lambda w: "/api/v1/calendars/", same(200), CALENDAR, marker="SECRET-CALENDAR-NAME"),
    Case("calendars retrieve", "GET", calendar_url, CAL_READ, CALENDAR),
    Case(
        "calendars create",
        "POST",
        lambda w: "/api/v1/calendars/",
        row(201, 400, 400, 201, 400, 403),  # only admins name another owner; limited tokens never create
        CALENDAR,
        body=lambda w: {"name": "New calendar", "owner": w.owner.username},
    ),
    Case("calendars update", "PUT", calendar_url, CAL_READ, CALENDAR, body=lambda w: {"name": "changed"}),
    Case("calendars partial_update", "PATCH", calendar_url, CAL_READ, CALENDAR, body=lambda w: {"is_public": True}),
    Case("calendars delete", "DELETE", calendar_url, CAL_DELETE, CALENDAR),
    Case(
        "calendars rotate-feed-key",
        "POST",
        lambda w: f"/api/v1/calendars/{w.calendar.pk}/rotate-feed-key/",
        CAL_READ,
        CALENDAR,
    ),
    Case(
        "calendars feed (credentials)",
        "GET",
        lambda w: f"/api/v1/calendars/{w.calendar.pk}/feed.ics",
        CAL_READ,
        CALENDAR,
        marker="SECRET-EVENT-TITLE",
    ),
    Case(
        "calendars feed (wrong key)",
        "GET",
        lambda w: f"/api/v1/calendars/{w.calendar.pk}/feed.ics?key={w.personal_feed.feed_key}",
        same(404),
        NOBODY,
    ),
    Case(
        "events list",
        "GET",
        lambda w: f"/api/v1/calendars/{w.calendar.pk}/events/",
        CAL_READ,
        CALENDAR,
        marker="SECRET-EVENT-TITLE",
    ),
    Case("events retrieve", "GET", event_url, CAL_READ, CALENDAR),
    Case(
        "events create",
        "POST",
        lambda w: f"/api/v1/calendars/{w.calendar.pk}/events/",
        CAL_CREATE,
        CALENDAR,
        body=lambda w: {"title": "New event", **TIMES},
    ),
    Case("events update", "PUT", event_url, CAL_READ, CALENDAR, body=lambda w: {"title": "changed", **TIMES}),
    Case("events partial_update", "PATCH", event_url, CAL_READ, CALENDAR, body=lambda w: {"title": "changed"}),
    Case("events delete", "DELETE", event_url, CAL_DELETE, CALENDAR),
    Case(
        "events search (calendar)",
        "POST",
        lambda w: "/api/v1/events/search/",
        CAL_READ,
        CALENDAR,
        body=lambda w: {"calendars": [w.calendar.pk], "start": "2026-11-25", "end": "2026-12-25"},
        marker="SECRET-EVENT-TITLE",
    ),
    Case(
        "events search (user)",
        "POST",
        lambda w: "/api/v1/events/search/",
        same(200),
        DIRECT,
        body=lambda w: {"users": [w.owner.username], "start": "2026-11-25", "end": "2026-12-25"},
        marker="SECRET-ABSENCE-TITLE",
    ),
    Case("me/feed retrieve", "GET", lambda w: "/api/v1/me/feed/", SELF, SELF_ONLY, marker=None),
    Case("me/feed rotate", "POST", lambda w: "/api/v1/me/feed/rotate/", SELF, SELF_ONLY),
    Case("me/feed.ics", "GET", lambda w: "/api/v1/me/feed.ics", SELF, SELF_ONLY, marker="SECRET-ABSENCE-TITLE"),
]

MATRIX = [pytest.param(case, caller, id=f"{case.name}-{caller}") for case in CASES for caller in CALLERS]


def leaked(body: str, secrets: dict) -> list[str]:
    return [name for name, value in secrets.items() if value and value in body]


@pytest.mark.parametrize(("case", "caller"), MATRIX)
def test_visibility(case: Case, caller: str, world: World, caller_client):
    TokenSettings.objects.update_or_create(pk=1, defaults={"allow_user_tokens": True})
    client = caller_client(caller)
    before = world.snapshot()
    url = case.path(world)
    body = case.body(world) if case.body else None
    response = getattr(client, case.method.lower())(url, body, format="json") if body is not None else None
    if response is None:
        response = getattr(client, case.method.lower())(url)
    text = response.content.decode()
    RESULTS.append((case.name, caller, response.status_code))

    assert response.status_code == case.expected[caller], text[:500]
    entitled = case.entitled[caller]
    refused = not 200 <= response.status_code < 300
    if refused or entitled is False:
        assert leaked(text, world.secrets) == [], text[:500]
    # A refused write changes nothing; a caller's write to their own things leaves the owner's alone
    # (global objects, NOBODY, are the ones an allowed write is meant to change).
    if case.method != "GET" and (refused or (entitled is False and case.entitled is not NOBODY)):
        assert world.snapshot() == before, "a refused or foreign write changed the owner's data"
    if entitled and case.marker and response.status_code == 200:
        assert case.marker in text, f"{case.marker} missing for {caller}"
    PASSED.append(True)


def test_the_matrix_covers_several_hundred_cases():
    assert len(MATRIX) >= 300
    assert {case.name.split(" ")[0] for case in CASES} >= {
        "absences", "absence-types", "rules", "tokens", "settings/routing", "settings/routing/me",
        "settings/tokens", "users", "work-schedules", "teams", "coverage", "calendars", "events", "me/feed",
    }  # fmt: skip
