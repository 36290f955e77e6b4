"""The token and settings console in the Django admin (driven with the Django test client)."""

import re

import pytest

from tests.factories import UserFactory
from tests.tokens.conftest import bearer
from tests.tokens.factories import APITokenFactory
from tokens.models import APIToken, TokenSettings

pytestmark = pytest.mark.django_db
TOKEN_RE = re.compile(r"stn_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{32,}")


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def _add(admin_client, **overrides):
    data = {
        "name": "CRM sync",
        "user": overrides.pop("user").pk,
        "scopes": ["read", "write"],
        "calendars": "",
        "expires_at_0": "",
        "expires_at_1": "",
        "rate_limit_per_hour": "",
        **overrides,
    }
    return admin_client.post("/admin/tokens/apitoken/add/", data, follow=True)


def test_creating_shows_the_plaintext_exactly_once(admin_client, user):
    form = admin_client.get("/admin/tokens/apitoken/add/").content.decode()
    assert 'name="scopes"' in form and 'name="calendars"' in form and 'name="rate_limit_per_hour"' in form
    response = _add(admin_client, user=user)
    assert response.status_code == 200
    shown = TOKEN_RE.findall(response.content.decode())
    assert len(shown) == 1
    token = APIToken.objects.get(name="CRM sync")
    assert token.user == user and token.scopes == ["read", "write"] and token.created_by.username == "admin"
    assert shown[0].startswith(token.prefix + "_")
    assert bearer(shown[0]).get("/api/v1/work-schedules/me/").status_code == 200  # it is the real token
    for page in (response.redirect_chain[-1][0], f"/admin/tokens/apitoken/{token.pk}/change/"):
        again = admin_client.get(page).content.decode()
        assert not TOKEN_RE.search(again) and token.prefix in again


def test_admin_scope_for_a_non_staff_user_is_a_form_error(admin_client, user):
    response = _add(admin_client, user=user, scopes=["read", "admin"])
    assert "The admin scope is only for staff users." in response.content.decode()
    assert not APIToken.objects.filter(name="CRM sync").exists()


def test_an_inactive_user_gets_no_token(admin_client, user):
    user.is_active = False
    user.save()
    response = _add(admin_client, user=user)
    assert "Tokens are only for active users." in response.content.decode()
    assert not APIToken.objects.exists()


def test_bad_calendar_list_is_a_form_error(admin_client, user):
    response = _add(admin_client, user=user, calendars="1, x")
    assert "Give calendar ids separated by commas." in response.content.decode()
    assert not APIToken.objects.exists()


def test_list_columns_search_and_filters(admin_client, user, other):
    mine = APITokenFactory(user=user, name="alpha", scopes=["read", "write"])
    APITokenFactory(user=other, name="beta")
    page = admin_client.get("/admin/tokens/apitoken/?q=alice").content.decode()
    assert mine.prefix in page and "read, write" in page and "beta" not in page
    revoked = admin_client.get("/admin/tokens/apitoken/?revoked_at__isempty=0").content.decode()
    assert "alpha" not in revoked


def test_revoke_action(admin_client, user):
    token = APITokenFactory(user=user)
    response = admin_client.post(
        "/admin/tokens/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert "Revoked 1 token(s)" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(token.plaintext).get("/api/v1/users/").status_code == 401


def test_token_history_page(admin_client, user):
    token = APITokenFactory(user=user)
    assert admin_client.get(f"/admin/tokens/apitoken/{token.pk}/history/").status_code == 200


def test_settings_are_a_singleton(admin_client):
    page = admin_client.get("/admin/tokens/tokensettings/")
    assert page.status_code == 200 and "allow_user_tokens" in page.content.decode()
    admin_client.post(
        "/admin/tokens/tokensettings/", {"allow_user_tokens": "on", "default_rate_limit_per_hour": "250"}, follow=True
    )
    settings = TokenSettings.get_solo()
    assert settings.allow_user_tokens and settings.default_rate_limit_per_hour == 250
