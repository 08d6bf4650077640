"""Fixtures: settings -> app -> client/runner, a database per test, form-data builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from survey_app import auth
from survey_app.extensions import db
from survey_app.models import ParticipantLink, Response
from survey_app.responses import new_submission_token
from survey_app.settings import ROOT, Settings
from tests import database

SAMPLE_DIR = ROOT / "questionnaires"
DATA_DIR = Path(__file__).parent / "data"
NEEDS = "untoc-needs-assessment"


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine | None]:
    """The PostgreSQL engine when the run is on PostgreSQL (see tests/database.py), else None."""
    if not database.ON_POSTGRES:
        yield None
        return
    base = Settings(
        instance_dir=tmp_path_factory.mktemp("pg") / "instance",
        questionnaires_dir=SAMPLE_DIR,
        secret_key="test-secret-key",
        testing=True,
    )
    engine = database.prepare_postgres(base)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The shipped sample questionnaires, a fresh test database, CSRF off (tests turn it on)."""
    return Settings(
        instance_dir=tmp_path / "instance",
        database_url=database.URL or f"sqlite:///{tmp_path / 'survey.db'}",
        questionnaires_dir=SAMPLE_DIR,
        secret_key="test-secret-key",
        pairing_pepper="test-pairing-pepper",
        # Still argon2id, at a cost the suite can pay thousands of times (tests/test_codes.py
        # checks the production cost once).
        pairing_kdf_time_cost=1,
        pairing_kdf_memory_kib=8,
        # A PDF download waits for its build: tests read the PDF, not the progress page
        # (tests/views/test_report_builds.py turns this down to see that page).
        report_wait_seconds=300,
        csrf_enabled=False,
        testing=True,
    )


@pytest.fixture
def make_app(settings: Settings, postgres: Engine | None) -> Iterator[database.AppMaker]:
    """Builds apps on the test database: `make_app(csrf_enabled=True)`, `committed=True`."""
    maker = database.AppMaker(settings, postgres)
    yield maker
    maker.close()


@pytest.fixture
def app(request: pytest.FixtureRequest, make_app: database.AppMaker) -> Flask:
    """The app on the test database; `@pytest.mark.committed` for several connections at once."""
    return make_app(committed=request.node.get_closest_marker("committed") is not None)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """The app's session inside an app context, for looking at what was stored."""
    with app.app_context():
        yield db.session


@pytest.fixture
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, at a cost a test can afford many times; verifying reads the cost from
    each hash, so only accounts created while this is on are cheap to log in to."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "HASHER", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("not a password of anyone"))


@pytest.fixture
def stored(app: Flask) -> Callable[[], list[Response]]:
    """Returns every stored response with its answers loaded."""

    def fetch() -> list[Response]:
        with app.app_context():
            responses = list(db.session.scalars(select(Response).order_by(Response.id)))
            for r in responses:
                _ = r.answers
            db.session.expunge_all()
            return responses

    return fetch


def needs_assessment_answers(**overrides: Any) -> dict[str, Any]:
    """A complete, valid post body for the sample needs assessment."""
    data: dict[str, Any] = {
        "submission_token": new_submission_token(),
        "q_stakeholder_type": "ngo",
        "q_country": "MY",
        "q_years_experience": "7",
        "q_familiarity_untoc": "3",
        "q_familiarity_review": "2",
        "q_engaged_before": "no",
        "q_kt_protocols": ["trafficking_protocol", "smuggling_protocol"],
        "q_kt_review_body": "cop",
        "q_crime_areas-1": "trafficking",
        "q_crime_areas-2": "cybercrime",
        "q_crime_areas-3": "corruption",
        "q_preferred_formats": ["in_person_workshop", "peer_exchange"],
        "q_comments": "Please share the slides.",
    }
    rows = [
        "engaging_government",
        "review_mechanism",
        "advocacy",
        "data_collection",
        "victim_support",
        "digital_literacy",
    ]
    for i, row in enumerate(rows):
        data[f"q_capacity_importance-{row}"] = str(5 - i % 3)
        data[f"q_confidence-{row}"] = str(1 + i % 4)
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.fixture
def answers() -> Callable[..., dict[str, Any]]:
    """Builder of a valid needs-assessment post; keyword overrides, None removes a field."""
    return needs_assessment_answers


# --- staff accounts, trainings and participant links -----------------------------------

PASSWORD = "correct horse battery staple"
#: A participant's self-generated code, as the form asks for it.
CODE = {"code_letters": "Ma", "code_day": "7", "code_digits": "42"}
POST_SESSIONS = (
    "untoc_basics",
    "review_mechanism",
    "engagement_strategies",
    "case_studies",
    "action_planning",
)
CAPACITY_ROWS = (
    "engaging_government",
    "review_mechanism",
    "advocacy",
    "data_collection",
    "victim_support",
    "digital_literacy",
)


def add_account(app: Flask, email: str, role: str) -> str:
    """Create a staff account with PASSWORD; returns the email."""
    with app.app_context():
        auth.create_user(db.session(), email, PASSWORD, role)
        db.session.commit()
    return email


def log_in(client: FlaskClient, email: str) -> FlaskClient:
    """Log the client in (asserting it worked) and return it."""
    response = client.post("/staff/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


@pytest.fixture
def staff(app: Flask, fast_password_hashing: None) -> str:
    """A staff (non-admin) account's email."""
    return add_account(app, "officer@example.org", "staff")


@pytest.fixture
def admin(app: Flask, fast_password_hashing: None) -> str:
    """An admin account's email."""
    return add_account(app, "admin@example.org", "admin")


@pytest.fixture
def logged_in(client: FlaskClient, staff: str) -> FlaskClient:
    """The test client, logged in as the staff account."""
    return log_in(client, staff)


@pytest.fixture
def admin_client(app: Flask, admin: str) -> FlaskClient:
    """A second test client, logged in as the admin account."""
    return log_in(app.test_client(), admin)


def new_training(client: FlaskClient, **overrides: str) -> int:
    """Create a training through the staff form (needs assessment before, evaluation after)."""
    data = {
        "title": "Regional workshop, Putrajaya",
        "place": "Putrajaya, Malaysia",
        "starts_on": "2027-01-15",
        "ends_on": "2027-01-17",
        "organiser": "UNODC",
        "pre_questionnaire_id": "untoc-needs-assessment",
        "post_questionnaire_id": "untoc-post-training",
        **overrides,
    }
    response = client.post("/staff/trainings/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def link_token(app: Flask, training_id: int, phase: str) -> str | None:
    """The token of the phase's working participant link."""
    with app.app_context():
        return db.session.scalar(
            select(ParticipantLink.token).where(
                ParticipantLink.training_id == training_id,
                ParticipantLink.phase == phase,
                ParticipantLink.revoked_at.is_(None),
            )
        )


def post_training_answers(**overrides: Any) -> dict[str, Any]:
    """A complete, valid post body for the sample post-training evaluation."""
    data: dict[str, Any] = {
        "submission_token": new_submission_token(),
        "q_stakeholder_type": "ngo",
        "q_country": "MY",
        "q_overall_satisfaction": "5",
        **{f"q_session_usefulness-{row}": "4" for row in POST_SESSIONS},
        **{f"q_confidence-{row}": "4" for row in CAPACITY_ROWS},
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def open_training(client: FlaskClient, **overrides: str) -> int:
    """Create a training and open collection; returns its id."""
    training_id = new_training(client, **overrides)
    response = client.post(f"/staff/trainings/{training_id}/status", data={"status": "open"})
    assert response.status_code == 303
    return training_id


def submit(app: Flask, training_id: int, phase: str, data: dict[str, Any]) -> str:
    """Answer a phase through its participant link (fresh browser); returns the redirect."""
    token = link_token(app, training_id, phase)
    response = app.test_client().post(f"/t/{token}", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


# --- golden files ------------------------------------------------------------------------

GOLDEN_DIR = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the expected files under tests/golden/ from the current output",
    )


def assert_golden(name: str, actual: str, *, update: bool = False) -> None:
    """Fail unless `actual` equals tests/golden/<name> byte for byte (or write it, to update)."""
    path = GOLDEN_DIR / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode())
        return
    assert path.exists(), f"{path} is missing; create it with pytest --update-golden"
    expected = path.read_bytes().decode()
    if actual != expected:
        lines = zip(expected.splitlines(), actual.splitlines(), strict=False)
        first = next((i for i, (a, b) in enumerate(lines, 1) if a != b), None)
        pytest.fail(
            f"{name} differs from {path} (first at line {first}); if the change is "
            "intended, run pytest --update-golden and review the diff"
        )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """`golden(name, text)`: `assert_golden`, writing the file under `pytest --update-golden`."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, actual: str) -> None:
        assert_golden(name, actual, update=update)

    return check
