"""The load benchmark's pure helpers: percentiles, form parsing, bodies, tables, log reading."""

from __future__ import annotations

import math
from urllib.parse import parse_qs

import pytest

from bench.load import (
    Attempt,
    RetryPolicy,
    hidden_inputs,
    participant_body,
    percentile,
    problems,
    table,
)
from bench.servers import app_environment, logged_exceptions
from survey_app.settings import Settings


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [0.4, 0.1, 0.3, 0.2, 0.5]
    assert percentile(values, 0) == 0.1
    assert percentile(values, 50) == 0.3
    assert percentile(values, 100) == 0.5
    assert percentile(values, 95) == pytest.approx(0.48)
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)


def test_percentile_of_nothing_is_nan_and_of_one_value_is_that_value() -> None:
    assert math.isnan(percentile([], 50))
    assert percentile([2.5], 99) == 2.5


def test_hidden_inputs_are_read_whatever_the_attribute_order() -> None:
    html = """<form><input id="csrf_token" name="csrf_token" type="hidden" value="abc.def">
    <input type="hidden" value="tok" name="submission_token">
    <input type="text" name="q_comments" value="not hidden">
    <input type="hidden" name="language" value="en"></form>"""
    assert hidden_inputs(html) == {
        "csrf_token": "abc.def",
        "submission_token": "tok",
        "language": "en",
    }


def test_participant_body_posts_back_the_forms_tokens_with_complete_answers() -> None:
    body = parse_qs(
        participant_body({"csrf_token": "c", "submission_token": "s", "language": "en"}).decode()
    )
    assert body["csrf_token"] == ["c"]
    assert body["submission_token"] == ["s"]
    assert body["q_stakeholder_type"] == ["ngo"]
    assert body["q_kt_protocols"] == ["trafficking_protocol", "smuggling_protocol"]


def test_retry_policy_retries_dropped_connections_and_only_the_listed_statuses() -> None:
    policy = RetryPolicy(retries=1, statuses=frozenset({503}))
    assert policy.wants(Attempt(0, 0.1, None, error="RemoteDisconnected"))
    assert policy.wants(Attempt(0, 0.1, 503))
    assert not policy.wants(Attempt(0, 0.1, 500))


def test_attempt_overlaps_a_window_it_was_in_flight_during() -> None:
    attempt = Attempt(started=1.0, seconds=2.0, status=303, acknowledged=True)
    assert attempt.overlaps((2.5, 10))
    assert attempt.overlaps((0, 1.5))
    assert not attempt.overlaps((3.0, 4.0))


def test_table_aligns_text_left_and_numbers_right() -> None:
    assert table(["backend", "n"], [["sqlite", 5], ["postgresql", 500]]).splitlines() == [
        "backend       n",
        "sqlite        5",
        "postgresql  500",
    ]


def test_logged_exceptions_counts_the_last_line_of_each_traceback() -> None:
    log = "\n".join(
        [
            "[INFO] Booting worker",
            "Traceback (most recent call last):",
            '  File "x.py", line 1, in f',
            "    label = {",
            "KeyError: (False, False)",
            "127.0.0.1 GET /livez 200",
            "Traceback (most recent call last):",
            '  File "x.py", line 1, in f',
            "KeyError: (False, False)",
        ]
    )
    assert logged_exceptions(log) == {"KeyError: (False, False)": 2}


def test_problems_name_lost_and_partial_submissions_per_scenario_and_backend() -> None:
    clean = {"lost": 0, "partial": 0, "duplicates": 0}
    results = {
        "burst": {"sqlite": {"stored": clean}},
        "report": {"postgresql": {"runs": [{"stored": clean}, {"stored": {**clean, "lost": 2}}]}},
    }
    assert problems(results) == ["report/postgresql: 2 lost"]


def test_benchmark_servers_run_without_submission_limits(tmp_path, monkeypatch) -> None:
    """500 participants from 127.0.0.1 would hit the per-address limit after 60."""
    env = app_environment("sqlite:///x.db", tmp_path)
    for name in ("SURVEY_SUBMISSION_LIMIT_PER_ADDRESS", "SURVEY_SUBMISSION_LIMIT_PER_FORM"):
        monkeypatch.setenv(name, env[name])
    settings = Settings(_env_file=None)
    assert (settings.submission_limit_per_address, settings.submission_limit_per_form) == (0, 0)
