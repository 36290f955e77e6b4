"""Rules, settings, integrations, home, staffing and calendar pages with the test client."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from absences.services import absence_create
from rules.models import RoutingSettings, Rule
from rules.services import rule_create
from tests.factories import TeamFactory, UserFactory
from tokens.models import APIToken, TokenSettings
from tokens.services import token_create

pytestmark = pytest.mark.django_db

RULE = {
    "name": "Ops",
    "kind": "recurring",
    "projects": "ops",
    "issue_types": "",
    "action": "keep",
    "message": "",
    "enabled": "on",
}


# --- rules -------------------------------------------------------------------------------------


def test_create_rule_and_toggle_it(alice_browser, alice, clock):
    assert alice_browser.post("/rules/new/", RULE).status_code == 302
    rule = Rule.objects.get(user=alice)
    assert (rule.projects, rule.status) == (["OPS"], "active")

    row = alice_browser.post(f"/rules/{rule.pk}/toggle/", HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and "Disabled" in row.content.decode() and "<html" not in row.content.decode()
    rule.refresh_from_db()
    assert rule.enabled is False
    assert alice_browser.post(f"/rules/{rule.pk}/toggle/").status_code == 302  # without htmx: back to the list
    rule.refresh_from_db()
    assert rule.enabled is True


def test_rule_service_errors_are_field_errors(alice_browser, clock):
    response = alice_browser.post("/rules/new/", {**RULE, "action": "reassign", "coverer": ""})
    assert response.status_code == 400
    assert 'id="id_coverer_error">A reassign rule needs a coverer.' in response.content.decode()
    response = alice_browser.post("/rules/new/", {**RULE, "message": "Hi {boss}"})
    assert 'id="id_message_error">Unknown placeholder {boss}' in response.content.decode()
    assert not Rule.objects.exists()


def test_another_users_rule_is_404(alice_browser, bob, clock):
    theirs = rule_create(actor=bob, admin=False, kind="recurring", action="keep")
    for path in [f"/rules/{theirs.pk}/edit/", f"/rules/{theirs.pk}/delete/"]:
        assert alice_browser.get(path).status_code == 404
    assert alice_browser.post(f"/rules/{theirs.pk}/toggle/").status_code == 404
    assert alice_browser.post(f"/rules/{theirs.pk}/delete/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.enabled is True


def test_edit_and_delete_rule(alice_browser, alice, clock):
    rule = rule_create(actor=alice, admin=False, kind="recurring", action="keep", name="Old")
    assert 'value="Old"' in alice_browser.get(f"/rules/{rule.pk}/edit/").content.decode()
    alice_browser.post(f"/rules/{rule.pk}/edit/", {**RULE, "name": "New"})
    rule.refresh_from_db()
    assert rule.name == "New"
    assert alice_browser.post(f"/rules/{rule.pk}/delete/").status_code == 302
    assert not Rule.objects.exists()


# --- settings ----------------------------------------------------------------------------------

SETTINGS = {
    "timezone": "Europe/Berlin",
    "working_days": ["0", "1", "2"],
    "holiday_country": "DE",
    "holiday_subdivision": "BY",
}


def test_settings_save_the_work_schedule(alice_browser, alice):
    assert "Exclusion filter" not in alice_browser.get("/settings/").content.decode()  # default mode
    assert alice_browser.post("/settings/", SETTINGS).status_code == 302
    alice.refresh_from_db()
    assert (str(alice.timezone), alice.working_days, alice.holiday_subdivision) == ("Europe/Berlin", [0, 1, 2], "BY")


def test_settings_unknown_subdivision_is_a_field_error(alice_browser, alice):
    response = alice_browser.post("/settings/", {**SETTINGS, "holiday_subdivision": "XX"})
    assert response.status_code == 400
    assert 'id="id_holiday_subdivision_error">&#x27;XX&#x27; is not a subdivision of DE.' in response.content.decode()
    alice.refresh_from_db()
    assert str(alice.timezone) == "UTC"


def test_exclusion_filter_error_names_its_position_and_saves_nothing(alice_browser, alice):
    routing = RoutingSettings.get_solo()
    routing.exclusion_mode = RoutingSettings.ExclusionMode.USER
    routing.save()

    response = alice_browser.post("/settings/", {**SETTINGS, "exclusion_filter": "project = OPS AND"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "line 1, column 18" in html and 'class="caret"' in html
    alice.refresh_from_db()
    assert str(alice.timezone) == "UTC"  # the schedule change was rolled back with the filter


# --- integrations ------------------------------------------------------------------------------


def test_token_creation_needs_the_setting(alice_browser, alice):
    page = alice_browser.get("/integrations/").content.decode()
    assert "Creating your own tokens is switched off" in page and "/api/v1/me/feed.ics?key=" in page
    assert alice_browser.post("/integrations/", {"name": "x", "scopes": ["read"]}).status_code == 403
    assert not APIToken.objects.exists()


def test_token_plaintext_is_in_the_creating_response_only(alice_browser, alice):
    settings = TokenSettings.get_solo()
    settings.allow_user_tokens = True
    settings.save()

    created = alice_browser.post("/integrations/", {"name": "CI", "scopes": ["read"], "expires_in_days": "30"})
    plaintext = created.context["plaintext"]
    token = APIToken.objects.get(user=alice)
    assert plaintext.startswith(token.prefix) and plaintext in created.content.decode()
    assert created["Cache-Control"] == "no-store"
    later = alice_browser.get("/integrations/").content.decode()
    assert plaintext not in later and token.prefix in later


def test_token_form_errors(alice_browser):
    settings = TokenSettings.get_solo()
    settings.allow_user_tokens = True
    settings.save()
    response = alice_browser.post("/integrations/", {"name": "", "scopes": []})
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode() and 'id="id_scopes_error"' in response.content.decode()


def test_revoking_another_users_token_is_404(alice_browser, bob):
    token, _ = token_create(user=bob, name="theirs", scopes=["read"])
    assert alice_browser.post(f"/integrations/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- home, staffing, calendar ------------------------------------------------------------------


def test_home_shows_away_state_coverer_and_teammates(alice_browser, alice, bob, clock):
    carol = UserFactory(username="carol", first_name="Carol", last_name="King")
    TeamFactory(name="Ops", members=[alice, bob, carol])
    absence_create(user=alice, start_date=dt.date(2026, 11, 17), end_date=dt.date(2026, 11, 19), coverer=bob)
    absence_create(user=carol, start_date=dt.date(2026, 11, 20), end_date=dt.date(2026, 11, 20), type="sickness")
    absence_create(
        user=bob, start_date=dt.date(2026, 11, 18), end_date=dt.date(2026, 11, 18), coverer=alice, title="Dentist"
    )
    absence_create(user=alice, start_date=dt.date(2026, 12, 24), end_date=dt.date(2026, 12, 31), title="Holidays")

    html = alice_browser.get("/").content.decode()
    assert "You are away until" in html and "Fri 20 Nov 2026, 00:00" in html
    assert "<strong>Bob Jones</strong> covers for you." in html
    assert "Bob Jones</li>" in html or "Bob Jones <span" in html  # whom I cover today
    assert "Dentist" in html  # a teammate out today, details visible (not private)
    assert "Carol King</strong> — Away" in html  # private type, I do not lead Carol
    assert "Sickness" not in html
    assert "Holidays" in html  # my next absence


def test_home_when_available(alice_browser, clock):
    html = alice_browser.get("/").content.decode()
    assert "You are available." in html and "None planned." in html


def test_staffing_is_for_members_and_leads_only(alice_browser, alice, bob, clock):
    mine = TeamFactory(name="Mine", members=[alice], min_available=1)
    other = TeamFactory(name="Other", members=[bob])
    assert alice_browser.get(f"/teams/{other.pk}/staffing/").status_code == 404
    assert alice_browser.get(f"/teams/staffing/?team={other.pk}").status_code == 404
    response = alice_browser.get(f"/teams/{mine.pk}/staffing/?start=2026-11-16&end=2026-11-22")
    assert response.status_code == 200 and len(response.context["rows"]) == 7
    assert alice_browser.get("/teams/staffing/")["Location"] == f"/teams/{mine.pk}/staffing/"


def test_staffing_range_errors(alice_browser, alice, clock):
    team = TeamFactory(name="Mine", members=[alice])
    response = alice_browser.get(f"/teams/{team.pk}/staffing/?start=2026-11-16&end=2026-11-10")
    assert response.status_code == 400 and "End must be on or after start." in response.content.decode()


def test_calendar_page_offers_my_teams_and_the_feed(alice_browser, alice, bob):
    TeamFactory(name="Ops", members=[alice, bob])
    TeamFactory(name="Elsewhere", members=[bob])
    response = alice_browser.get("/calendar/")
    html = response.content.decode()
    assert f'data-members="{alice.pk},{bob.pk}"' in html or f'data-members="{bob.pk},{alice.pk}"' in html
    assert "Elsewhere" not in html and "/api/v1/me/feed.ics?key=" in html
    assert "sha256-47DEQpj8HBSa" in response["Content-Security-Policy"]
    assert "sha256-47DEQpj8HBSa" not in alice_browser.get("/absences/")["Content-Security-Policy"]


# --- cost --------------------------------------------------------------------------------------


def _count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/absences/", "/rules/", "/"])
def test_list_pages_cost_the_same_for_3_or_30_rows(alice_browser, alice, bob, clock, path):
    def add(count, offset):
        for n in range(count):
            day = dt.date(2026, 12, 1) + dt.timedelta(days=offset + n)
            absence_create(user=alice, start_date=day, end_date=day, coverer=bob, title=f"A{offset + n}")
            rule_create(
                actor=alice, admin=False, kind="recurring", action="reassign", coverer=bob, name=f"R{offset + n}"
            )

    add(3, 0)
    few = _count_queries(alice_browser, path)
    add(27, 3)
    assert _count_queries(alice_browser, path) == few
