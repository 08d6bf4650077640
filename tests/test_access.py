"""Every URL outside the participant and public pages needs a staff login: walk the URL map.

A new route fails here by name until it requires login (`staff_required`,
`admin_required`, `reports_access_required`), or, if participants really must reach it,
until it joins the participant blueprint and the allowlist below.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.routing import Rule
from werkzeug.routing.converters import (
    AnyConverter,
    FloatConverter,
    IntegerConverter,
    UUIDConverter,
)

from survey_app import create_app
from survey_app.settings import Settings
from tests.conftest import SAMPLE_DIR

#: Reachable without login: participants' pages (and their service worker and favicon), the
#: health check, static files, the login form. Only endpoints of those kinds may be listed
#: (the test after the walk checks it).
PUBLIC = frozenset(
    {
        "static",
        "health.healthz",
        "health.livez",
        "health.readyz",
        "offline.favicon",
        "offline.service_worker",
        "staff.login",
        # A one-time reset link stands in for the login it restores (tests/views/test_accounts.py).
        "staff.password_reset",
        "survey.index",
        # A participant asking for a follow-up reminder (tests/views/test_reminders.py).
        "survey.remind_me",
        "survey.show",
        "survey.thanks",
        "survey.training_phase",
        "survey.training_thanks",
    }
)
PUBLIC_KINDS = ("survey.", "health.", "offline.")
#: Staff members who are not admins get 403 here.
ADMIN_ONLY = frozenset({"staff.audit", "staff.users", "staff.user_active", "staff.user_reset_link"})


def app_endpoints() -> list[str]:
    """The endpoints of an app built at collection time, so each becomes a test of its own."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            Settings(
                instance_dir=Path(folder),
                database_url="sqlite://",
                questionnaires_dir=SAMPLE_DIR,
                secret_key="collecting endpoints",
                testing=True,
            )
        )
        return sorted({rule.endpoint for rule in app.url_map.iter_rules()})


ENDPOINTS = app_endpoints()
PROTECTED = [endpoint for endpoint in ENDPOINTS if endpoint not in PUBLIC]


def dummy_value(rule: Rule, name: str) -> object:
    """A value the argument's converter accepts: int -> 1, any(...) -> one item, else 'x'."""
    converter = rule._converters[name]
    if isinstance(converter, IntegerConverter | FloatConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def requests_for(app: Flask, endpoint: str) -> list[tuple[str, str]]:
    """(method, path) for every rule and method of the endpoint, with dummy arguments."""
    adapter = app.url_map.bind("localhost")
    out = []
    for rule in app.url_map.iter_rules(endpoint):
        built = rule.build({name: dummy_value(rule, name) for name in rule.arguments})
        assert built is not None, f"cannot build {rule.rule} with dummy arguments"
        path = built[1]
        for method in sorted(rule.methods or ()):
            automatic = method == "OPTIONS" and getattr(rule, "provide_automatic_options", True)
            if method == "HEAD" or automatic:
                continue  # HEAD runs the GET view; Flask answers automatic OPTIONS itself
            matched, _ = adapter.match(path, method=method)
            assert matched == endpoint, f"{method} {path} routes to {matched}, not {endpoint}"
            out.append((method, path))
    return out


def sent_to_login(response) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code in (302, 303) and location.startswith("/staff/login")


@pytest.mark.parametrize("endpoint", PROTECTED)
def test_endpoint_refuses_visitors_who_are_not_logged_in(app, client, endpoint):
    requests = requests_for(app, endpoint)
    assert requests, f"{endpoint} accepts no method this test can send"
    for method, path in requests:
        response = client.open(path, method=method)
        assert sent_to_login(response) or response.status_code in (401, 403), (
            f"{method} {path} answered {response.status_code} without a login"
        )


@pytest.mark.parametrize("endpoint", sorted(ADMIN_ONLY))
def test_admin_endpoint_refuses_staff_who_are_not_admins(app, logged_in, endpoint):
    for method, path in requests_for(app, endpoint):
        response = logged_in.open(path, method=method)
        assert response.status_code == 403, f"{method} {path} answered {response.status_code}"


@pytest.mark.parametrize("endpoint", ["staff.audit", "staff.users"])
def test_admin_pages_open_for_admins(app, admin_client, endpoint):
    [(_, path)] = [r for r in requests_for(app, endpoint) if r[0] == "GET"]
    assert admin_client.get(path).status_code == 200


def test_public_allowlist_holds_only_participant_and_public_endpoints():
    """Nobody makes a staff route pass the walk above by allowlisting it."""
    for endpoint in PUBLIC:
        assert endpoint in ("static", "staff.login", "staff.password_reset") or endpoint.startswith(
            PUBLIC_KINDS
        ), endpoint


def test_public_allowlist_names_only_endpoints_that_exist():
    assert set(ENDPOINTS) >= PUBLIC | ADMIN_ONLY


def test_public_endpoints_do_not_ask_for_a_login(app, client):
    for endpoint in sorted(PUBLIC):
        for method, path in requests_for(app, endpoint):
            response = client.open(path, method=method)
            assert not sent_to_login(response), f"{method} {path}"


def test_the_walk_covers_the_app_the_tests_use(app):
    assert sorted({rule.endpoint for rule in app.url_map.iter_rules()}) == ENDPOINTS


def test_the_walk_covers_staff_reports_and_exports():
    assert {"staff.trainings", "staff.logout", "staff.export_csv", "reports.pdf"} <= set(PROTECTED)
    assert any(endpoint.startswith("reports.") for endpoint in PROTECTED)
