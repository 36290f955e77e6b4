"""GET/POST /api/v1/tokens/, GET/DELETE /api/v1/tokens/{id}/ and /api/v1/settings/tokens/."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.tokens.conftest import bearer
from tests.tokens.factories import APITokenFactory
from tokens.models import APIToken, TokenSettings

pytestmark = pytest.mark.django_db


def _errors(response, status):
    assert response.status_code == status, response.content
    return response.json()["errors"]


class TestCreate:
    def test_users_may_not_create_their_own_by_default(self, client_for, user):
        response = client_for(user).post("/api/v1/tokens/", {"name": "ci", "scopes": ["read"]}, format="json")
        assert "allow_user_tokens" in _errors(response, 403)[0]["detail"]
        assert not APIToken.objects.filter(name="ci").exists()

    def test_with_the_setting_on_a_user_creates_their_own(self, client_for, user, allow_user_tokens):
        response = client_for(user).post("/api/v1/tokens/", {"name": "ci", "scopes": ["read"]}, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["user"]["username"] == "alice" and body["created_by"]["username"] == "alice"
        assert body["token"].startswith(body["prefix"] + "_") and body["scopes"] == ["read"]
        assert body["revoked_at"] is None and body["rate_limit_per_hour"] is None and body["calendars"] == []
        # The new token works, and the plaintext never appears again.
        listed = bearer(body["token"]).get("/api/v1/tokens/").json()["results"]
        assert {t["name"] for t in listed} == {"ci", "test client"}
        assert all("token" not in t for t in listed)
        assert "token" not in bearer(body["token"]).get(f"/api/v1/tokens/{body['id']}/").json()

    def test_staff_with_admin_token_creates_for_anyone(self, client_for, staff, user):
        response = client_for(staff).post(
            "/api/v1/tokens/", {"name": "sync", "scopes": ["read", "write"], "user": "alice"}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["user"]["username"] == "alice"
        assert response.json()["created_by"]["username"] == "root"
        assert bearer(response.json()["token"]).get("/api/v1/work-schedules/me/").json()["timezone"] == "Europe/Berlin"

    def test_users_may_not_create_for_others(self, client_for, user, other, allow_user_tokens):
        response = client_for(user).post(
            "/api/v1/tokens/", {"name": "x", "scopes": ["read"], "user": "bob"}, format="json"
        )
        _errors(response, 403)
        assert not other.api_tokens.exists()

    def test_a_token_cannot_mint_scopes_it_lacks(self, client_for, staff, user):
        client = client_for(staff, scopes=["read", "write", "admin"])
        response = client.post(
            "/api/v1/tokens/", {"name": "x", "scopes": ["read", "delete"], "user": "alice"}, format="json"
        )
        assert "delete" in _errors(response, 403)[0]["detail"]
        assert not user.api_tokens.exists()

    def test_a_user_token_cannot_mint_admin_or_more(self, client_for, user, allow_user_tokens):
        client = client_for(user, scopes=["read", "write"])
        response = client.post("/api/v1/tokens/", {"name": "x", "scopes": ["read", "delete"]}, format="json")
        _errors(response, 403)
        response = client.post("/api/v1/tokens/", {"name": "x", "scopes": ["read"]}, format="json")
        assert response.status_code == 201

    def test_admin_scope_only_for_staff(self, client_for, staff, user):
        response = client_for(staff).post(
            "/api/v1/tokens/", {"name": "x", "scopes": ["read", "admin"], "user": "alice"}, format="json"
        )
        error = _errors(response, 400)[0]
        assert error["attr"] == "scopes" and error["code"] == "not_staff"

    def test_only_staff_set_a_rate_limit(self, client_for, user, staff, allow_user_tokens):
        payload = {"name": "x", "scopes": ["read"], "rate_limit_per_hour": 50}
        _errors(client_for(user).post("/api/v1/tokens/", payload, format="json"), 403)
        response = client_for(staff).post("/api/v1/tokens/", {**payload, "user": "alice"}, format="json")
        assert response.status_code == 201 and response.json()["rate_limit_per_hour"] == 50

    @pytest.mark.parametrize(
        ("payload", "attr"),
        [
            ({"scopes": ["read"]}, "name"),
            ({"name": "x"}, "scopes"),
            ({"name": "x", "scopes": []}, "scopes"),
            ({"name": "x", "scopes": ["root"]}, "scopes.0"),
            ({"name": "x", "scopes": ["read"], "user": "nobody"}, "user"),
            ({"name": "x", "scopes": ["read"], "calendars": [1]}, "calendars"),
            ({"name": "x", "scopes": ["read"], "calendars": ["a"]}, "calendars.0"),
            ({"name": "x", "scopes": ["read"], "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
            ({"name": "x", "scopes": ["read"], "rate_limit_per_hour": 0}, "rate_limit_per_hour"),
            ({"name": "x" * 101, "scopes": ["read"]}, "name"),
        ],
    )
    def test_bad_input_is_400_on_its_field(self, client_for, staff, payload, attr):
        errors = _errors(client_for(staff).post("/api/v1/tokens/", payload, format="json"), 400)
        assert attr in [error["attr"] for error in errors], errors
        assert APIToken.objects.count() == 1  # only the client's own token

    def test_naive_expiry_is_read_in_the_owners_zone(self, client_for, user, staff):
        response = client_for(staff).post(
            "/api/v1/tokens/",
            {"name": "x", "scopes": ["read"], "user": "alice", "expires_at": "2099-01-01T12:00:00"},
            format="json",
        )
        assert response.json()["expires_at"] == "2099-01-01T11:00:00Z"  # Europe/Berlin, winter


class TestListAndRevoke:
    def test_users_see_their_own_admins_see_all(self, client_for, user, other, staff):
        APITokenFactory(user=other, name="bob's")
        mine = client_for(user).get("/api/v1/tokens/").json()
        assert [t["user"]["username"] for t in mine["results"]] == ["alice"]
        everyone = client_for(staff).get("/api/v1/tokens/?sort=name").json()
        assert {t["user"]["username"] for t in everyone["results"]} == {"alice", "bob", "root"}
        only_bob = client_for(staff).get("/api/v1/tokens/?user=bob").json()
        assert [t["name"] for t in only_bob["results"]] == ["bob's"]

    def test_others_tokens_are_404(self, client_for, user, other):
        token = APITokenFactory(user=other)
        client = client_for(user)
        assert client.get(f"/api/v1/tokens/{token.pk}/").status_code == 404
        assert client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_delete_revokes_and_keeps_the_record(self, client_for, user):
        token = APITokenFactory(user=user)
        client = client_for(user)
        assert bearer(token.plaintext).get("/api/v1/users/").status_code == 200
        assert client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
        body = client.get(f"/api/v1/tokens/{token.pk}/").json()
        assert body["revoked_at"] is not None
        assert bearer(token.plaintext).get("/api/v1/users/").status_code == 401
        assert client.get("/api/v1/tokens/?revoked=true").json()["count"] == 1
        assert token.history.filter(revoked_at__isnull=False).exists()  # the audit trail

    def test_admin_revokes_anyones(self, client_for, staff, other):
        token = APITokenFactory(user=other)
        assert client_for(staff).delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
        assert bearer(token.plaintext).get("/api/v1/users/").status_code == 401

    def test_list_query_count_is_flat(self, client_for, staff, django_assert_max_num_queries):
        client = client_for(staff)
        for _ in range(15):
            APITokenFactory(user=UserFactory())
        with django_assert_max_num_queries(3):
            assert client.get("/api/v1/tokens/?page_size=500").json()["count"] == 16


class TestSettings:
    def test_anyone_reads_staff_change(self, client_for, user, staff):
        assert client_for(user).get("/api/v1/settings/tokens/").json() == {
            "allow_user_tokens": False,
            "default_rate_limit_per_hour": 1000,
        }
        response = client_for(user).patch("/api/v1/settings/tokens/", {"allow_user_tokens": True}, format="json")
        _errors(response, 403)
        response = client_for(staff).patch(
            "/api/v1/settings/tokens/", {"allow_user_tokens": True, "default_rate_limit_per_hour": 5}, format="json"
        )
        assert response.json() == {"allow_user_tokens": True, "default_rate_limit_per_hour": 5}
        assert TokenSettings.get_solo().allow_user_tokens

    def test_bad_limit_is_400(self, client_for, staff):
        response = client_for(staff).patch(
            "/api/v1/settings/tokens/", {"default_rate_limit_per_hour": 0}, format="json"
        )
        assert _errors(response, 400)[0]["attr"] == "default_rate_limit_per_hour"

    def test_put_is_not_offered(self, client_for, staff):
        assert client_for(staff).put("/api/v1/settings/tokens/", {}, format="json").status_code == 405


def test_expired_tokens_are_listed_as_such(client_for, user):
    token = APITokenFactory(user=user, expires_at=timezone.now() + dt.timedelta(days=1))
    body = client_for(user).get(f"/api/v1/tokens/{token.pk}/").json()
    assert body["expires_at"] is not None and body["prefix"] == token.prefix
