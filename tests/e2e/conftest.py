"""Browser tests: the real app served on a free local port, driven by Debian's chromium.

Playwright comes from PyPI; the browser is the system's (Playwright cannot download its own here):
Debian's chromium-headless-shell where installed, else its chromium. The shell is the same Blink
without the desktop browser around it: tests/e2e on two workers, run back to back, took 296 CPU
seconds with it and 389 with chromium. PBAPP_CHROMIUM names another binary. Without a browser the
tests skip, except in CI where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import DEMO_PASSWORD, ROLE_EMAILS

CHROMIUM = os.environ.get("PBAPP_CHROMIUM") or next(
    (path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if os.path.exists(path)),
    "/usr/bin/chromium",
)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"chromium is not installed at {CHROMIUM}; .ci/run installs it")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app, demo):
    """Serve the test app (with the demo council) in a thread; yields its base URL."""
    app.config["JOBS_INLINE"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # The serving loop notices shutdown() at its next poll: every 0.5 s by default, which each test
    # waited out at its end (about 0.4 s of a browser test's teardown).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def _expected_status(text: str) -> bool:
    # A 4xx page (a form sent back with errors, say) is logged by chromium but is not a fault.
    return text.startswith("Failed to load resource: the server responded with a status of 4")


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    context.set_default_timeout(20_000)  # a waiting step fails only if the page never comes, even on a loaded machine
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" and not _expected_status(message.text) else None
        ),
    )
    yield page
    context.close()
    assert errors == [], f"the browser reported errors: {errors}"


@pytest.fixture
def sign_in(page):
    """Sign in through the page as a demo role: sign_in("officer")."""

    def _sign_in(role: str):
        page.goto("/accounts/login")
        page.get_by_label("Email address").fill(ROLE_EMAILS[role])
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/home/**")

    return _sign_in


def fill_registration(page, name: str, email: str, postcode: str, password: str) -> None:
    """Fill the "Create an account" form and send it."""
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Postcode").fill(postcode)
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("Confirm password").fill(password)
    page.get_by_role("button", name="Create account").click()
