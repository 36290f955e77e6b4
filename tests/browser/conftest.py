"""Browser tests: Playwright driving Debian's Chromium against pytest-django's ``live_server``.

Every test here carries the ``browser`` marker (``make test`` leaves them out, ``make test-browser``
runs them). Use ``signed_in_page(user)`` to get a page signed in through the real login form and
``screenshot(page)`` to save what the page looks like on a laptop and on a phone under
``artifacts/screenshots/`` (git-ignored) so a person can look at it.
"""

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PASSWORD = "pw"  # tests.factories.UserFactory's password


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a browser downloaded by ``playwright install``."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORTS["laptop"], "locale": "en-US", "timezone_id": "UTC"}


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    (factories, assertions on rows) are still plain synchronous code."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _live_database(live_server, django_db_serialized_rollback):
    """Rows written by the test are committed so the live server sees them; data migrations
    (such as the seeded absence types) are restored after each test's flush."""


@pytest.fixture
def page(page: Page, live_server) -> Page:
    """A page whose relative ``goto`` paths resolve against the live server, failing the test on
    any browser console error (a CSP violation, a missing script)."""
    errors: list[str] = []

    def on_console(msg) -> None:
        # Failed loads are reported below with their URL; a page may 404 on purpose.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    def on_response(response) -> None:
        is_subresource = response.request.resource_type != "document"
        if is_subresource and response.status >= 400 and not response.url.endswith("/favicon.ico"):
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", on_response)
    page.live_url = live_server.url
    page.console_errors = errors
    yield page
    assert not errors, f"browser console errors: {errors}"


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{page.live_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def signed_in_page(page: Page) -> Callable[..., Page]:
    """``signed_in_page(user)`` signs ``user`` in through the login form and returns the page on home."""

    def make(user, password: str = PASSWORD) -> Page:
        sign_in(page, user.username, password)
        expect(page).to_have_url(f"{page.live_url}/")
        return page

    return make


@pytest.fixture
def screenshot(request) -> Callable[..., list[Path]]:
    """``screenshot(page)`` saves ``artifacts/screenshots/<test>.png`` (laptop) and
    ``<test>-phone.png``; pass ``name=`` for several shots in one test."""

    def shoot(page: Page, name: str | None = None) -> list[Path]:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        test_name = request.node.name.replace("[chromium]", "").replace("chromium-", "")
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", name or test_name).strip("-")
        original = page.viewport_size
        paths = []
        for label, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            path = SCREENSHOT_DIR / (f"{stem}.png" if label == "laptop" else f"{stem}-{label}.png")
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        if original:
            page.set_viewport_size(original)
        return paths

    return shoot
