"""Browser fixtures: the real app on a local port, headless Chromium, a phone-sized page.

Every test in this folder is marked `browser` (`pytest -m "not browser"` leaves them out).
Chromium is the system one at /usr/bin/chromium, never a build Playwright downloads; when
it is missing the tests fail, they do not skip: CI installs it, and a silent skip would
hide a broken setup.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from werkzeug.serving import make_server

from tests.database import AppMaker

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

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


class InFlight:
    """WSGI wrapper that counts the requests being answered; once closed, it answers new ones
    (Chromium's kept-alive connections can still send some) with 503 without touching the app.

    Why: the test's engine is disposed after the server stops. A request still running then
    would return its connection to the disposed pool, where it is dropped unclosed, and
    psycopg's ResourceWarning fails whichever test the garbage collector runs in.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self._active: dict[object, str] = {}
        self._closed = False
        self._changed = threading.Condition()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with self._changed:
            if self._closed:
                start_response("503 Service Unavailable", [("Connection", "close")])
                return [b""]
            request = object()
            self._active[request] = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}"

        def done() -> None:
            with self._changed:
                if self._active.pop(request, None):
                    self._changed.notify_all()

        try:
            body = self.app(environ, start_response)
        except BaseException:
            done()
            raise
        return _Body(body, done)

    def close(self, timeout: float) -> list[str]:
        """Refuse new requests and wait for the running ones; those that outlast `timeout`."""
        with self._changed:
            self._closed = True
            self._changed.wait_for(lambda: not self._active, timeout)
            return list(self._active.values())


class _Body:
    """The app's response body; done once sent in full or closed. Why both: Werkzeug's server
    skips close() when the client resets the connection after the last write."""

    def __init__(self, body: Iterable[bytes], done: Callable[[], None]) -> None:
        self._body = body
        self._chunks = iter(body)
        self._done = done

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except StopIteration:
            self._done()
            raise

    def close(self) -> None:
        try:
            if close := getattr(self._body, "close", None):
                close()
        finally:
            self._done()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the app from a background thread; yields its base URL, e.g. http://127.0.0.1:5xxxx."""
    in_flight = InFlight(app)
    server = make_server("127.0.0.1", 0, in_flight, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        if running := in_flight.close(timeout=60):
            pytest.fail(f"60 s after the test, the live server was still answering {running}")


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
