"""Participant-code hashes: keyed with a pepper outside the database, costly to guess."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import stat
import time

import pytest
from pydantic import SecretStr

from survey_app.codes import SALT_PREFIX, CodeHasher
from survey_app.settings import Settings
from survey_app.trainings import TrainingFields, create_training, normalise_code
from tests.conftest import (
    CODE,
    link_token,
    needs_assessment_answers,
    open_training,
    post_training_answers,
    submit,
)

FIELDS = TrainingFields(
    title="Workshop",
    place="Vienna",
    starts_on=dt.date(2027, 1, 15),
    ends_on=dt.date(2027, 1, 17),
    organiser="UNODC",
    pre_questionnaire_id="untoc-needs-assessment",
    post_questionnaire_id="untoc-post-training",
)
CHEAP = {"time_cost": 1, "memory_kib": 8}
ALL_CODES_OF_A_DAY = [normalise_code("ma", 7, f"{n:02d}") for n in range(100)]


@pytest.fixture
def training(session):
    return create_training(session, FIELDS)


def test_a_copy_of_the_database_no_longer_gives_the_codes_back(training):
    """The attack that found 28 of 28 codes: HMAC every candidate with the stored secret."""
    stored = CodeHasher(b"pepper", **CHEAP).hash(training, normalise_code("Ma", 7, "42"))
    key = training.pairing_secret.encode()
    guesses = {
        hmac.new(key, code.encode(), hashlib.sha256).hexdigest(): code
        for code in ALL_CODES_OF_A_DAY
    }
    assert stored not in guesses
    assert training.pairing_secret.startswith(SALT_PREFIX)


def test_the_same_code_pairs_within_a_training_but_not_across(session, training):
    hasher = CodeHasher(b"pepper", **CHEAP)
    other = create_training(session, FIELDS)
    code = normalise_code("Ma", 7, "42")
    assert hasher.hash(training, code) == hasher.hash(training, normalise_code("MA ", 7, "42"))
    assert hasher.hash(training, code) != hasher.hash(other, code)
    assert hasher.hash(training, code) != hasher.hash(training, normalise_code("Ma", 8, "42"))
    assert len(hasher.hash(training, code)) == 64


def test_another_pepper_gives_other_hashes_so_rotating_it_breaks_open_pairings(training):
    code = normalise_code("Ma", 7, "42")
    before = CodeHasher(b"old pepper", **CHEAP).hash(training, code)
    assert CodeHasher(b"new pepper", **CHEAP).hash(training, code) != before


def test_trainings_from_before_the_pepper_keep_pairing_with_their_old_hashes(training):
    """An upgrade while a training collects must not split its pre and post codes."""
    training.pairing_secret = "ab" * 32
    code = normalise_code("Ma", 7, "42")
    expected = hmac.new(training.pairing_secret.encode(), code.encode(), hashlib.sha256)
    assert CodeHasher(b"pepper", **CHEAP).hash(training, code) == expected.hexdigest()


def test_production_cost_is_memory_hard_and_slow_enough(training):
    """The defaults, measured once: argon2id with 64 MiB and 2 passes per guess."""
    defaults = Settings(pairing_pepper="p")
    assert defaults.pairing_kdf_memory_kib >= 64 * 1024
    assert defaults.pairing_kdf_time_cost >= 2
    hasher = CodeHasher(b"p", defaults.pairing_kdf_time_cost, defaults.pairing_kdf_memory_kib)
    started = time.perf_counter()
    hasher.hash(training, normalise_code("Ma", 7, "42"))
    # ~0.1 s on a 2024 laptop core; a machine can only be slower than this floor.
    assert time.perf_counter() - started > 0.02


def test_a_pepper_is_generated_once_into_a_private_file(tmp_path):
    settings = Settings(instance_dir=tmp_path / "instance")
    pepper = settings.resolved_pairing_pepper()
    path = tmp_path / "instance" / "pairing_pepper"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(pepper) >= 32
    assert Settings(instance_dir=tmp_path / "instance").resolved_pairing_pepper() == pepper


def test_a_configured_pepper_wins_and_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_PAIRING_PEPPER", "from-the-environment")
    settings = Settings(instance_dir=tmp_path / "instance")
    assert settings.resolved_pairing_pepper() == b"from-the-environment"
    assert not (tmp_path / "instance" / "pairing_pepper").exists()


def test_pre_and_post_answered_with_one_code_pair_through_the_links(app, logged_in):
    training_id = open_training(logged_in)
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})
    token = link_token(app, training_id, "post")
    response = app.test_client().post(f"/t/{token}", data={**post_training_answers(), **CODE})
    assert "matched=1" in response.headers["Location"]


@pytest.mark.committed
def test_a_post_code_does_not_match_once_the_pepper_changed(app, make_app, logged_in):
    """The second app (a restart with another pepper) must see the first one's rows."""
    training_id = open_training(logged_in)
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})
    rotated = make_app(committed=True, pairing_pepper=SecretStr("a rotated pepper"))
    token = link_token(app, training_id, "post")
    response = rotated.test_client().post(f"/t/{token}", data={**post_training_answers(), **CODE})
    assert "matched=0" in response.headers["Location"]
