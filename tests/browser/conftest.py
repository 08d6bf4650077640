"""Browser fixtures: the real app on a local port, headless Chromium, a phone-sized page.

Every test in this folder is marked `browser` (`pytest -m "not browser"` leaves them out).
Chromium is the system one at /usr/bin/chromium, never a build Playwright downloads; when
it is missing the tests fail, they do not skip: CI installs it, and a silent skip would
hide a broken setup.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from werkzeug.serving import make_server

from tests.database import AppMaker

#: Debian's chromium; SURVEY_TEST_CHROMIUM points elsewhere on machines that keep it elsewhere.
CHROMIUM = Path(os.environ.get("SURVEY_TEST_CHROMIUM", "/usr/bin/chromium"))
# Keep Chromium quiet: we run as root, with no GPU, on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
}
#: For actions and `expect`: long enough for the slow-network test, short of Playwright's 30 s.
TIMEOUT_MS = 10_000

BROWSER_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser with `browser`."""
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def app(make_app: AppMaker) -> Flask:
    """The real app with CSRF on, committing for real: the server thread and the test share
    the database through separate connections."""
    return make_app(csrf_enabled=True, committed=True)


def app_serving(make_app: AppMaker, tmp_path: Path, questionnaires: Path) -> Flask:
    """The same app serving only the questionnaires in one folder, and no report."""
    (tmp_path / "no-reports").mkdir()
    return make_app(
        csrf_enabled=True,
        committed=True,
        questionnaires_dir=questionnaires,
        reports_dir=tmp_path / "no-reports",
    )


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the app from a background thread; yields its base URL, e.g. http://127.0.0.1:5xxxx."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install chromium or set SURVEY_TEST_CHROMIUM")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    expect.set_options(timeout=TIMEOUT_MS)
    yield browser
    browser.close()


@pytest.fixture
def new_phone_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Opens a page in a fresh phone-sized context; keyword arguments go to new_context."""
    contexts = []

    def open_page(**options: Any) -> Page:
        context = browser.new_context(**{**PHONE, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_phone_page: Callable[..., Page]) -> Page:
    """A page on a 360x740 touch phone with JavaScript on."""
    return new_phone_page()
