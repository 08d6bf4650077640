"""The service worker's script, the favicon and HEAD requests, as the server serves them."""

from __future__ import annotations

import re
from pathlib import Path

from survey_app.views.offline import static_version
from tests.conftest import NEEDS, link_token, open_training


def test_service_worker_is_served_from_the_root_with_its_version_and_files(client, app):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    version = static_version(Path(app.static_folder or ""))
    assert f'var VERSION = "{version}";' in body
    assert '"/static/js/survey.js"' in body
    assert "__VERSION__" not in body
    assert "__ASSETS__" not in body


def test_cache_version_changes_when_any_static_file_changes(tmp_path):
    (tmp_path / "js").mkdir()
    script = tmp_path / "js" / "survey.js"
    script.write_text("one")
    before = static_version(tmp_path)
    static_version.cache_clear()
    assert static_version(tmp_path) == before  # same files, same cache
    static_version.cache_clear()
    script.write_text("two")
    assert re.fullmatch(r"[0-9a-f]{16}", static_version(tmp_path))
    assert static_version(tmp_path) != before


def test_content_security_policy_allows_our_own_service_worker(client):
    csp = client.get(f"/q/{NEEDS}").headers["Content-Security-Policy"]
    assert "worker-src 'self'" in csp


def test_pages_link_a_favicon_and_the_old_path_finds_it(client):
    assert 'rel="icon" href="/static/img/favicon.svg"' in client.get("/").get_data(as_text=True)
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/static/img/favicon.svg")
    icon = client.get(response.headers["Location"])
    assert icon.status_code == 200
    icon.close()


def test_head_of_a_form_is_answered_like_its_get(client, logged_in):
    """A link checker's or a proxy's HEAD is not a submission (it was a 400)."""
    token = link_token(client.application, open_training(logged_in), "pre")
    for path in (f"/q/{NEEDS}", f"/t/{token}"):
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.mimetype == "text/html"
        assert response.data == b""
