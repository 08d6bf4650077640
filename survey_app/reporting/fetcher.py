"""The only way WeasyPrint may load a resource: a file under the app's static folder, or a
chart embedded in the HTML as a `data:image/svg+xml` URL.

Why: participants type the free text a report may print. Should any of it ever reach the
HTML unescaped, an `<img src=file:///etc/passwd>`, a `<link rel=attachment>` or a
stylesheet `@import` of `http://169.254.169.254/` must not make the PDF renderer read
local files or reach the network. This fetcher never opens a socket, so there is no
redirect to follow, and it serves files only after resolving symlinks and `..`. A chart's
`data:` URL is decoded here, from the URL alone; whatever the SVG itself links to comes
back through this fetcher and is refused like the rest.
"""

from __future__ import annotations

import base64
import binascii
import logging
import mimetypes
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

SVG_TYPE = "image/svg+xml"
#: `data:image/svg+xml[;charset=utf-8][;base64],<payload>`, as `Chart.data_uri` writes it.
_SVG_DATA_URL = re.compile(
    r"data:image/svg\+xml(?:;charset=utf-8)?(?P<base64>;base64)?,", re.IGNORECASE
)


class FetchRefused(ValueError):
    """A resource other than a static file or an SVG data URL was asked for; WeasyPrint drops it."""


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Serves `file:` URLs under `static_dir` and SVG `data:` URLs; refuses everything else."""

    def __init__(self, static_dir: Path) -> None:
        # No redirects and no protocols: `fetch` below replaces urllib's handlers entirely.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.static_dir = static_dir.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """The file or SVG behind `url`, or FetchRefused (logged) for anything else."""
        svg = svg_data(url)
        if svg is not None:
            return URLFetcherResponse(url, svg, {"Content-Type": SVG_TYPE})
        path = self.local_path(url)
        if path is None:
            log.warning("report rendering: refused to fetch %s", url[:200])
            raise FetchRefused(f"only files under the static folder may be fetched: {url[:200]}")
        content_type, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            path.as_uri(),
            path.read_bytes(),
            {"Content-Type": content_type or "application/octet-stream"},
        )

    def local_path(self, url: str) -> Path | None:
        """The existing file under the static folder that `url` names, or None."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(url2pathname(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):  # missing, a symlink loop, a NUL byte
            return None
        if not path.is_relative_to(self.static_dir) or not path.is_file():
            return None
        return path


def svg_data(url: str) -> bytes | None:
    """The SVG document a `data:image/svg+xml` URL holds, or None for any other URL."""
    match = _SVG_DATA_URL.match(url)
    if match is None:
        return None
    payload = url[match.end() :]
    if not match["base64"]:
        return unquote_to_bytes(payload)
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None
