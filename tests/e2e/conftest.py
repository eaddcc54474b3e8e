"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against the live server."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PARTING_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("PARTING_ARTIFACTS", Path(__file__).resolve().parents[2] / "artifacts"))

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still
# synchronous, so Django's async-safety guard must be told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
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
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


PASSWORD = "a long and unguessable phrase"


@pytest.fixture
def demo(db):
    """The demo firm as of today, its members with a known password and English pages."""
    import datetime as dt

    from parting.demo.builder import demo_load

    result = demo_load(today=dt.date.today())
    for membership in result.members:
        membership.user.set_password(PASSWORD)
        membership.user.save()
        membership.language = "en"
        membership.save()
    return result


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("table.clients")
