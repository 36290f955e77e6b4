"""Mass assignment: every read-only field sent in a POST, PUT or PATCH has no effect, for every
writable resource. The caller is the most powerful one (a staff user with an ``admin`` token), and
each case asserts the stored value (and, for computed fields, the answer), not only the status."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from absences.models import Absence, AbsenceType
from calendars.models import Calendar, Event
from people.models import Team, User
from rules.models import RoutingSettings, Rule, UserRoutingPreference
from tests.absences.factories import AbsenceFactory
from tests.calendars.factories import CalendarFactory, EventFactory
from tests.factories import TeamFactory, UserFactory
from tests.rules.factories import RuleFactory
from tokens.models import APIToken, TokenSettings

RESULTS: list[str] = []  # case ids that ran, counted by conftest
PASSED: list[bool] = []

BOGUS_ID = 987_654
BOGUS_TIME = "2001-01-01T00:00:00Z"
TIMES = {"start_at": "2026-12-20T09:00:00Z", "end_at": "2026-12-21T17:00:00Z"}


@dataclass(frozen=True)
class Resource:
    name: str
    list_url: str | None  # POST here (None: no create)
    detail_url: Callable | None  # PUT/PATCH here; called with the fixture object
    body: Callable  # a valid body, called with the context
    make: Callable | None  # an existing object for PUT/PATCH, called with the context
    load: Callable  # the stored row for a response's json and the context
    methods: tuple[str, ...]


def ctx_user(ctx):
    return ctx["user"]


RESOURCES = {
    "teams": Resource(
        "teams",
        "/api/v1/teams/",
        lambda obj: f"/api/v1/teams/{obj.pk}/",
        lambda ctx: {"name": "Blue", "members": [ctx["user"].pk], "leads": [], "min_available": 0},
        lambda ctx: TeamFactory(name="Red"),
        lambda data, ctx: Team.objects.get(pk=data["id"]),
        ("POST", "PUT", "PATCH"),
    ),
    "work schedules": Resource(
        "work schedules",
        None,
        lambda obj: f"/api/v1/work-schedules/{obj.username}/",
        lambda ctx: {"timezone": "Asia/Tokyo", "working_days": [0, 1, 2]},
        lambda ctx: ctx["user"],
        lambda data, ctx: User.objects.get(pk=ctx["user"].pk),
        ("PUT", "PATCH"),
    ),
    "tokens": Resource(
        "tokens",
        "/api/v1/tokens/",
        None,
        lambda ctx: {"user": ctx["user"].username, "name": "ci", "scopes": ["read"]},
        None,
        lambda data, ctx: APIToken.objects.get(pk=data["id"]),
        ("POST",),
    ),
    "token settings": Resource(
        "token settings",
        None,
        lambda obj: "/api/v1/settings/tokens/",
        lambda ctx: {"allow_user_tokens": True},
        lambda ctx: TokenSettings.get_solo(),
        lambda data, ctx: TokenSettings.get_solo(),
        ("PATCH",),
    ),
    "absence types": Resource(
        "absence types",
        "/api/v1/absence-types/",
        lambda obj: f"/api/v1/absence-types/{obj.key}/",
        lambda ctx: {"key": "sabbatical", "name": "Sabbatical", "color": "#123456"},
        lambda ctx: AbsenceType.objects.get(key="trip"),
        lambda data, ctx: AbsenceType.objects.get(name=data["name"]),
        ("POST", "PATCH"),
    ),
    "absences": Resource(
        "absences",
        "/api/v1/absences/",
        lambda obj: f"/api/v1/absences/{obj.pk}/",
        lambda ctx: {"user": ctx["user"].username, "title": "Alps", **TIMES},
        lambda ctx: AbsenceFactory(user=ctx["user"], title="Before"),
        lambda data, ctx: Absence.objects.get(pk=data["id"]),
        ("POST", "PUT", "PATCH"),
    ),
    "absences by-source": Resource(
        "absences by-source",
        None,
        lambda obj: "/api/v1/absences/by-source/hr/42/",
        lambda ctx: {"user": ctx["user"].username, "title": "Synced", **TIMES},
        lambda ctx: AbsenceFactory(user=ctx["user"], source="hr", source_id="42"),
        lambda data, ctx: Absence.objects.get(pk=data["id"]),
        ("PUT",),
    ),
    "rules": Resource(
        "rules",
        "/api/v1/rules/",
        lambda obj: f"/api/v1/rules/{obj.pk}/",
        lambda ctx: {"user": ctx["user"].username, "kind": "one_time", "name": "R", "action": "keep", **TIMES},
        lambda ctx: RuleFactory(user=ctx["user"], start_at=dt.datetime(2026, 12, 20, 9, tzinfo=dt.UTC)),
        lambda data, ctx: Rule.objects.get(pk=data["id"]),
        ("POST", "PUT", "PATCH"),
    ),
    "routing settings": Resource(
        "routing settings",
        None,
        lambda obj: "/api/v1/settings/routing/",
        lambda ctx: {"reply_interval_hours": 5},
        lambda ctx: RoutingSettings.get_solo(),
        lambda data, ctx: RoutingSettings.get_solo(),
        ("PATCH",),
    ),
    "routing me": Resource(
        "routing me",
        None,
        lambda obj: "/api/v1/settings/routing/me/",
        lambda ctx: {"exclusion_filter": "project = MINE"},
        lambda ctx: None,
        lambda data, ctx: UserRoutingPreference.objects.get(user=ctx["caller"]),
        ("PUT",),
    ),
    "calendars": Resource(
        "calendars",
        "/api/v1/calendars/",
        lambda obj: f"/api/v1/calendars/{obj.pk}/",
        lambda ctx: {"name": "Team calendar"},
        lambda ctx: CalendarFactory(owner=ctx["caller"], name="Before"),
        lambda data, ctx: Calendar.objects.get(pk=data["id"]),
        ("POST", "PUT", "PATCH"),
    ),
    "events": Resource(
        "events",
        "EVENTS",
        lambda obj: f"/api/v1/calendars/{obj.calendar_id}/events/{obj.pk}/",
        lambda ctx: {"title": "Release", **TIMES},
        lambda ctx: EventFactory(calendar=ctx["calendar"], title="Before"),
        lambda data, ctx: Event.objects.get(pk=data["id"]),
        ("POST", "PUT", "PATCH"),
    ),
}


def not_bogus_id(row, data, ctx, original):
    assert row.pk != BOGUS_ID and data.get("id", row.pk) != BOGUS_ID
    if original is not None:
        assert row.pk == original.pk


def not_bogus_time(name):
    def check(row, data, ctx, original):
        assert getattr(row, name).year != 2001
        assert not data[name].startswith("2001")

    return check


def stored(name, expected):
    """The stored ``name`` equals ``expected(ctx, original)``."""

    def check(row, data, ctx, original):
        assert getattr(row, name) == expected(ctx, original)

    return check


def answered(name, unwanted):
    def check(row, data, ctx, original):
        assert data[name] != unwanted

    return check


def schedule_user_fixed(row, data, ctx, original):
    other = User.objects.get(pk=ctx["other"].pk)
    assert data["user"]["id"] == ctx["user"].pk
    assert str(other.timezone) == "UTC" and other.working_days == [0, 1, 2, 3, 4]


def preference_user_fixed(row, data, ctx, original):
    assert not UserRoutingPreference.objects.filter(user=ctx["other"]).exists()
    assert row.exclusion_filter == "project = MINE"


def event_calendar_fixed(row, data, ctx, original):
    assert row.calendar_id == ctx["calendar"].pk and data["calendar"] == ctx["calendar"].pk


def singleton_pk_fixed(model):
    def check(row, data, ctx, original):
        assert list(model.objects.values_list("pk", flat=True)) == [1]

    return check


ID = (BOGUS_ID, not_bogus_id)
CREATED = (BOGUS_TIME, not_bogus_time("created_at"))
UPDATED = (BOGUS_TIME, not_bogus_time("updated_at"))

READ_ONLY = {
    "teams": {"id": ID, "created_at": CREATED, "updated_at": UPDATED},
    "work schedules": {"user": ("OTHER", schedule_user_fixed)},
    "tokens": {
        "id": ID,
        "prefix": ("stn_HACKED00", stored("key_id", lambda ctx, o: ctx["row"].key_id)),
        "last_used_at": (BOGUS_TIME, stored("last_used_at", lambda ctx, o: None)),
        "revoked_at": (BOGUS_TIME, stored("revoked_at", lambda ctx, o: None)),
        "created_at": CREATED,
        "created_by": ("OTHER", stored("created_by_id", lambda ctx, o: ctx["caller"].pk)),
        "token": ("stn_AAAAAAAA_" + "b" * 43, answered("token", "stn_AAAAAAAA_" + "b" * 43)),
    },
    "token settings": {"id": (BOGUS_ID, singleton_pk_fixed(TokenSettings))},
    "absence types": {"key": ("renamed", stored("key", lambda ctx, o: o.key if o else "sabbatical"))},
    "absences": {
        "id": ID,
        "all_day": (True, stored("all_day", lambda ctx, o: False)),
        "warnings": (
            [{"code": "coverer_away", "detail": "forged"}],
            answered("warnings", [{"code": "coverer_away", "detail": "forged"}]),
        ),
        "state": ("past", answered("state", "past")),
        "working_days": (99, answered("working_days", 99)),
        "created_at": CREATED,
        "updated_at": UPDATED,
    },
    "absences by-source": {
        "id": ID,
        "source": ("forged", stored("source", lambda ctx, o: "hr")),
        "source_id": ("forged", stored("source_id", lambda ctx, o: "42")),
        "all_day": (True, stored("all_day", lambda ctx, o: False)),
        "state": ("past", answered("state", "past")),
        "created_at": CREATED,
        "updated_at": UPDATED,
    },
    "rules": {
        "id": ID,
        "status": ("expired", stored("status", lambda ctx, o: "scheduled")),
        "activated_at": (BOGUS_TIME, stored("activated_at", lambda ctx, o: None)),
        "expired_at": (BOGUS_TIME, stored("expired_at", lambda ctx, o: None)),
        "created_by": ("OTHER", stored("created_by_id", lambda ctx, o: o.created_by_id if o else ctx["caller"].pk)),
        "created_at": CREATED,
        "updated_at": UPDATED,
    },
    "routing settings": {"id": (BOGUS_ID, singleton_pk_fixed(RoutingSettings)), "updated_at": UPDATED},
    "routing me": {"user": ("OTHER", preference_user_fixed), "id": (BOGUS_ID, preference_user_fixed)},
    "calendars": {
        "id": ID,
        "feed_key": ("forged-key", stored("feed_key", lambda ctx, o: o.feed_key if o else ctx["row"].feed_key)),
        "feed_url": ("http://evil.example/", answered("feed_url", "http://evil.example/")),
        "created_at": CREATED,
        "updated_at": UPDATED,
    },
    "events": {
        "id": ID,
        "calendar": ("OTHER_CALENDAR", event_calendar_fixed),
        "all_day": (True, stored("all_day", lambda ctx, o: False)),
        "created_at": CREATED,
        "updated_at": UPDATED,
    },
}

CASES = [
    pytest.param(resource, method, name, id=f"{resource}-{method}-{name}")
    for resource, fields in READ_ONLY.items()
    for method in RESOURCES[resource].methods
    for name in fields
    # Writable on create (a type is named by its key once, at creation).
    if (resource, method, name) != ("absence types", "POST", "key")
]


def placeholder(value, ctx):
    return (
        {"OTHER": ctx["other"].username, "OTHER_CALENDAR": ctx.get("other_calendar_pk")}.get(value, value)
        if isinstance(value, str)
        else value
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("resource_name", "method", "field"), CASES)
def test_read_only_field_has_no_effect(resource_name, method, field, client_for, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC), tick=False)
    resource = RESOURCES[resource_name]
    caller = UserFactory(username="root", is_staff=True)
    ctx = {"caller": caller, "user": UserFactory(username="alice"), "other": UserFactory(username="bob")}
    ctx["calendar"] = CalendarFactory(owner=caller)
    ctx["other_calendar_pk"] = CalendarFactory(owner=caller).pk
    client = client_for(caller)
    bogus, check = READ_ONLY[resource_name][field]
    body = {**resource.body(ctx), field: placeholder(bogus, ctx)}
    if method == "POST":
        original = None
        url = f"/api/v1/calendars/{ctx['calendar'].pk}/events/" if resource.list_url == "EVENTS" else resource.list_url
        response = client.post(url, body, format="json")
        assert response.status_code == 201, response.content
    else:
        original = resource.make(ctx)
        url = resource.detail_url(original)
        if resource_name in ("absence types",):
            body.pop("key", None) if field != "key" else None
        if method == "PATCH":
            body = {field: placeholder(bogus, ctx), **{k: v for k, v in body.items() if k != "key" or field == "key"}}
        response = getattr(client, method.lower())(url, body, format="json")
        assert response.status_code in (200, 201), response.content
    data = response.json()
    row = resource.load(data, ctx)
    ctx["row"] = row
    check(row, data, ctx, original)
    RESULTS.append(f"{resource_name}-{method}-{field}")
    PASSED.append(True)


def test_mass_assignment_covers_every_writable_resource():
    assert {p.values[0] for p in CASES} == set(RESOURCES)
    assert len(CASES) >= 60
