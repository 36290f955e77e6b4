"""Regression tests for what the schemathesis run (.ci/schema) found in the shared API layers and
the people endpoints. Each test names the failure it pins."""

import json
import re
import sys

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from absences.changes import encode_cursor
from config.api.schema import NON_BLANK_PATTERN
from tests.calendars.factories import CalendarFactory
from tests.factories import TeamFactory


@pytest.fixture
def staff_client(client_for, staff):
    return client_for(staff)


def error_attrs(response) -> dict[str, str]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    return {error["attr"]: error["code"] for error in body["errors"]}


class TestStrictJSONTypes:
    """ST201: DRF coerced 0 to "0" for a string and accepted it; the schema says string."""

    def test_number_for_a_string_field_is_rejected(self, staff_client):
        response = staff_client.post("/api/v1/teams/", {"name": 0}, format="json")
        assert error_attrs(response) == {"name": "invalid"}
        assert response.json()["errors"][0]["detail"] == "Not a valid string."

    def test_string_for_an_integer_field_is_rejected(self, staff_client):
        response = staff_client.post("/api/v1/teams/", {"name": "Ops", "min_available": "2"}, format="json")
        assert error_attrs(response) == {"min_available": "invalid"}

    def test_wrong_item_type_in_a_list_names_its_index(self, alice_client):
        response = alice_client.patch("/api/v1/work-schedules/me/", {"working_days": [0, "1", True]}, format="json")
        assert error_attrs(response) == {"working_days.1": "invalid", "working_days.2": "invalid"}

    def test_correct_types_still_work(self, staff_client):
        response = staff_client.post("/api/v1/teams/", {"name": "Ops", "min_available": 2}, format="json")
        assert response.status_code == 201
        assert response.json()["min_available"] == 2


class TestNulCharacters:
    """ST101: a NUL in a user reference reached PostgreSQL ("cannot contain NUL") as a 500."""

    def test_nul_in_a_user_filter_is_a_400(self, alice_client):
        response = alice_client.get("/api/v1/teams/", {"member": "bo\x00b"})
        assert error_attrs(response) == {"member": "unknown"}

    def test_nul_in_a_user_reference_body_is_a_400(self, staff_client):
        response = staff_client.post("/api/v1/teams/", {"name": "Ops", "leads": ["\x00"]}, format="json")
        assert error_attrs(response) == {"leads.0": "unknown"}

    def test_nul_in_a_user_path_is_a_404(self, alice_client):
        assert alice_client.get("/api/v1/work-schedules/al%00ice/").status_code == 404

    # Found by the 1000-example run: both reached PostgreSQL as a 500.
    def test_nul_in_a_calendars_absence_type_key_is_an_unknown_key(self, staff_client, staff):
        calendar = CalendarFactory(owner=staff, name="Team")
        response = staff_client.put(
            f"/api/v1/calendars/{calendar.pk}/", {"name": "Team", "absence_types": ["V\x0f\x00"]}, format="json"
        )
        assert error_attrs(response) == {"absence_types": "does_not_exist"}

    def test_nul_in_a_personal_feed_key_is_a_404(self, api_client):
        response = api_client.get("/api/v1/me/feed.ics", {"key": "abc\x00"}, HTTP_IF_NONE_MATCH='"5i6K"')
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"


def test_percent_sign_in_a_user_filter_is_a_400(alice_client):
    """ST101 (1000-example run): ``?lead=50%`` crashed formatting the error message (500)."""
    response = alice_client.get("/api/v1/teams/", {"lead": "50%s%"})
    assert error_attrs(response) == {"lead": "unknown"}
    assert response.json()["errors"][0]["detail"] == "No active user '50%s%'."


def test_subdivision_without_country_says_unknown(alice_client):
    response = alice_client.patch(
        "/api/v1/work-schedules/me/", {"holiday_country": "", "holiday_subdivision": "BY"}, format="json"
    )
    assert error_attrs(response) == {"holiday_subdivision": "unknown"}


def test_blank_user_filter_adds_no_condition(alice_client, user, other):
    """ST202: ``?member=`` (a schema-valid empty string) answered "No active user ''"."""
    TeamFactory(name="Mine", members=[user])
    response = alice_client.get("/api/v1/teams/", {"member": ""})
    assert response.status_code == 200
    assert [team["name"] for team in response.json()["results"]] == ["Mine"]


@pytest.mark.parametrize("param", ["fields", "sort"])
def test_empty_selection_is_a_400(alice_client, param):
    """ST201: ``?fields=`` and ``?sort=`` (an empty list, below the schema's minItems) were accepted."""
    assert error_attrs(alice_client.get("/api/v1/users/", {param: ""})) == {param: "invalid"}


def test_unknown_holiday_subdivision_says_unknown(alice_client):
    response = alice_client.patch(
        "/api/v1/work-schedules/me/", {"holiday_country": "DE", "holiday_subdivision": "XX"}, format="json"
    )
    assert error_attrs(response) == {"holiday_subdivision": "unknown"}


@pytest.fixture(scope="module")
def schema():
    """The OpenAPI schema as /api/schema/ serves it (it does not depend on the caller), built once:
    building it takes seconds."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def test_the_schema_fixture_is_what_is_served(schema, alice_client):
    response = alice_client.get("/api/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content) == schema


def enum_of(schema: dict, prop: dict) -> list:
    """The enum values of a property, following drf-spectacular's ``$ref``/``allOf``/``oneOf`` indirection."""
    if "enum" in prop:
        return prop["enum"]
    if "$ref" in prop:
        return enum_of(schema, schema["components"]["schemas"][prop["$ref"].rsplit("/", 1)[1]])
    return [value for part in prop.get("allOf", []) + prop.get("oneOf", []) for value in enum_of(schema, part)]


def parameter(operation: dict, name: str) -> dict:
    return next(p for p in operation["parameters"] if p["name"] == name)


class TestSchemaIsHonest:
    def test_fields_and_sort_list_their_allowed_values(self, schema):
        operation = schema["paths"]["/api/v1/users/"]["get"]
        fields = parameter(operation, "fields")
        assert fields["schema"]["items"]["enum"] == ["email", "id", "name", "username"]
        assert (fields["style"], fields["explode"], fields["schema"]["minItems"]) == ("form", False, 1)
        sort = parameter(operation, "sort")
        assert "-username" in sort["schema"]["items"]["enum"]

    def test_every_operation_declares_the_error_responses_it_can_give(self, schema):
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                codes = set(operation["responses"])
                assert {"400", "401", "403", "429", "500", "503"} <= codes, (method, path)
                assert operation["responses"]["503"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorResponse"
                }

    def test_responses_do_not_require_keys_that_fields_may_drop(self, schema):
        """ST108: ``?fields=created_at`` returned an object without the "required" ``id``."""
        team = schema["components"]["schemas"]["Team"]
        assert "required" not in team
        assert "description" not in team  # not the docstring of a shared base class
        assert "required" in schema["components"]["schemas"]["TeamRequest"]

    def test_nullable_read_only_user_reference(self):
        """ST108: a token made by ``create_token`` has ``created_by: null``, which the schema forbade."""
        from config.api.schema import field_allows_null
        from tokens.api.serializers import APITokenSerializer

        assert field_allows_null(APITokenSerializer().fields["created_by"]) is True
        assert field_allows_null(APITokenSerializer().fields["user"]) is False

    def test_work_schedule_lists_time_zones_and_holiday_countries(self, schema):
        request = schema["components"]["schemas"]["WorkScheduleRequest"]["properties"]
        assert "Europe/Berlin" in enum_of(schema, request["timezone"])
        assert {"", "DE", "US"} <= set(enum_of(schema, request["holiday_country"]))
        user_param = parameter(schema["paths"]["/api/v1/work-schedules/{user}/"]["get"], "user")
        assert user_param["examples"]["TheCaller"]["value"] == "me"

    @pytest.mark.parametrize("blank", ["\x0b", "\x1d"])
    def test_user_reference_strings_need_a_non_space_character(self, schema, staff_client, blank):
        """ST202 (1000-example run): "\x0b" met ``minLength: 1`` but is refused as blank; "\x1d" met
        the ``\\S`` pattern that replaced it (Python strips it, ECMA-262 does not call it a space)."""
        request = schema["components"]["schemas"]["TeamRequest"]["properties"]["members"]["items"]
        string = {"type": "string", "pattern": NON_BLANK_PATTERN, "description": "username, email address or `me`"}
        assert string in request["oneOf"]
        assert not re.search(NON_BLANK_PATTERN, blank)
        response = staff_client.post("/api/v1/teams/", {"name": "Ops", "members": [blank]}, format="json")
        assert error_attrs(response) == {"members.0": "invalid"}

    def test_non_empty_lists_say_min_items(self, schema):
        scopes = schema["components"]["schemas"]["APITokenRequest"]["properties"]["scopes"]
        assert scopes["minItems"] == 1


@pytest.mark.parametrize(
    "path",
    ["/api/v1/teams/", "/api/v1/absences/", "/api/v1/absences/by-source/hr/abc-1/", "/api/v1/coverage/current/"],
)
def test_options_is_a_405_in_the_error_shape(staff_client, path):
    """ST101: OPTIONS on ``/absences/by-source/...`` was a 500 (SimpleMetadata called get_object()
    without a ``pk``). The schema documents no OPTIONS: it is a 405 everywhere."""
    response = staff_client.options(path)
    assert response.status_code == 405
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0]["code"] == "method_not_allowed"


def test_non_blank_string_fields_say_so_in_the_schema(schema, staff_client):
    """ST202: ``{"name": "\\xa0"}`` met minLength 1 but DRF trims it to blank (a 400)."""
    name = schema["components"]["schemas"]["TeamRequest"]["properties"]["name"]
    assert name["pattern"] == NON_BLANK_PATTERN
    response = staff_client.post("/api/v1/teams/", {"name": "\xa0"}, format="json")
    assert error_attrs(response) == {"name": "blank"}


def test_empty_coverage_project_means_any_project(schema, staff_client):
    """ST(negative_data_rejection): ``project=`` was accepted although the schema said minLength 1."""
    operation = schema["paths"]["/api/v1/coverage/current/"]["get"]
    assert "minLength" not in parameter(operation, "project")["schema"]
    response = staff_client.get("/api/v1/coverage/current/", {"project": ""})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/calendars/{pk}/events/", "start_at__lt"),
        ("/api/v1/calendars/{pk}/events/", "end_at__gt"),
        ("/api/v1/absences/", "from"),
        ("/api/v1/absences/", "start_at__lt"),
    ],
)
def test_empty_datetime_filter_is_a_400(staff_client, path, param):
    """ST(negative_data_rejection): ``start_at__lt=`` was ignored although the schema says date-time."""
    path = path.format(pk=CalendarFactory(is_public=True).pk)
    assert error_attrs(staff_client.get(path, {param: ""})) == {param: "invalid"}


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        ({"start_at": "2026-03-02T09:00:00Z", "end_at": "2026-03-02T08:00:00Z"}, "end_at", "end_before_start"),
        (
            {"start_at": "2026-03-02T09:00:00Z", "end_at": "2026-03-02T10:00:00Z", "start_date": "2026-03-02"},
            "start_date",
            "exclusive",
        ),
    ],
)
def test_cross_field_rules_have_codes_of_their_own(staff_client, payload, attr, code):
    """ST202: rules between two fields (which OpenAPI cannot express) are told apart from malformed
    input by their codes, which .ci/schemathesis_hooks.py accepts by name."""
    calendar = CalendarFactory(is_public=True)
    response = staff_client.post(
        f"/api/v1/calendars/{calendar.pk}/events/", {"type": "meeting", "title": "Sync", **payload}, format="json"
    )
    assert error_attrs(response) == {attr: code}


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["³", "²5", "١٢"])
def test_non_ascii_digits_in_a_user_reference_are_an_unknown_user_not_a_500(alice_client, value):
    """str.isdigit() is true for superscripts, which int() refuses: found by schemathesis as a 500."""
    response = alice_client.get("/api/v1/teams/", {"member": value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "member"


class TestNonBlankPattern:
    """ST202: ``PATCH /absence-types/{key}/`` with ``{"name": "\\x1d"}`` matched the schema's ``\\S``
    (schemathesis reads it in ASCII mode, validators as ECMA-262 or Unicode whitespace) but
    ``trim_whitespace`` (``str.strip()``) left it blank: a 400 for schema-valid input."""

    def test_pattern_matches_exactly_what_strip_leaves_non_empty(self):
        for code in range(sys.maxunicode + 1):
            char = chr(code)
            assert bool(re.search(NON_BLANK_PATTERN, char)) == bool(char.strip()), hex(code)

    def test_every_trimmed_required_text_field_uses_it(self, schema):
        request = schema["components"]["schemas"]
        for component, prop in [
            ("PatchedAbsenceTypeUpdateRequest", "name"),
            ("AbsenceTypeRequest", "name"),
            ("CalendarRequest", "name"),
            ("EventRequest", "title"),
            ("APITokenRequest", "name"),
        ]:
            assert request[component]["properties"][prop]["pattern"] == NON_BLANK_PATTERN, component

    @pytest.mark.parametrize("name", ["\x1d", "\x1c\x1f ", "\x85"])
    def test_what_the_pattern_refuses_is_blank(self, staff_client, name):
        assert not re.search(NON_BLANK_PATTERN, name)
        response = staff_client.patch("/api/v1/absence-types/trip/", {"name": name}, format="json")
        assert error_attrs(response) == {"name": "blank"}

    def test_what_the_pattern_accepts_is_stored_trimmed(self, staff_client):
        response = staff_client.patch("/api/v1/absence-types/trip/", {"name": "\x1dTrip\x1d"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["name"] == "Trip"


class TestChangesLimit:
    """ST202: ``GET /absences/changes/?limit=0`` was a 400 although the schema said any integer."""

    def test_schema_declares_the_bounds(self, schema):
        limit = parameter(schema["paths"]["/api/v1/absences/changes/"]["get"], "limit")
        assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}

    @pytest.mark.parametrize("limit", ["0", "1001", "-1"])
    def test_outside_the_bounds_is_a_400(self, alice_client, limit):
        assert error_attrs(alice_client.get("/api/v1/absences/changes/", {"limit": limit})) == {"limit": "invalid"}

    @pytest.mark.parametrize("limit", ["1", "1000"])
    def test_the_bounds_themselves_are_accepted(self, alice_client, limit):
        response = alice_client.get("/api/v1/absences/changes/", {"limit": limit})
        assert response.status_code == 200
        assert response.json()["changes"] == []


class TestEmptyCoverageQueryValues:
    """ST201: ``GET /coverage/current/?at=`` was answered 200 (``at`` ignored) although an empty
    string is no date-time; the same for ``?team=`` (an integer) and availability's ``?at=``."""

    @pytest.mark.parametrize("param", ["at", "team"])
    def test_empty_current_coverage_filter_is_a_400(self, alice_client, param):
        assert error_attrs(alice_client.get("/api/v1/coverage/current/", {param: ""})) == {param: "invalid"}

    def test_empty_availability_instant_is_a_400(self, alice_client):
        assert error_attrs(alice_client.get("/api/v1/coverage/availability/me/", {"at": ""})) == {"at": "invalid"}

    def test_empty_project_still_means_any_project(self, alice_client):
        assert alice_client.get("/api/v1/coverage/current/", {"project": ""}).status_code == 200

    def test_the_availability_user_has_an_example_that_exists(self, schema, alice_client):
        """Missing test data: every generated ``{user}`` was a 404; the example names the caller."""
        user = parameter(schema["paths"]["/api/v1/coverage/availability/{user}/"]["get"], "user")
        assert user["examples"]["TheCaller"]["value"] == "me"
        assert alice_client.get("/api/v1/coverage/availability/me/").json()["user"]["username"] == "alice"


class TestOutOfRangeInstants:
    """An instant the date-time format allows but Python cannot convert (year 1 at +23:59 is before
    year 1 in UTC) was a 500 (OverflowError); it is out of range, like any year outside 1900-8999."""

    def test_coverage_instant(self, alice_client):
        response = alice_client.get("/api/v1/coverage/current/", {"at": "0001-01-01T00:00:00+23:59"})
        assert error_attrs(response) == {"at": "out_of_range"}

    def test_coverage_years_match_the_absences(self, alice_client):
        """1900 to 8999, as absences store them (coverage allowed 9000)."""
        assert alice_client.get("/api/v1/coverage/current/", {"at": "8999-12-31T23:00:00Z"}).status_code == 200
        response = alice_client.get("/api/v1/coverage/current/", {"at": "9000-01-01T00:00:00Z"})
        assert error_attrs(response) == {"at": "out_of_range"}

    def test_absence_bounds(self, alice_client):
        response = alice_client.post(
            "/api/v1/absences/",
            {"type": "vacation", "start_at": "0001-01-01T00:00:00+01:00", "end_at": "2026-01-01T00:00:00Z"},
            format="json",
        )
        assert error_attrs(response) == {"start_at": "out_of_range"}


class TestTeamStaffingRules:
    """ST202: ``start=2000-01-01&end=3643-04-19`` (both schema-valid dates) was a 400 ``invalid``,
    indistinguishable from a malformed date. Rules between the two fields have codes of their own."""

    @pytest.fixture
    def team_url(self, user):
        return f"/api/v1/teams/{TeamFactory(members=[user]).pk}/staffing/"

    @pytest.mark.parametrize(
        ("start", "end", "attr", "code"),
        [
            ("2000-01-01", "3643-04-19", "end", "max_window"),
            ("2026-10-01", "2027-01-01", "end", "max_window"),
            ("2026-12-21", "2026-12-20", "end", "end_before_start"),
            ("1899-12-31", "1900-01-01", "start", "out_of_range"),
            ("2026-12-21", "9000-01-01", "end", "out_of_range"),
        ],
    )
    def test_cross_field_and_range_rules(self, alice_client, team_url, start, end, attr, code):
        assert error_attrs(alice_client.get(team_url, {"start": start, "end": end})) == {attr: code}

    def test_92_days_still_allowed(self, alice_client, team_url):
        response = alice_client.get(team_url, {"start": "2026-10-01", "end": "2026-12-31"})
        assert response.status_code == 200
        assert len(response.json()) == 92


class TestEventSearchBounds:
    """ST202: ``start``/``end`` were documented as any string, so ``"0"`` was schema-valid but refused.
    The schema now says date or date-time; documenting them showed that a year-1 date was a 500
    (a day's margin before it overflowed), so years outside 1900-8999 are out of range."""

    URL = "/api/v1/events/search/"

    def test_schema_says_date_or_date_time(self, schema):
        properties = schema["components"]["schemas"]["EventSearchRequest"]["properties"]
        for name in ("start", "end"):
            assert properties[name]["anyOf"] == [
                {"type": "string", "format": "date"},
                {"type": "string", "format": "date-time"},
            ]
        assert properties["start_ms"]["minimum"] == -2208988800000  # 1900-01-01T00:00:00Z
        assert properties["end_ms"]["maximum"] == 221845391999999  # 8999-12-31T23:59:59.999Z

    @pytest.mark.parametrize(
        ("body", "attr", "code"),
        [
            ({"start": "0", "end": "2026-01-02"}, "start", "invalid"),
            ({"start": "0001-01-01", "end": "0001-01-02"}, "start", "out_of_range"),
            ({"start": "2026-01-01", "end": "9999-12-31T23:00:00-23:59"}, "end", "out_of_range"),
            ({"start_ms": -2208988800001, "end": "2026-01-02"}, "start_ms", "min_value"),
            ({"start": "2026-01-01", "end_ms": 221845392000000}, "end_ms", "max_value"),
        ],
    )
    def test_bad_bounds_are_400s(self, alice_client, body, attr, code):
        assert error_attrs(alice_client.post(self.URL, body, format="json")) == {attr: code}

    @pytest.mark.parametrize(
        "body",
        [
            {"start": "2026-01-01", "end": "2026-01-02T00:00:00.123456789Z"},
            {"start_ms": -2208988800000, "end": "1900-01-02"},
        ],
    )
    def test_valid_bounds_are_searched(self, alice_client, body):
        response = alice_client.post(self.URL, body, format="json")
        assert response.status_code == 200, response.content
        assert response.json() == {"events": []}


def test_creates_link_to_the_operations_on_what_they_created(schema):
    """Schemathesis' stateful phase had no transitions (no links, no Location headers), and every
    generated event id was a 404: each create now links to the operations on its object."""
    links = schema["paths"]["/api/v1/calendars/"]["post"]["responses"]["201"]["links"]
    assert links["v1_calendars_events_create"]["parameters"] == {"calendar_pk": "$response.body#/id"}
    assert links["v1_calendars_destroy"]["parameters"] == {"id": "$response.body#/id"}
    events = schema["paths"]["/api/v1/calendars/{calendar_pk}/events/"]["post"]["responses"]["201"]["links"]
    assert events["v1_calendars_events_partial_update"]["parameters"] == {
        "id": "$response.body#/id",
        "calendar_pk": "$request.path.calendar_pk",
    }
    types = schema["paths"]["/api/v1/absence-types/"]["post"]["responses"]["201"]["links"]
    assert types["v1_absence_types_retrieve"]["parameters"] == {"key": "$response.body#/key"}


class TestChangesCursor:
    """ST202: ``?cursor=\\x0f\\xfd…`` (any string, as the schema said) was a 400 ``invalid``. The
    schema now gives the shape (base64url, as ``next_cursor`` is written); a well-formed cursor this
    feed never issued names nothing (``unknown``), which OpenAPI cannot express."""

    URL = "/api/v1/absences/changes/"

    def test_schema_gives_the_shape(self, schema):
        cursor = parameter(schema["paths"][self.URL]["get"], "cursor")
        assert cursor["schema"] == {"type": "string", "pattern": "^[A-Za-z0-9_-]*$"}

    @pytest.mark.parametrize("cursor", ["\\x0f\\xfdg", "bm90 aXNzdWVk", " MTI", "MTI\\n"])
    def test_malformed_cursor_is_invalid(self, alice_client, cursor):
        assert error_attrs(alice_client.get(self.URL, {"cursor": cursor})) == {"cursor": "invalid"}

    @pytest.mark.parametrize("cursor", ["bm90LWlzc3VlZA", "A", encode_cursor(10**6)])
    def test_well_formed_cursor_never_issued_is_unknown(self, alice_client, cursor):
        assert error_attrs(alice_client.get(self.URL, {"cursor": cursor})) == {"cursor": "unknown"}

    def test_an_issued_cursor_and_the_empty_one_work(self, alice_client):
        first = alice_client.get(self.URL, {"cursor": ""})
        assert first.status_code == 200
        again = alice_client.get(self.URL, {"cursor": first.json()["next_cursor"]})
        assert again.status_code == 200
        assert again.json()["changes"] == []


class TestDateTimeFilterOffsets:
    """ST101: ``GET /calendars/{pk}/events/?end_at__gt=0457-06-18T09:14:23-20:09`` was a 500:
    PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 (and the schema's date-time) allow.
    Filter instants are compared in UTC."""

    @pytest.fixture
    def events_url(self):
        return f"/api/v1/calendars/{CalendarFactory(is_public=True).pk}/events/"

    @pytest.mark.parametrize("moment", ["0457-06-18T09:14:23-20:09", "2026-03-02T09:00:00+23:59"])
    def test_event_filter_with_a_large_offset(self, staff_client, events_url, moment):
        response = staff_client.get(events_url, {"end_at__gt": moment})
        assert response.status_code == 200, response.content
        assert response.json()["results"] == []

    def test_event_filter_before_year_one_in_utc(self, staff_client, events_url):
        response = staff_client.get(events_url, {"start_at__lt": "0001-01-01T00:00:00+23:59"})
        assert error_attrs(response) == {"start_at__lt": "out_of_range"}

    def test_absence_filter_with_a_large_offset(self, alice_client):
        response = alice_client.get("/api/v1/absences/", {"start_at__lt": "2026-03-02T09:00:00-20:09"})
        assert response.status_code == 200, response.content
        assert response.json()["results"] == []
