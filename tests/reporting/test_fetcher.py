"""WeasyPrint reaches nothing but the static folder and the charts' own `data:` URLs: no local
files, no network, no redirects."""

from __future__ import annotations

import base64
import http.server
import logging
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from survey_app.content import registry
from survey_app.reporting.fetcher import FetchRefused, StaticOnlyFetcher
from survey_app.reporting.pipeline import STATIC_DIR, build_report_pdf, html_to_pdf
from survey_app.reporting.results import Chart
from survey_app.settings import Settings

from .report_app import Person, pdf_pages, seed, settings_with_reports

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><text y="8">Bars</text></svg>'
REPORT = """\
schema_version: 1
id: fetch-report
questionnaire: untoc-needs-assessment
title: What the renderer loads
blocks:
  - type: overview
  - type: question
    question: country
"""


@dataclass
class Spy:
    """Every URL the fetcher was asked for, what it served, and what Python opened."""

    asked: list[str] = field(default_factory=list)
    #: Files served from the static folder.
    served: list[Path] = field(default_factory=list)
    #: `data:image/svg+xml` URLs served (decoded from the URL itself, no file).
    decoded: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    connected: list[object] = field(default_factory=list)


_active: list[Spy] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    # Audit hooks cannot be removed, so this one only records while a test is watching.
    if not _active:
        return
    if event == "open" and isinstance(args[0], str | Path):
        _active[-1].opened.append(str(args[0]))
    elif event == "socket.connect":
        _active[-1].connected.append(args[1])


sys.addaudithook(_audit)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch, static: Path) -> Iterator[Spy]:
    """Wraps the fetcher and watches file opens and socket connections while rendering.

    It starts after `static` is written, so the test's own file writes are not counted.
    """
    record = Spy()
    original = StaticOnlyFetcher.fetch

    def fetch(self: StaticOnlyFetcher, url: str, headers: object = None) -> object:
        record.asked.append(url)
        try:
            response = original(self, url, headers)
        except FetchRefused:
            record.refused.append(url)
            raise
        if response.path is None:
            record.decoded.append(url)
        else:
            record.served.append(Path(response.path))
        return response

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", fetch)
    _active.append(record)
    yield record
    _active.remove(record)


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings_with_reports(settings, tmp_path / "reports", {"fetch.yaml": REPORT})


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server whose every path redirects to the cloud metadata address."""
    hits: list[str] = []

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def static(tmp_path: Path) -> Path:
    """A static folder with a stylesheet, a secret beside it and a symlink pointing out."""
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    (folder / "css" / "report.css").write_text("body { color: #123456; }")
    (tmp_path / "secret.txt").write_text("secret")
    (folder / "css" / "link.css").symlink_to(tmp_path / "secret.txt")
    return folder


def test_serves_files_under_the_static_folder(static):
    response = StaticOnlyFetcher(static).fetch((static / "css" / "report.css").as_uri())
    assert response.read() == b"body { color: #123456; }"
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        Chart(SVG, "alt").data_uri,
        "data:image/svg+xml;base64," + base64.b64encode(SVG.encode()).decode(),
        "DATA:image/SVG+xml;charset=utf-8;base64," + base64.b64encode(SVG.encode()).decode(),
        "data:image/svg+xml," + SVG.replace("<", "%3C").replace(">", "%3E"),
    ],
)
def test_serves_svg_data_urls_from_the_url_alone(static, url):
    response = StaticOnlyFetcher(static).fetch(url)
    assert response.read() == SVG.encode()
    assert response.content_type == "image/svg+xml"
    assert response.path is None


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://attacker.example/share/x.css",
        "{static}/css/../../secret.txt",
        "{static}/css/%2e%2e/%2e%2e/secret.txt",
        "{static}/css/link.css",  # a symlink out of static
        "{static}/css/missing.css",
        "{static}/css",  # a folder
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1/redirect",
        "https://example.org/style.css",
        "ftp://example.org/x.css",
        "data:text/css,body{}",
        "data:text/html;base64,PHN2Zz48L3N2Zz4=",
        "data:image/png;base64,iVBORw0KGgo=",
        "data:image/svg+xml;base64,not base64!",
        "data:image/svg+xml;utf8,<svg></svg>",
        "data:;base64,PHN2Zz48L3N2Zz4=",
        "FILE:///etc/passwd",
    ],
)
def test_refuses_everything_else(static, url, caplog):
    fetcher = StaticOnlyFetcher(static)
    with (
        caplog.at_level(logging.WARNING, "survey_app.reporting.fetcher"),
        pytest.raises(FetchRefused),
    ):
        fetcher.fetch(url.replace("{static}", static.as_uri()))
    assert "refused to fetch" in caplog.text


def test_hostile_html_is_refused_resource_by_resource(spy, server, static):
    """Should free text ever reach the HTML unescaped, WeasyPrint still reads nothing."""
    base, hits = server
    hostile_svg = Chart(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="10" height="10">'
        '<image xlink:href="file:///etc/hosts" width="5" height="5"/>'
        f'<image href="{base}/svg-image.png" width="5" height="5"/></svg>',
        "alt",
    ).data_uri
    # WeasyPrint drops an SVG image whose stylesheet imports another: nothing is fetched.
    importing_svg = Chart(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f"<style>@import url({base}/svg-import.css);</style></svg>",
        "alt",
    ).data_uri
    hostile = f"""<!doctype html><html><head>
      <link rel="stylesheet" href="css/report.css">
      <style>@import url({base}/imported.css);</style>
      <link rel="attachment" href="file:///etc/passwd">
      <link rel="stylesheet" href="../secret.txt">
    </head><body>
      <p>Visible text</p>
      <img src="file:///etc/passwd">
      <img src="http://169.254.169.254/latest/meta-data/">
      <img src="{base}/redirect-to-metadata">
      <img src="css/link.css">
      <svg width="10" height="10"><image href="file:///etc/shadow" width="10" height="10"/></svg>
      <img src="{hostile_svg}" alt="A chart that links out">
      <img src="{importing_svg}" alt="A chart that imports a stylesheet">
    </body></html>"""

    pages = pdf_pages(html_to_pdf(hostile, static_dir=static))

    assert "Visible text" in pages[0]
    assert spy.served == [(static / "css" / "report.css").resolve()]
    assert set(spy.asked) - set(spy.refused) == {
        (static / "css" / "report.css").as_uri(),
        hostile_svg,
        importing_svg,
    }
    assert spy.decoded == [hostile_svg, importing_svg]
    assert {
        f"{base}/imported.css",
        "file:///etc/passwd",
        (static.parent / "secret.txt").as_uri(),
        "http://169.254.169.254/latest/meta-data/",
        f"{base}/redirect-to-metadata",
        (static / "css" / "link.css").as_uri(),
        # What the SVG image links to comes back to the fetcher, and is refused too.
        "file:///etc/hosts",
        f"{base}/svg-image.png",
    } <= set(spy.refused)
    assert hits == []  # the redirecting server was never even asked
    assert spy.connected == []
    assert str((static / "css" / "report.css").resolve()) in spy.opened  # the watch works
    assert not [p for p in spy.opened if p.startswith(("/etc/", str(static.parent / "secret")))]


def test_a_report_with_charts_loads_its_stylesheet_and_its_charts_only(spy, session):
    seed(session, [Person("ngo", "MY")] * 6 + [Person("academia", "TH")] * 5)
    content = registry()
    loaded = content.reports["fetch-report"]
    pages = pdf_pages(build_report_pdf(session, loaded, content.questionnaire_models()))
    assert "What the renderer loads" in pages[0]
    assert spy.served == [STATIC_DIR / "css" / "report.css"]
    assert spy.refused == []
    # The overview's stakeholder chart and the question's country chart, as data URLs.
    assert len(spy.decoded) == 2
    assert all(url.startswith("data:image/svg+xml;base64,") for url in spy.decoded)
    assert spy.connected == []


def test_the_app_stylesheet_is_the_only_resource_a_report_loads(spy):
    html = '<link rel="stylesheet" href="css/report.css"><h1>Title</h1>'
    assert "Title" in pdf_pages(html_to_pdf(html))[0]
    assert spy.served == [STATIC_DIR / "css" / "report.css"]
    assert spy.refused == []
