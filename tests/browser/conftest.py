"""Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Where Chromium is missing the browser tests skip with a visible notice; in CI (CI=true)
they fail instead, because CI installs Chromium and must exercise them.
"""

import os
import shutil
import sys

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_AVAILABLE = os.path.exists(CHROMIUM)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still synchronous, one at a time.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "tests/browser" in str(item.fspath)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if CHROMIUM_AVAILABLE or not browser_items:
        return
    if IN_CI:
        raise pytest.UsageError(f"CI must run the browser tests, but Chromium was not found at {CHROMIUM}.")
    notice = f"Chromium not found at {CHROMIUM}: {len(browser_items)} browser tests skipped (apt-get install chromium)."
    print(f"\n*** {notice} ***", file=sys.stderr)
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=notice))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A page of an English-speaking browser."""
    yield from _page_in(browser, live_server, "en-US")


@pytest.fixture
def zh_page(browser, live_server):
    """A page of a Chinese-speaking browser (the interface answers in zh-Hans)."""
    yield from _page_in(browser, live_server, "zh-CN")


def _page_in(browser, live_server, locale: str):
    context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def log_in(page, employee_no, password):
    page.goto(page.base_url + "/login/")
    page.fill("#id_username", employee_no)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/")
