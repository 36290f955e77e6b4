"""Regression tests for what the schemathesis run (.ci/schema) found in the shared API layers and
the people endpoints. Each test names the failure it pins."""

import pytest
import yaml

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


@pytest.fixture
def schema(alice_client):
    response = alice_client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


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

    def test_user_reference_strings_need_a_non_space_character(self, schema, staff_client):
        """ST202 (1000-example run): "\x0b" met ``minLength: 1`` but is refused as blank."""
        request = schema["components"]["schemas"]["TeamRequest"]["properties"]["members"]["items"]
        assert {"type": "string", "pattern": r"\S", "description": "username, email address or `me`"} in request[
            "oneOf"
        ]
        response = staff_client.post("/api/v1/teams/", {"name": "Ops", "members": ["\x0b"]}, format="json")
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
    assert name["pattern"] == r"\S"
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
