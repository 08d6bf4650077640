"""What lets a participant finish a form without a connection: the service worker, the favicon.

The service worker is served from the root (/sw.js), so that its scope covers every form;
its cache name carries a digest of the static files, so a deploy that changes any of them
replaces the cache (form pages included) on the participant's next visit online.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, url_for
from werkzeug.wrappers import Response as BaseResponse

bp = Blueprint("offline", __name__)

#: Files the worker keeps from its install, so a form opened once works offline.
PRECACHED = (
    "css/app.css",
    "js/outbox.js",
    "js/calc.js",
    "js/repeat.js",
    "js/survey.js",
    "js/guide.js",
    "img/favicon.svg",
)
WORKER = "js/sw.js"


@bp.route("/sw.js")
def service_worker() -> Response:
    """The service worker, with its cache version and the URLs it keeps filled in."""
    static = Path(current_app.static_folder or "")
    source = (static / WORKER).read_text(encoding="utf-8")
    assets = [url_for("static", filename=name) for name in PRECACHED]
    body = source.replace('"__VERSION__"', json.dumps(static_version(static))).replace(
        '"__ASSETS__"', json.dumps(assets)
    )
    response = Response(body, mimetype="text/javascript")
    # Browsers check for a new worker on each visit; no proxy may hold an old one back.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/favicon.ico")
def favicon() -> BaseResponse:
    """Browsers that ask for /favicon.ico get the SVG icon the pages link to."""
    return redirect(url_for("static", filename="img/favicon.svg"), 301)


@functools.lru_cache(maxsize=4)
def static_version(static: Path) -> str:
    """A short digest of every static file's path and bytes: the worker's cache version."""
    digest = hashlib.sha256()
    for path in sorted(p for p in static.rglob("*") if p.is_file()):
        digest.update(path.relative_to(static).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
