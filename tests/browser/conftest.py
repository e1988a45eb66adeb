"""A live portal on 127.0.0.1 and a headless Debian chromium driven by Playwright.

Without chromium the browser tests are skipped with a message; CI sets LMS_REQUIRE_BROWSER=1 and
installs chromium, so there they must run.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms import demo as demo_data
from lms.extensions import db

CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(
    os.environ.get("LMS_ARTIFACTS_DIR", Path(__file__).resolve().parents[2] / "artifacts")
)
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_missing() -> bool:
    return not (Path(CHROMIUM).exists() or shutil.which("chromium"))


@pytest.fixture(scope="session")
def browser():
    if _chromium_missing():
        message = (
            f"no chromium at {CHROMIUM}: install Debian's package (apt-get install chromium) "
            "or set LMS_CHROMIUM to run the browser tests"
        )
        if os.environ.get("LMS_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The portal with the demo data, served by a thread on a free loopback port."""
    with app.app_context():
        demo_data.load(people=120, seed=11)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def follow(page, target) -> None:
    """Click a link or a submit button and wait until the page it loads has loaded.

    A click returns as soon as the event is dispatched; reading the page right after it could
    read the old page, or one that is being torn down.
    """
    with page.expect_navigation(wait_until="load"):
        target.click()


def login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    follow(page, page.locator("button.primary"))
    assert not page.url.rstrip("/").endswith("/login"), f"{username} could not log in"
