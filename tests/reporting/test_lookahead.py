"""The look-ahead pass (reporting/lookahead.py): a second connection reading the report's
snapshot computes the blocks' aggregates from the last block while the report's own pass
computes them in order; the report is exactly what one pass alone prints."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.orm import Session

from survey_app.content import registry
from survey_app.database import begin_read_only, snapshot_peer
from survey_app.demo.generate import demo_counts, generate_demo
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.reporting import shared
from survey_app.reporting.blocks.registry import BLOCKS
from survey_app.reporting.pipeline import build_report, render_html, report_json
from survey_app.reporting.shared import SharedResults
from tests.audit.scenarios import FOLLOWUP_REPORT, REPORTS, generate, store
from tests.test_database import a_response

COUNT = select(func.count()).select_from(Response)
REPORT_QUESTIONNAIRE = "untoc-needs-assessment"


@pytest.fixture
def passes(monkeypatch) -> list[SharedResults]:
    """Every build's shared results, to see which thread computed what."""
    made: list[SharedResults] = []
    original = SharedResults.__init__

    def init(self: SharedResults) -> None:
        original(self)
        made.append(self)

    monkeypatch.setattr(shared.SharedResults, "__init__", init)
    return made


def _analyze() -> None:
    """PostgreSQL: statistics of the rows just loaded, as autovacuum would soon gather.

    Why: left to the statistics of earlier tests' tables (a few rows), the planner once
    chose a plan for the paired knowledge scores that ran for minutes on a few hundred rows.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _builds(training_id: int | None, report_id: str, charts: bool = False) -> tuple[Any, Any]:
    """The report built in one pass (an ordinary transaction has no peer) and then with
    the look-ahead (a read-only transaction, as the views and report jobs build)."""
    models = registry().questionnaire_models()
    loaded = registry().reports[report_id]
    one = build_report(db.session(), loaded, models, training_id=training_id, charts=charts)
    db.session.commit()
    begin_read_only(db.session())
    two = build_report(db.session(), loaded, models, training_id=training_id, charts=charts)
    db.session.commit()
    return one, two


@pytest.mark.committed
def test_a_build_with_the_look_ahead_prints_what_one_pass_prints(app, passes):
    """Demo answers (no training) and a generated training with three waves: every sample
    report's JSON and HTML are the same with and without the look-ahead, which computed
    some of the results."""
    with app.app_context():
        content = registry()
        questionnaires = content.questionnaires
        counts = demo_counts(list(questionnaires), 300)
        generate_demo(db.session(), questionnaires, counts, random.Random(3))  # noqa: S311
        scenario = generate(11, content.questionnaire_models(), followup=True)
        store(db.session(), scenario)
        db.session.commit()
        _analyze()
        for training_id, report_id in [
            (None, REPORTS[0]),
            *((scenario.training_id, r) for r in (*REPORTS, FOLLOWUP_REPORT)),
        ]:
            one, two = _builds(training_id, report_id, charts=True)
            assert report_json(two) == report_json(one), report_id
            assert render_html(two) == render_html(one), report_id
            first, second = passes[-2:]
            assert set(first.computed_by) == {"MainThread"}
            assert second.computed_by.get("report-lookahead", 0) > 0, report_id


@pytest.mark.committed
def test_a_look_ahead_that_fails_changes_nothing(app, passes, monkeypatch):
    """Every block fails in the look-ahead thread: the report is built by its own pass."""
    original = {name: kind.compute for name, kind in BLOCKS.items()}

    def failing(name: str) -> Any:
        def compute(ctx: Any, block: Any) -> Any:
            if threading.current_thread().name == "report-lookahead":
                raise RuntimeError("look-ahead failed")
            return original[name](ctx, block)

        return compute

    with app.app_context():
        counts = {REPORT_QUESTIONNAIRE: 60}
        generate_demo(db.session(), registry().questionnaires, counts, random.Random(5))  # noqa: S311
        db.session.commit()
        _analyze()
        one, _ = _builds(None, REPORTS[0])
        for name, kind in list(BLOCKS.items()):
            monkeypatch.setitem(BLOCKS, name, replace(kind, compute=failing(name)))
        _, two = _builds(None, REPORTS[0])
    assert report_json(two) == report_json(one)
    assert "report-lookahead" not in passes[-1].computed_by


@pytest.mark.committed
def test_the_peer_reads_the_snapshot_of_the_report(app):
    """What the report's transaction sees, the peer sees; a commit after the peer began is
    seen by neither."""
    with app.app_context():
        engine = db.engine
    with Session(engine) as report, Session(engine) as participant:
        begin_read_only(report)
        assert report.scalar(COUNT) == 0
        participant.execute(insert(Response), [a_response("before")])
        participant.commit()
        with snapshot_peer(report) as peer:
            assert peer is not None
            seen = report.scalar(COUNT)
            assert peer.scalar(COUNT) == seen
            participant.execute(insert(Response), [a_response("during")])
            participant.commit()
            assert report.scalar(COUNT) == seen
            assert peer.scalar(COUNT) == seen
        report.commit()
        assert report.scalar(COUNT) == 2


@pytest.mark.committed
def test_a_commit_between_the_two_snapshots_waits_until_both_have_begun(app):
    """SQLite: a participant's submission arriving just after the report's read snapshot
    began, before the peer's, waits (the lock the peer is set up under) and is seen by
    neither; PostgreSQL: the peer imports the report's snapshot, so it is not seen either."""
    with app.app_context():
        engine = db.engine
    done = threading.Event()

    def submit() -> None:
        with Session(engine) as participant:
            participant.execute(insert(Response), [a_response("in between")])
            participant.commit()
        done.set()

    writer = threading.Thread(target=submit)

    def in_between(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The report's first read (SQLite) or its snapshot's export (PostgreSQL).
        begun = "heartbeat" in statement or "pg_export_snapshot" in statement
        if begun and not writer.is_alive() and not done.is_set():
            writer.start()
            # Long enough for the submission to commit, were nothing holding it back.
            done.wait(timeout=1.0)

    with Session(engine) as report:
        begin_read_only(report)
        event.listen(engine, "after_cursor_execute", in_between)
        try:
            with snapshot_peer(report) as peer:
                assert peer is not None
                event.remove(engine, "after_cursor_execute", in_between)
                assert report.scalar(COUNT) == peer.scalar(COUNT)
        finally:
            if event.contains(engine, "after_cursor_execute", in_between):
                event.remove(engine, "after_cursor_execute", in_between)
        writer.join(timeout=30)
        assert done.is_set()
        report.commit()
        assert report.scalar(COUNT) == 1


def test_no_peer_for_a_session_that_may_write(app):
    """An ordinary transaction (it may write) gets no peer: the build reads through it alone."""
    with app.app_context():
        db.session.scalar(COUNT)
        with snapshot_peer(db.session()) as peer:
            assert peer is None


def test_shared_results_are_computed_once_and_a_failed_claim_is_computed_again():
    """Two threads asking for one key: one computes, the other waits for it; when the one
    that claimed it fails, the waiter computes it itself instead of taking the failure."""
    results = SharedResults()
    calls: list[str] = []
    started = threading.Event()

    def slow() -> int:
        calls.append(threading.current_thread().name)
        started.set()
        time.sleep(0.2)
        return 7

    found: list[int] = []
    other = threading.Thread(target=lambda: found.append(results.get("a", slow)), name="other")
    other.start()
    started.wait(timeout=5)
    assert results.get("a", slow) == 7
    other.join()
    assert found == [7]
    assert calls == ["other"]

    def failing() -> int:
        started.set()
        time.sleep(0.2)
        raise RuntimeError("stopped")

    started.clear()
    failed: list[BaseException] = []

    def claim() -> None:
        try:
            results.get("b", failing)
        except RuntimeError as error:
            failed.append(error)

    other = threading.Thread(target=claim, name="other")
    other.start()
    started.wait(timeout=5)
    assert results.get("b", lambda: 8) == 8
    other.join()
    assert [str(e) for e in failed] == ["stopped"]
    assert results.computed_by == {"other": 1, "MainThread": 1}
