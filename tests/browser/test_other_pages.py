"""Rules, integrations, settings and staffing pages in Chromium."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from absences.services import absence_create
from rules.models import RoutingSettings, Rule
from tests.browser.seeding import seed_absence_types
from tests.factories import TeamFactory, UserFactory
from tokens.models import APIToken, TokenSettings

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _types(db):
    seed_absence_types()


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", first_name="Alice", last_name="Smith")


def test_create_a_rule_then_disable_it_in_place(signed_in_page, alice, screenshot):
    UserFactory(username="bob", first_name="Bob", last_name="Jones")
    page = signed_in_page(alice)
    page.get_by_role("link", name="My rules").click()
    page.get_by_role("link", name="New rule").click()

    page.get_by_label("Name").fill("Ops tickets to Bob")
    page.get_by_label("Kind").select_option("recurring")
    expect(page.get_by_label("Start", exact=True)).to_be_hidden()
    page.get_by_label("Projects").fill("ops, infra")
    page.get_by_label("Action").select_option("reassign")
    page.get_by_label("Coverer").fill("bob")
    screenshot(page, name="rule-form")
    page.get_by_role("button", name="Save").click()

    row = page.locator("tr", has_text="Ops tickets to Bob")
    expect(row).to_contain_text("Projects: OPS, INFRA")
    expect(row).to_contain_text("Reassign to coverer: Bob Jones")
    expect(row).to_contain_text("Active")
    screenshot(page, name="rules")

    row.get_by_role("button", name="Disable Ops tickets to Bob").click()
    row = page.locator("tr", has_text="Ops tickets to Bob")
    expect(row).to_contain_text("Disabled")
    expect(row.get_by_role("button", name="Enable Ops tickets to Bob")).to_be_focused()  # keyboard users stay put
    assert Rule.objects.get().enabled is False
    expect(page).to_have_url(f"{page.live_url}/rules/")  # updated in place, no navigation


def test_rule_error_shows_next_to_its_field(signed_in_page, alice):
    page = signed_in_page(alice)
    page.goto(f"{page.live_url}/rules/new/")
    page.get_by_label("Kind").select_option("one_time")
    page.get_by_label("Start", exact=True).fill("2026-12-02T10:00")
    page.get_by_label("End", exact=True).fill("2026-12-01T10:00")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_label("End", exact=True)).to_have_accessible_description("End must be after start.")
    assert not Rule.objects.exists()


def test_token_is_shown_once_then_revoked(signed_in_page, alice, screenshot):
    settings = TokenSettings.get_solo()
    settings.allow_user_tokens = True
    settings.save()
    page = signed_in_page(alice)
    page.get_by_role("link", name="Integrations").click()
    expect(page.get_by_label("Calendar feed URL")).to_have_value(
        f"{page.live_url}/api/v1/me/feed.ics?key=" + alice.personal_feed.feed_key
    )

    page.get_by_label("Token name").fill("Jira automation")
    page.get_by_label("Write (create and change)").check()
    page.get_by_role("button", name="Create token").click()

    token_box = page.get_by_role("textbox", name="New token")
    plaintext = token_box.input_value()
    token = APIToken.objects.get()
    assert plaintext.startswith(f"{token.prefix}_") and token.scopes == ["read", "write"]
    page.get_by_role("button", name="Copy").first.click()
    expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
    screenshot(page, name="integrations-new-token")

    page.goto(f"{page.live_url}/integrations/")
    expect(page.get_by_role("textbox", name="New token")).to_have_count(0)
    assert plaintext not in page.content()
    expect(page.locator("tr", has_text="Jira automation")).to_contain_text(token.prefix)

    page.get_by_role("button", name="Revoke Jira automation").click()
    expect(page.locator("tr", has_text="Jira automation")).to_contain_text("revoked")
    token.refresh_from_db()
    assert token.revoked_at is not None
    screenshot(page, name="integrations")


def test_settings_save_schedule_and_show_filter_error_position(signed_in_page, alice, screenshot):
    routing = RoutingSettings.get_solo()
    routing.exclusion_mode = RoutingSettings.ExclusionMode.USER
    routing.save()
    page = signed_in_page(alice)
    page.get_by_role("link", name="My settings").click()

    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Friday").uncheck()
    page.get_by_label("Holiday country").select_option(label="Germany (DE)")
    page.get_by_label("Holiday subdivision").fill("BY")
    page.get_by_label("Exclusion filter").fill("project = OPS AND")
    page.get_by_role("button", name="Save").click()

    error = page.locator("#id_exclusion_filter_error")
    expect(error).to_contain_text("column")
    expect(page.get_by_label("Exclusion filter")).to_have_attribute("aria-invalid", "true")
    screenshot(page, name="settings-error")
    alice.refresh_from_db()
    assert str(alice.timezone) == "UTC"

    page.get_by_label("Exclusion filter").fill("project = OPS")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Settings saved.")
    alice.refresh_from_db()
    assert (str(alice.timezone), alice.working_days, alice.holiday_country) == ("Europe/Berlin", [0, 1, 2, 3], "DE")
    screenshot(page, name="settings")


def test_staffing_chart_marks_days_below_minimum(signed_in_page, alice, screenshot):
    bob = UserFactory(username="bob", first_name="Bob", last_name="Jones")
    TeamFactory(name="Platform", members=[alice, bob], min_available=2)
    today = timezone.now().date()
    monday = today - dt.timedelta(days=today.weekday())
    absence_create(user=bob, start_date=monday + dt.timedelta(days=1), end_date=monday + dt.timedelta(days=1))
    page = signed_in_page(alice)

    page.get_by_role("link", name="Staffing").click()
    expect(page).to_have_title("Staffing of Platform · Standin")
    tuesday = page.locator(f"tr[data-date='{(monday + dt.timedelta(days=1)).isoformat()}']")
    expect(tuesday).to_contain_text("1 / 2")
    expect(tuesday).to_contain_text("below minimum")
    expect(tuesday).to_contain_text("Bob Jones")
    expect(page.locator(f"tr[data-date='{monday.isoformat()}']")).to_contain_text("2 / 2")
    screenshot(page, name="staffing")

    page.get_by_label("From").fill(monday.isoformat())
    page.get_by_label("To").fill((monday + dt.timedelta(days=120)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("To")).to_have_accessible_description("At most 92 days (end is inclusive).")
