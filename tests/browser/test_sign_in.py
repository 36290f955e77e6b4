"""Signing in and out through the real login form, in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def alice(db):
    alice = UserFactory(username="alice", first_name="Alice", last_name="Smith")
    TeamFactory(name="Platform", members=[alice])
    return alice


def test_sign_in_shows_home_page(signed_in_page, alice, screenshot):
    page = signed_in_page(alice)

    expect(page).to_have_title("Home · Standin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice Smith")
    expect(page.get_by_text("Platform")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(page)


def test_wrong_password_shows_error_and_stays_signed_out(page, alice, screenshot):
    sign_in(page, "alice", "not-the-password")

    expect(page.get_by_role("alert")).to_contain_text("enter a correct username and password")
    expect(page.get_by_label("Username")).to_have_value("alice")
    expect(page.get_by_label("Password")).to_have_value("")
    screenshot(page, name="login-error")
    page.goto(f"{page.live_url}/")
    expect(page).to_have_url(f"{page.live_url}/accounts/login/?next=/")


def test_sign_out_ends_the_session(signed_in_page, alice, screenshot):
    page = signed_in_page(alice)

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(f"{page.live_url}/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{page.live_url}/")
    expect(page).to_have_url(f"{page.live_url}/accounts/login/?next=/")
    screenshot(page)


def test_home_requires_sign_in_and_returns_there(page, alice):
    page.goto(f"{page.live_url}/")
    expect(page).to_have_url(f"{page.live_url}/accounts/login/?next=/")

    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("pw")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{page.live_url}/")
