"""Routing settings (staff change, everyone reads) and each user's own exclusion filter."""

import pytest

from rules.models import RoutingSettings
from rules.selectors import effective_exclusion, effective_exclusion_filter

URL = "/api/v1/settings/routing/"
ME = "/api/v1/settings/routing/me/"

pytestmark = pytest.mark.django_db

DEFAULTS = {
    "ignore_self_assign": False,
    "allow_coverer_assign_back": False,
    "reply_when_mentioned": False,
    "reply_interval_hours": 24,
    "exclusion_mode": "default",
    "default_exclusion_filter": "",
}


def test_anyone_signed_in_reads_the_defaults(alice_client, api_client):
    body = alice_client.get(URL).json()
    assert {key: body[key] for key in DEFAULTS} == DEFAULTS
    assert api_client.get(URL).status_code in (401, 403)


def test_non_staff_cannot_change(alice_client):
    response = alice_client.patch(URL, {"reply_interval_hours": 2})
    assert response.status_code == 403
    assert response.json()["type"] == "client_error"
    assert RoutingSettings.get_solo().reply_interval_hours == 24


def test_staff_changes_settings(client_for, staff, alice_client):
    response = client_for(staff).patch(
        URL,
        {"reply_interval_hours": 4, "exclusion_mode": "user", "default_exclusion_filter": "project = OPS"},
    )
    assert response.status_code == 200, response.content
    assert alice_client.get(URL).json()["reply_interval_hours"] == 4
    assert RoutingSettings.get_solo().exclusion_mode == "user"


@pytest.mark.parametrize(
    ("payload", "attr", "detail"),
    [
        ({"default_exclusion_filter": "project = abc)"}, "default_exclusion_filter", "line 1, column 14"),
        ({"default_exclusion_filter": "project = a\nAND"}, "default_exclusion_filter", "line 2, column 4"),
        ({"reply_interval_hours": 0}, "reply_interval_hours", "greater than or equal to 1"),
        ({"reply_interval_hours": "soon"}, "reply_interval_hours", "valid integer"),
        ({"exclusion_mode": "team"}, "exclusion_mode", "not a valid choice"),
        ({"ignore_self_assign": "perhaps"}, "ignore_self_assign", "valid boolean"),
    ],
)
def test_invalid_settings_are_400_on_the_field(client_for, staff, payload, attr, detail):
    response = client_for(staff).patch(URL, payload)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["attr"] == attr
    assert detail in error["detail"]
    assert RoutingSettings.get_solo().default_exclusion_filter == ""


def test_my_filter_round_trip_and_validation(alice_client, user):
    assert alice_client.get(ME).json() == {"exclusion_filter": ""}
    text = "labels = private\nOR project in (HR, 'legal')"
    assert alice_client.put(ME, {"exclusion_filter": text}).json() == {"exclusion_filter": text}
    assert alice_client.get(ME).json() == {"exclusion_filter": text}

    bad = alice_client.put(ME, {"exclusion_filter": "labels = private\nOR"})
    assert bad.status_code == 400
    error = bad.json()["errors"][0]
    assert (error["attr"], error["code"]) == ("exclusion_filter", "invalid_filter")
    assert "line 2, column 3" in error["detail"]
    assert alice_client.get(ME).json() == {"exclusion_filter": text}
    missing = alice_client.put(ME, {})
    assert missing.json()["errors"][0]["attr"] == "exclusion_filter"


def test_effective_filter_follows_the_mode(client_for, staff, user, alice_client):
    client_for(staff).patch(URL, {"default_exclusion_filter": "project = OPS"})
    alice_client.put(ME, {"exclusion_filter": "labels = mine"})
    assert effective_exclusion_filter(user) == "project = OPS"
    assert effective_exclusion(user).matches({"project": "ops"})
    client_for(staff).patch(URL, {"exclusion_mode": "user"})
    assert effective_exclusion_filter(user) == "labels = mine"
    assert effective_exclusion(user).matches({"labels": ["MINE"]})
    assert effective_exclusion_filter(staff) == ""
    assert not effective_exclusion(staff).matches({"project": "OPS"})


def test_schema_documents_rules_and_settings(alice_client):
    schema = alice_client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/rules/{id}/", "/api/v1/settings/routing/", "/api/v1/settings/routing/me/"):
        assert path in schema
    assert "by_admin" in schema
