"""My absences in Chromium: create, see it everywhere, edit, delete, field errors, escaping."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from absences.models import Absence
from absences.services import absence_create
from tests.browser.conftest import SCREENSHOT_DIR, VIEWPORTS
from tests.browser.seeding import seed_absence_types
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _types(db):
    seed_absence_types()


@pytest.fixture
def alice(db):
    alice = UserFactory(username="alice", first_name="Alice", last_name="Smith")
    bob = UserFactory(username="bob", first_name="Bob", last_name="Jones")
    TeamFactory(name="Platform", members=[alice, bob])
    return alice


def _today() -> dt.date:
    return timezone.now().date()  # the browser and the users are on UTC (tests/browser/conftest.py)


def test_create_all_day_absence_and_see_it_on_list_home_and_calendar(signed_in_page, alice, screenshot):
    page = signed_in_page(alice)
    today = _today()
    page.get_by_role("link", name="My absences").click()
    page.get_by_role("link", name="New absence").click()
    expect(page).to_have_title("New absence · Standin")

    page.get_by_label("Type").select_option(label="Vacation")
    page.get_by_label("Title").fill("Island week")
    expect(page.get_by_label("All day")).to_be_checked()
    expect(page.get_by_label("Start", exact=True)).to_be_hidden()
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("End date").fill((today + dt.timedelta(days=1)).isoformat())
    page.get_by_label("Coverer").press_sequentially("Jon")  # searches the people directory API
    expect(page.locator("#people-directory option[value=bob]")).to_have_attribute(
        "label", "Bob Jones <bob@example.com>"
    )
    page.get_by_label("Coverer").fill("bob")
    page.get_by_label("Message").fill("Back {until}; ask {coverer}.")
    expect(page.locator("#message-preview")).to_have_text(
        "Back " + (today + dt.timedelta(days=2)).strftime("%a, %b %-d, %Y") + "; ask Bob Jones."
    )
    expect(page.get_by_label("Repeats")).to_have_value("")
    screenshot(page, name="absence-form")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{page.live_url}/absences/")
    row = page.locator("tr", has_text="Island week")
    expect(row).to_contain_text("Bob Jones")
    expect(row).to_contain_text("current")
    screenshot(page, name="absence-list")

    page.get_by_role("link", name="Home").click()
    expect(page.get_by_text("You are away until")).to_be_visible()
    expect(page.get_by_text("Island week")).to_be_visible()
    expect(page.get_by_text("Bob Jones covers for you.")).to_be_visible()
    screenshot(page, name="home-away")

    page.get_by_role("link", name="Calendar").click()
    expect(page.locator(".fc-event", has_text="Alice Smith: Island week").first).to_be_visible()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "calendar.png"), full_page=True)
    # On a phone the calendar switches to a list of the week (after FullCalendar re-renders).
    page.set_viewport_size(VIEWPORTS["phone"])
    expect(page.locator(".fc-list-event", has_text="Alice Smith: Island week").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "calendar-phone.png"), full_page=True)


def test_edit_then_delete_with_confirmation(signed_in_page, alice, screenshot):
    start = _today() + dt.timedelta(days=7)
    absence_create(user=alice, start_date=start, end_date=start, title="Dentist")
    page = signed_in_page(alice)
    page.goto(f"{page.live_url}/absences/")

    page.get_by_role("link", name="Edit Dentist").click()
    expect(page.get_by_label("Title")).to_have_value("Dentist")
    expect(page.get_by_label("Start date")).to_have_value(start.isoformat())
    page.get_by_label("Title").fill("Dentist, again")
    page.get_by_label("Repeats").select_option(label="Every month")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("tr", has_text="Dentist, again")).to_contain_text("repeats")
    assert Absence.objects.get().recurrence == "FREQ=MONTHLY"

    page.get_by_role("link", name="Delete Dentist, again").click()
    expect(page.get_by_role("heading", name="Delete this absence?")).to_be_visible()
    screenshot(page, name="absence-delete")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("Absence deleted.")
    expect(page.get_by_text("Dentist, again")).to_have_count(0)
    assert not Absence.objects.exists()


def test_validation_error_shows_next_to_its_field(signed_in_page, alice, screenshot):
    page = signed_in_page(alice)
    page.goto(f"{page.live_url}/absences/new/")
    today = _today()

    page.get_by_label("Start date").fill((today + dt.timedelta(days=3)).isoformat())
    page.get_by_label("End date").fill(today.isoformat())
    page.get_by_role("button", name="Save").click()

    end_date = page.get_by_label("End date")
    expect(end_date).to_have_attribute("aria-invalid", "true")
    expect(end_date).to_have_accessible_description("End date must not be before start date.")
    expect(page.locator("#id_end_date_error")).to_be_visible()
    expect(page.get_by_role("alert").first).to_contain_text("Please correct the fields marked below.")
    screenshot(page, name="absence-form-error")
    assert not Absence.objects.exists()


def test_timed_absence_with_custom_rrule(signed_in_page, alice):
    page = signed_in_page(alice)
    page.goto(f"{page.live_url}/absences/new/")
    day = _today() + dt.timedelta(days=2)

    page.get_by_label("All day").uncheck()
    expect(page.get_by_label("Start date")).to_be_hidden()
    page.get_by_label("Start", exact=True).fill(f"{day.isoformat()}T13:00")
    page.get_by_label("End", exact=True).fill(f"{day.isoformat()}T17:00")
    page.get_by_label("Repeats").select_option("custom")
    page.get_by_label("Recurrence rule").fill("FREQ=WEEKLY;COUNT=3")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{page.live_url}/absences/")
    absence = Absence.objects.get()
    assert (absence.all_day, absence.recurrence) == (False, "FREQ=WEEKLY;COUNT=3")
    assert absence.start_at == dt.datetime.combine(day, dt.time(13), tzinfo=dt.UTC)


def test_coverer_warning_appears_before_saving(signed_in_page, alice):
    bob = UserFactory(username="bob")
    start = _today() + dt.timedelta(days=10)
    absence_create(user=bob, start_date=start, end_date=start)
    page = signed_in_page(alice)
    page.goto(f"{page.live_url}/absences/new/")

    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("End date").fill(start.isoformat())
    page.get_by_label("Coverer").fill("bob")
    page.get_by_label("Coverer").blur()

    expect(page.locator(".warnings")).to_contain_text("bob is away during this absence")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{page.live_url}/absences/")
    assert Absence.objects.filter(user=alice).count() == 1


def test_script_in_a_title_is_shown_as_text(signed_in_page, alice):
    absence_create(user=alice, start_date=_today(), end_date=_today(), title="<script>alert(1)</script>")
    page = signed_in_page(alice)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    for path in ["/", "/absences/", "/calendar/"]:
        page.goto(f"{page.live_url}{path}")
        expect(page.get_by_text("<script>alert(1)</script>").first).to_be_visible()
    assert dialogs == []
