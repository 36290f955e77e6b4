"""The audit trail: who changed which absence, rule, token and setting, through the API with a
bearer token (not only sessions), visible in the admin's history pages."""

import datetime as dt

import pytest
from django.urls import reverse

from absences.models import Absence
from rules.models import RoutingSettings, Rule
from tests.factories import UserFactory
from tokens.models import APIToken, TokenSettings

pytestmark = pytest.mark.django_db

WINDOW = {"start_at": "2026-12-01T09:00:00Z", "end_at": "2026-12-03T17:00:00Z"}


def last_change(model, pk):
    return model.history.filter(id=pk).order_by("-history_date", "-history_id").first()


def test_absence_create_change_delete_record_the_token_user(client_for, user):
    client = client_for(user)
    created = client.post("/api/v1/absences/", {"title": "Alps", **WINDOW}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.patch(f"/api/v1/absences/{pk}/", {"title": "Dolomites"}, format="json").status_code == 200
    assert client.delete(f"/api/v1/absences/{pk}/").status_code == 204

    records = list(Absence.history.filter(id=pk).order_by("history_date", "history_id"))
    assert [(r.history_type, r.title) for r in records] == [("+", "Alps"), ("~", "Dolomites"), ("-", "Dolomites")]
    assert {r.history_user for r in records} == {user}


def test_rule_changes_record_the_admin_who_made_them(client_for, user, staff):
    admin = client_for(staff)
    created = admin.post(
        "/api/v1/rules/",
        {"user": user.username, "name": "Hand over", "kind": "one_time", "action": "keep", **WINDOW},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert admin.patch(f"/api/v1/rules/{pk}/", {"enabled": False}, format="json").status_code == 200

    change = last_change(Rule, pk)
    assert (change.history_type, change.enabled, change.history_user) == ("~", False, staff)
    assert change.user == user  # the rule is alice's; the record says root changed it


def test_token_creation_and_revocation_are_recorded_with_their_actor(client_for, user, staff):
    admin = client_for(staff)
    created = admin.post("/api/v1/tokens/", {"user": user.username, "name": "ci", "scopes": ["read"]}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert admin.delete(f"/api/v1/tokens/{pk}/").status_code == 204

    records = list(APIToken.history.filter(id=pk).order_by("history_date", "history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[-1].revoked_at is not None
    assert {r.history_user for r in records} == {staff}
    # The secret's hash never lands in the history table.
    assert not hasattr(records[0], "secret_hash")


def test_settings_changes_record_who_made_them(client_for, staff):
    admin = client_for(staff)
    assert admin.patch("/api/v1/settings/routing/", {"reply_interval_hours": 6}, format="json").status_code == 200
    assert admin.patch("/api/v1/settings/tokens/", {"allow_user_tokens": True}, format="json").status_code == 200

    routing = RoutingSettings.history.order_by("-history_date", "-history_id").first()
    tokens = TokenSettings.history.order_by("-history_date", "-history_id").first()
    assert (routing.reply_interval_hours, routing.history_user) == (6, staff)
    assert (tokens.allow_user_tokens, tokens.history_user) == (True, staff)


@pytest.fixture
def admin_browser(client, db):
    superuser = UserFactory(username="auditor", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return client


def test_every_audited_model_shows_its_history_in_the_admin(admin_browser, client_for, user, staff):
    api = client_for(staff)
    absence = api.post("/api/v1/absences/", {"user": user.username, "title": "Audit-me", **WINDOW}, format="json")
    rule = api.post(
        "/api/v1/rules/", {"name": "Audit-rule", "kind": "one_time", "action": "keep", **WINDOW}, format="json"
    )
    token = api.post("/api/v1/tokens/", {"user": user.username, "name": "ci", "scopes": ["read"]}, format="json")
    api.patch("/api/v1/settings/routing/", {"reply_interval_hours": 7}, format="json")
    api.patch("/api/v1/settings/tokens/", {"default_rate_limit_per_hour": 1234}, format="json")
    pages = {
        "absence": reverse("admin:absences_absence_history", args=[absence.json()["id"]]),
        "rule": reverse("admin:rules_rule_history", args=[rule.json()["id"]]),
        "token": reverse("admin:tokens_apitoken_history", args=[token.json()["id"]]),
        "routing settings": "/admin/rules/routingsettings/history/",
        "token settings": "/admin/tokens/tokensettings/history/",
    }
    for name, url in pages.items():
        response = admin_browser.get(url)
        assert response.status_code == 200, (name, response.status_code)
        body = response.content.decode()
        # simple_history's page lists each record with its author; Django's own page does not.
        assert "simple_history" in " ".join(t.name for t in response.templates), name
        assert "Sam Staff" in body, name  # the admin who changed it through the API


def test_history_record_is_tied_to_its_moment(client_for, user, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 2, 8, tzinfo=dt.UTC), tick=False)
    client = client_for(user)
    pk = client.post("/api/v1/absences/", {"title": "Then", **WINDOW}, format="json").json()["id"]
    assert last_change(Absence, pk).history_date == dt.datetime(2026, 11, 2, 8, tzinfo=dt.UTC)
