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


# Chromium's note for a page answered with an error status; the tests that expect such a page
# (a lockout is a 429) check the page itself, so only this note is let through.
STATUS_NOTE = "Failed to load resource: the server responded with a status of"


@pytest.fixture
def page(browser):
    """A fresh browser page; the test fails if the page broke a rule of the Content-Security-Policy,
    threw a JavaScript error, logged any other console error or missed a script, style or image."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" and not message.text.startswith(STATUS_NOTE)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} for {response.url}")
            if response.status >= 400 and response.request.resource_type in {"script", "stylesheet", "image", "font"}
            else None
        ),
    )
    page.browser_problems = problems  # a test that provokes a violation on purpose takes it off
    yield page
    context.close()
    assert problems == [], "the browser reported problems:\n" + "\n".join(problems)


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

    from parting.demo.builder import WARSAW, demo_load

    result = demo_load(today=dt.datetime.now(WARSAW).date())  # the demo firm's today, on its own clock
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
