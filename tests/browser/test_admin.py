"""The Django admin works under the Content-Security-Policy (no inline scripts needed)."""

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_staff_reach_the_admin_user_list_without_csp_violations(signed_in_page, screenshot):
    UserFactory(username="erin", first_name="Erin", last_name="Example")
    page = signed_in_page(UserFactory(username="root", is_staff=True, is_superuser=True))

    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Users").first.click()
    page.locator("#searchbar").fill("erin")
    page.keyboard.press("Enter")

    expect(page.get_by_role("link", name="erin")).to_be_visible()
    expect(page.get_by_text("1 result")).to_be_visible()
    screenshot(page)
