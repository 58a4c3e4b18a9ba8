"""What the real-browser tests share: Debian's chromium driven by Playwright, and the page
fixture (registered for every test through the root conftest's pytest_plugins)."""

from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# Generous waits: CI shares two cores between the browser, the server and other test workers.
expect.set_options(timeout=20_000)

# A browser test's marks: its own marker, a live server's database, and Debian's chromium.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


@pytest.fixture
def page(monkeypatch):
    """A fresh browser page. Ask for it last among a test's fixtures: its event loop would
    otherwise give the data fixtures a database connection of their own that nobody closes,
    and the test database could not be dropped."""
    # Playwright's sync API runs an event loop in this thread; the live server's database
    # access is still synchronous, so Django's async-safety guard has nothing to protect.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        context.set_default_timeout(30_000)
        page = context.new_page()
        yield page
        # Let requests in flight finish, so no server thread still holds the test database.
        page.wait_for_load_state("networkidle")
        # A test that reads the database while the page is open does so on a connection
        # of Playwright's event loop; unclosed, it keeps the test database from being dropped.
        connections.close_all()
        browser.close()
