"""The team calendar in Chromium: FullCalendar fed by the event search, privacy, teams, holidays."""

import holidays
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from absences.services import absence_create
from calendars.models import Calendar
from tests.browser.seeding import seed_absence_types
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _types(db):
    seed_absence_types()


def test_private_absences_show_as_away_and_the_team_filter_narrows(signed_in_page, screenshot):
    alice = UserFactory(username="alice", first_name="Alice", last_name="Smith")
    carol = UserFactory(username="carol", first_name="Carol", last_name="King")
    dave = UserFactory(username="dave", first_name="Dave", last_name="Dunn")
    TeamFactory(name="Ops", members=[alice, carol])
    TeamFactory(name="Web", members=[alice, dave])
    shared = Calendar.objects.create(name="Everyone", owner=alice, is_public=True)
    shared.members.set([alice, carol, dave])
    today = timezone.now().date()
    absence_create(user=carol, start_date=today, end_date=today, type="sickness", title="Flu")
    absence_create(user=dave, start_date=today, end_date=today, title="Conference")
    page = signed_in_page(alice)
    out_today = page.get_by_role("region", name="Out in my teams")
    expect(out_today).to_contain_text("Carol King — Away")
    expect(out_today).to_contain_text("Dave Dunn — Conference")
    expect(page.get_by_text("Flu")).to_have_count(0)
    screenshot(page, name="home-team-out")

    page.get_by_role("link", name="Calendar").click()
    expect(page.locator(".fc-event", has_text="Carol King: Away")).to_be_visible()
    expect(page.locator(".fc-event", has_text="Dave Dunn: Conference")).to_be_visible()
    expect(page.get_by_text("Flu")).to_have_count(0)

    page.get_by_label("Team", exact=True).select_option(label="Web")
    expect(page.locator(".fc-event", has_text="Carol King")).to_have_count(0)
    expect(page.locator(".fc-event", has_text="Dave Dunn: Conference")).to_be_visible()


def test_public_holidays_of_my_region_are_shown(signed_in_page):
    alice = UserFactory(username="alice", first_name="Alice", last_name="Smith", holiday_country="US")
    today = timezone.now().date()
    upcoming = holidays.country_holidays("US", years=[today.year, today.year + 1])
    day, name = min((d, n) for d, n in upcoming.items() if d >= today)
    months_ahead = (day.year - today.year) * 12 + day.month - today.month
    page = signed_in_page(alice)
    page.goto(f"{page.live_url}/calendar/")

    for _ in range(months_ahead):
        page.locator(".fc-next-button").click()
    holiday = page.locator(f"td[data-date='{day.isoformat()}'] .fc-event", has_text=name.split(" (")[0])
    expect(holiday.first).to_be_visible()


def test_keyboard_reaches_the_form_and_sees_focus(signed_in_page):
    alice = UserFactory(username="alice", first_name="Alice", last_name="Smith")
    page = signed_in_page(alice)
    page.goto(f"{page.live_url}/absences/new/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Type")).to_be_focused()
    outline = page.get_by_label("Type").evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
