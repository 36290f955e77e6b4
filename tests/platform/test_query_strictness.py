"""Query strings say what the schema says (the 1000-example fuzzing run's ST201 findings):

- a parameter that takes one value, given twice, is a 400 ``repeated`` naming it (Django's
  ``QueryDict.get`` would quietly keep the last value: ``?page_size=10&page_size=500`` meant 500);
- the documented repeatable filters (``?user=a&user=b``, ``?status=…&status=…``) still take several;
- an empty boolean or choice filter (``?is_public=``, ``?kind=``) is a 400 like ``?is_public=x``,
  not a filter left out;
- every operation documents gunicorn's 414 for an over-long request line.
"""

import datetime as dt

import pytest

from absences.changes import encode_cursor
from rules.models import Rule
from tests.absences.factories import AbsenceFactory
from tests.calendars.factories import CalendarFactory
from tests.factories import TeamFactory
from tests.rules.factories import RuleFactory

from .test_fuzzing_regressions import error_attrs, schema  # noqa: F401 (fixture)


@pytest.fixture
def staff_client(client_for, staff):
    return client_for(staff)


# (path, parameter, two values each valid on its own)
REPEATED = [
    ("/api/v1/absences/", "page_size", ["10", "500"]),
    ("/api/v1/absences/", "page", ["1", "1"]),
    ("/api/v1/rules/", "sort", ["start_at", "-start_at"]),
    ("/api/v1/teams/", "fields", ["id", "name"]),
    ("/api/v1/absences/", "from", ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"]),
    ("/api/v1/absences/", "state", ["current", "upcoming"]),
    ("/api/v1/absences/", "source", ["hr", "jira"]),
    ("/api/v1/rules/", "kind", ["one_time", "recurring"]),
    ("/api/v1/rules/", "enabled", ["true", "false"]),
    ("/api/v1/calendars/", "is_public", ["true", "false"]),
    ("/api/v1/tokens/", "revoked", ["true", "false"]),
    ("/api/v1/users/", "search", ["a", "b"]),
    ("/api/v1/teams/", "name", ["a", "b"]),
    ("/api/v1/coverage/current/", "at", ["2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"]),
    ("/api/v1/coverage/current/", "team", ["{team}", "{team}"]),
    ("/api/v1/coverage/availability/me/", "at", ["2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"]),
    ("/api/v1/teams/{team}/staffing/", "start", ["2026-12-01", "2026-12-02"]),
    ("/api/v1/absences/changes/", "limit", ["1", "2"]),
]


@pytest.mark.parametrize(("path", "param", "values"), REPEATED)
def test_a_one_value_parameter_given_twice_is_a_400(staff_client, staff, path, param, values):
    team = TeamFactory(members=[staff])
    query = {param: [value.format(team=team.pk) for value in values]}
    if "staffing" in path:
        query["end"] = "2026-12-10"
    response = staff_client.get(path.format(team=team.pk), query)
    assert error_attrs(response) == {param: "repeated"}
    assert response.json()["errors"][0]["detail"] == f"Give `{param}` once (it takes one value)."


def test_each_value_alone_is_accepted(staff_client, staff):
    """The 400 above is about the repetition, not the values."""
    team = TeamFactory(members=[staff])
    for path, param, values in REPEATED:
        query = {"end": "2026-12-10"} if "staffing" in path else {}
        for value in values:
            response = staff_client.get(path.format(team=team.pk), {**query, param: value.format(team=team.pk)})
            assert response.status_code == 200, (path, param, value, response.content)


def test_a_repeated_change_feed_cursor_is_a_400(staff_client):
    cursor = encode_cursor(0)
    assert error_attrs(staff_client.get("/api/v1/absences/changes/", {"cursor": [cursor, cursor]})) == {
        "cursor": "repeated"
    }


def test_a_repeated_feed_key_is_a_400_not_a_feed(db, api_client):
    calendar = CalendarFactory()
    response = api_client.get(f"/api/v1/calendars/{calendar.pk}/feed.ics", {"key": [calendar.feed_key, "x"]})
    assert error_attrs(response) == {"key": "repeated"}
    assert b"BEGIN:VCALENDAR" not in response.content


class TestRepeatableFiltersStillTakeSeveral:
    def test_user_on_absences(self, staff_client, user, other, staff):
        mine = AbsenceFactory(user=user)
        theirs = AbsenceFactory(user=other)
        AbsenceFactory(user=staff)
        response = staff_client.get("/api/v1/absences/", {"user": ["alice", "bob"], "sort": "start_at"})
        assert response.status_code == 200, response.content
        assert sorted(row["id"] for row in response.json()["results"]) == sorted([mine.pk, theirs.pk])

    def test_status_and_user_on_rules(self, staff_client, user, other):
        start = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
        wanted = [
            RuleFactory(user=user, status=Rule.Status.ACTIVE, start_at=start),
            RuleFactory(user=other, status=Rule.Status.SCHEDULED, start_at=start),
        ]
        RuleFactory(user=other, status=Rule.Status.EXPIRED, start_at=start)
        response = staff_client.get(
            "/api/v1/rules/", {"status": ["active", "scheduled"], "user": ["alice", "bob"], "page_size": 50}
        )
        assert response.status_code == 200, response.content
        assert sorted(row["id"] for row in response.json()["results"]) == sorted(rule.pk for rule in wanted)


@pytest.mark.parametrize(
    ("path", "param", "code"),
    [
        ("/api/v1/calendars/", "is_public", "invalid"),
        ("/api/v1/rules/", "enabled", "invalid"),
        ("/api/v1/rules/", "by_admin", "invalid"),
        ("/api/v1/tokens/", "revoked", "invalid"),
        ("/api/v1/rules/", "kind", "invalid_choice"),
        ("/api/v1/absences/", "state", "invalid_choice"),
    ],
)
def test_an_empty_boolean_or_choice_filter_is_a_400(staff_client, path, param, code):
    response = staff_client.get(path, {param: ""})
    assert error_attrs(response) == {param: code}


def test_an_empty_choice_names_the_choices(staff_client):
    response = staff_client.get("/api/v1/rules/", {"kind": ""})
    assert response.json()["errors"][0]["detail"] == "Choose one of: one_time, recurring."


def test_boolean_and_choice_filters_still_filter(staff_client, user):
    public = CalendarFactory(name="Public", is_public=True)
    CalendarFactory(name="Private", is_public=False, owner=user)
    response = staff_client.get("/api/v1/calendars/", {"is_public": "true"})
    assert [row["id"] for row in response.json()["results"]] == [public.pk]
    recurring = RuleFactory(user=user, kind=Rule.Kind.RECURRING, start_at=None, end_at=None)
    RuleFactory(user=user)
    response = staff_client.get("/api/v1/rules/", {"kind": "recurring"})
    assert [row["id"] for row in response.json()["results"]] == [recurring.pk]


def test_every_operation_documents_414_without_an_error_body(schema):  # noqa: F811
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            response = operation["responses"]["414"]
            assert "content" not in response, (method, path)  # gunicorn's own body, not the error shape
            assert "request line" in response["description"]


def test_an_empty_change_feed_limit_is_a_400(staff_client):
    """ST201 (1000-example rerun): ``limit`` given an object was sent as ``?limit=`` and answered a page."""
    assert error_attrs(staff_client.get("/api/v1/absences/changes/", {"limit": ""})) == {"limit": "invalid"}
    assert staff_client.get("/api/v1/absences/changes/", {"limit": "5"}).status_code == 200


def test_recurrence_exceptions_are_documented_as_dates_or_date_times(schema):  # noqa: F811
    """ST202 (1000-example rerun): the items were plain strings, so any text was schema-valid and refused."""
    items = schema["components"]["schemas"]["AbsenceRequest"]["properties"]["recurrence_exceptions"]["items"]
    assert items["anyOf"] == [{"format": "date"}, {"format": "date-time"}]
    assert (items["type"], items["minLength"], items["maxLength"]) == ("string", 1, 40)


@pytest.mark.parametrize("path", ["/api/v1/coverage/current/", "/api/v1/absences/", "/api/v1/rules/"])
def test_a_page_beyond_any_offset_is_a_404_not_a_500(staff_client, user, path):
    """ST101 (1000-example rerun 3): ``?page=`` near 10**17 made an OFFSET beyond bigint (a
    PostgreSQL error) in the lists that count with their page."""
    AbsenceFactory(user=user)
    for page in (10**17, 2**62, 2**63 + 5):
        response = staff_client.get(path, {"page": page})
        assert response.status_code == 404, (page, response.content)
        assert response.json()["errors"][0]["code"] == "not_found"
