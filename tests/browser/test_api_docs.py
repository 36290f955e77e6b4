"""Swagger UI (drf-spectacular-sidecar, served offline) works under the Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_the_schema_without_csp_violations(signed_in_page, screenshot):
    page = signed_in_page(UserFactory(username="dana"))

    page.goto(f"{page.live_url}/api/docs/")

    expect(page.get_by_role("heading", name="Standin API")).to_be_visible()
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    screenshot(page)
