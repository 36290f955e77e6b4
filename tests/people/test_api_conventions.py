"""SPEC §2 conventions, exercised through the people endpoints."""

import datetime as dt

import pytest
from rest_framework import serializers

from config.api.fields import LocalDateTimeField, UserRefField
from config.api.serializers import Serializer
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def assert_error(response, status, type_, attr=None, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["type"] == type_
    assert body["errors"], body
    if attr is not None:
        assert attr in [e["attr"] for e in body["errors"]], body
    if code is not None:
        assert code in [e["code"] for e in body["errors"]], body
    return body


class TestErrorShape:
    def test_unauthenticated_is_401_with_bearer_challenge(self, api_client):
        response = api_client.get("/api/v1/users/")
        body = assert_error(response, 401, "client_error", code="not_authenticated")
        assert body["errors"][0]["attr"] is None
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_unknown_api_path_is_json_404(self, alice_client):
        assert_error(alice_client.get("/api/v1/nope/"), 404, "client_error", code="not_found")
        assert_error(alice_client.delete("/api/nothing-here"), 404, "client_error")

    def test_method_not_allowed_is_405(self, alice_client):
        assert_error(alice_client.delete("/api/v1/users/"), 405, "client_error", code="method_not_allowed")

    def test_malformed_json_is_400_validation_error(self, alice_client, staff, client_for):
        response = client_for(staff).post("/api/v1/teams/", data="{not json", content_type="application/json")
        assert_error(response, 400, "validation_error", code="parse_error")

    def test_forbidden_is_403(self, alice_client):
        assert_error(alice_client.post("/api/v1/teams/", {"name": "X"}, format="json"), 403, "client_error")

    def test_validation_error_names_its_attr(self, client_for, staff):
        response = client_for(staff).post("/api/v1/teams/", {"name": "", "min_available": -1}, format="json")
        body = assert_error(response, 400, "validation_error")
        assert {e["attr"] for e in body["errors"]} == {"name", "min_available"}


class TestPagination:
    def test_default_page_and_next_link(self, alice_client):
        UserFactory.create_batch(60)
        body = alice_client.get("/api/v1/users/").json()
        assert body["count"] == 61
        assert len(body["results"]) == 50
        assert body["next"].endswith("page=2")
        assert body["previous"] is None
        second = alice_client.get("/api/v1/users/?page=2").json()
        assert len(second["results"]) == 11

    @pytest.mark.parametrize("size,expected", [(1, 1), (500, 6)])
    def test_page_size_bounds_accepted(self, alice_client, size, expected):
        UserFactory.create_batch(5)
        assert len(alice_client.get(f"/api/v1/users/?page_size={size}").json()["results"]) == expected

    @pytest.mark.parametrize(
        "query,attr",
        [
            ("page_size=501", "page_size"),
            ("page_size=0", "page_size"),
            ("page_size=x", "page_size"),
            ("page=0", "page"),
            ("page=abc", "page"),
        ],
    )
    def test_bad_paging_is_400(self, alice_client, query, attr):
        assert_error(alice_client.get(f"/api/v1/users/?{query}"), 400, "validation_error", attr=attr)

    def test_page_past_the_end_is_404(self, alice_client):
        assert_error(alice_client.get("/api/v1/users/?page=9"), 404, "client_error")


class TestSortAndFields:
    def test_sort_ascending_and_descending(self, alice_client):
        UserFactory(username="zed")
        UserFactory(username="abe")
        names = [u["username"] for u in alice_client.get("/api/v1/users/?sort=-username").json()["results"]]
        assert names == ["zed", "alice", "abe"]
        names = [u["username"] for u in alice_client.get("/api/v1/users/?sort=username").json()["results"]]
        assert names == ["abe", "alice", "zed"]

    def test_unknown_sort_field_is_400(self, alice_client):
        body = assert_error(alice_client.get("/api/v1/users/?sort=password"), 400, "validation_error", attr="sort")
        assert "password" in body["errors"][0]["detail"]

    def test_fields_selects_keys_in_lists_and_single_objects(self, alice_client, user):
        row = alice_client.get("/api/v1/users/?fields=id,username").json()["results"][0]
        assert set(row) == {"id", "username"}
        single = alice_client.get(f"/api/v1/users/{user.pk}/?fields=email").json()
        assert single == {"email": "alice@example.com"}

    def test_unknown_field_is_400(self, alice_client, user):
        assert_error(alice_client.get("/api/v1/users/?fields=id,secret"), 400, "validation_error", attr="fields")
        assert_error(alice_client.get(f"/api/v1/users/{user.pk}/?fields=nope"), 400, "validation_error", attr="fields")


class TestUserReferences:
    @pytest.mark.parametrize("ref", ["id", "username", "email", "EMAIL"])
    def test_members_by_id_username_or_email(self, client_for, staff, other, ref):
        value = {"id": other.pk, "username": "bob", "email": "bob@example.com", "EMAIL": "BOB@example.com"}[ref]
        response = client_for(staff).post("/api/v1/teams/", {"name": "Ops", "members": [value]}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["members"] == [
            {"id": other.pk, "username": "bob", "email": "bob@example.com", "name": "Bob Jones"}
        ]

    @pytest.mark.parametrize("value", ["ghost", "ghost@example.com", 999999, "inactive", True, ""])
    def test_unknown_or_inactive_user_is_400_on_the_field(self, client_for, staff, value):
        UserFactory(username="inactive", is_active=False)
        response = client_for(staff).post("/api/v1/teams/", {"name": "Ops", "leads": [value]}, format="json")
        assert_error(response, 400, "validation_error", attr="leads.0")

    def test_user_in_path_by_username_email_id_and_me(self, alice_client, user):
        for ref in ["alice", "alice@example.com", str(user.pk), "me"]:
            response = alice_client.get(f"/api/v1/work-schedules/{ref}/")
            assert response.status_code == 200, ref
            assert response.json()["user"]["username"] == "alice"


class _Probe(Serializer):
    user = UserRefField(required=False)
    at = LocalDateTimeField()


class TestDatetimes:
    def test_naive_input_is_read_in_the_subject_users_zone(self, user, other):
        # alice works in Europe/Berlin: 09:00 local in January is 08:00 UTC.
        probe = _Probe(data={"user": "alice", "at": "2026-01-15T09:00:00"})
        assert probe.is_valid(), probe.errors
        assert probe.validated_data["at"] == dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.UTC)
        # In July (CEST) the same wall time is 07:00 UTC.
        probe = _Probe(data={"user": "alice", "at": "2026-07-15T09:00:00"})
        assert probe.is_valid()
        assert probe.validated_data["at"] == dt.datetime(2026, 7, 15, 7, 0, tzinfo=dt.UTC)

    def test_offsets_are_respected_and_output_is_utc_z(self, user):
        probe = _Probe(data={"user": "alice", "at": "2026-01-15T09:00:00-05:00"})
        assert probe.is_valid()
        assert probe.validated_data["at"] == dt.datetime(2026, 1, 15, 14, 0, tzinfo=dt.UTC)
        assert _Probe(probe.validated_data).data["at"] == "2026-01-15T14:00:00Z"

    def test_naive_without_subject_is_utc(self, db):
        probe = _Probe(data={"at": "2026-01-15T09:00:00"})
        assert probe.is_valid()
        assert probe.validated_data["at"] == dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC)

    def test_invalid_datetime_is_a_field_error(self, db):
        probe = _Probe(data={"at": "yesterday"})
        assert not probe.is_valid()
        assert "at" in probe.errors


class TestETags:
    def test_etag_changes_with_the_object_and_stale_if_match_is_412(self, alice_client, user):
        first = alice_client.get("/api/v1/work-schedules/me/")
        etag = first["ETag"]
        assert etag.startswith('"')
        ok = alice_client.patch(
            "/api/v1/work-schedules/me/", {"working_days": [0, 1, 2]}, format="json", HTTP_IF_MATCH=etag
        )
        assert ok.status_code == 200
        assert ok["ETag"] != etag
        stale = alice_client.patch(
            "/api/v1/work-schedules/me/", {"working_days": [4]}, format="json", HTTP_IF_MATCH=etag
        )
        assert_error(stale, 412, "client_error", code="precondition_failed")
        user.refresh_from_db()
        assert user.working_days == [0, 1, 2]

    def test_without_if_match_last_write_wins(self, alice_client, user):
        alice_client.patch("/api/v1/work-schedules/me/", {"working_days": [1]}, format="json")
        alice_client.patch("/api/v1/work-schedules/me/", {"working_days": [2]}, format="json")
        user.refresh_from_db()
        assert user.working_days == [2]

    def test_stale_if_match_on_delete_keeps_the_object(self, client_for, staff):
        team = TeamFactory(name="Keep")
        client = client_for(staff)
        etag = client.get(f"/api/v1/teams/{team.pk}/")["ETag"]
        client.patch(f"/api/v1/teams/{team.pk}/", {"min_available": 2}, format="json")
        assert client.delete(f"/api/v1/teams/{team.pk}/", HTTP_IF_MATCH=etag).status_code == 412
        fresh = client.get(f"/api/v1/teams/{team.pk}/")["ETag"]
        assert client.delete(f"/api/v1/teams/{team.pk}/", HTTP_IF_MATCH=fresh).status_code == 204


class TestSchema:
    def test_schema_and_swagger_are_served_offline(self, alice_client):
        schema = alice_client.get("/api/schema/?format=json")
        assert schema.status_code == 200
        paths = schema.json()["paths"]
        assert "/api/v1/users/" in paths and "/api/v1/teams/{id}/" in paths
        params = {p["name"] for p in paths["/api/v1/users/"]["get"]["parameters"]}
        assert {"page", "page_size", "sort", "fields", "search"} <= params
        assert "412" in paths["/api/v1/teams/{id}/"]["patch"]["responses"]
        docs = alice_client.get("/api/docs/")
        assert docs.status_code == 200
        assert b"https://" not in docs.content.replace(b"https://swagger.io", b"")


def test_serializer_module_is_usable_standalone():
    assert issubclass(_Probe, serializers.Serializer)
