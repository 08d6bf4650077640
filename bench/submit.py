"""Submissions per second through the real app, against GET /livez (trivial) in the same run."""

from __future__ import annotations

import dataclasses
import platform
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.settings import ROOT, Settings
from tests.conftest import NEEDS, needs_assessment_answers

FORM_PATH = f"/q/{NEEDS}"
HEALTH_PATH = "/livez"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
WARMUP = 20


@dataclass(frozen=True)
class Timing:
    """The best of several timed runs of one endpoint."""

    endpoint: str
    requests: int
    seconds: float
    #: Process CPU time of the least costly run: what a request costs when the machine is
    #: shared, where wall time also counts waiting for other processes (and for fsync).
    cpu_seconds: float = 0.0

    @property
    def per_second(self) -> float:
        """Requests per second in the best run."""
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds per request."""
        return 1000 * self.cpu_seconds / self.requests


@dataclass(frozen=True)
class Measured:
    """One timed run: wall-clock and process CPU seconds."""

    seconds: float
    cpu_seconds: float


def measured(step: Callable[[], object]) -> Measured:
    """Run `step`, timing it by the wall clock and by this process's CPU time."""
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    return Measured(time.perf_counter() - wall, time.process_time() - cpu)


@dataclass(frozen=True)
class Concurrent:
    """Several threads posting at once into the same SQLite file."""

    threads: int
    acknowledged: int
    failed: int
    locked: int
    seconds: float
    errors: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        """Acknowledged submissions per second over the whole concurrent run."""
        return self.acknowledged / self.seconds


@dataclass(frozen=True)
class Result:
    """Everything one benchmark run measured and verified."""

    timings: list[Timing]
    concurrent: Concurrent
    acknowledged: int
    stored: int


@contextmanager
def bench_app() -> Iterator[Flask]:
    """The real app on a fresh SQLite file (WAL) with the shipped questionnaires, CSRF off."""
    with tempfile.TemporaryDirectory(prefix="survey-bench-") as tmp:
        settings = Settings(
            instance_dir=Path(tmp) / "instance",
            database_url=f"sqlite:///{Path(tmp) / 'survey.db'}",
            questionnaires_dir=ROOT / "questionnaires",
            secret_key=secrets.token_urlsafe(32),
            csrf_enabled=False,
            # One test client posting hundreds of times: the submission limits would stop it.
            submission_limit_per_address=0,
            submission_limit_per_form=0,
            testing=True,
        )
        app = create_app(settings)
        with app.app_context():
            db.create_all()
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


def submission_bodies(count: int) -> list[bytes]:
    """Complete valid form posts, each with its own token, encoded before timing starts."""
    return [urlencode(needs_assessment_answers(), doseq=True).encode() for _ in range(count)]


def time_gets(client: FlaskClient, path: str, count: int) -> float:
    """Seconds for `count` GETs of `path`, each checked for 200."""
    start = time.perf_counter()
    for _ in range(count):
        status = client.get(path).status_code
        if status != 200:
            raise RuntimeError(f"GET {path} returned {status}")
    return time.perf_counter() - start


def time_posts(client: FlaskClient, bodies: list[bytes]) -> float:
    """Seconds to post every body to the questionnaire, each checked for 303."""
    start = time.perf_counter()
    for body in bodies:
        status = client.post(FORM_PATH, data=body, content_type=FORM_CONTENT_TYPE).status_code
        if status != 303:
            raise RuntimeError(f"POST {FORM_PATH} returned {status}")
    return time.perf_counter() - start


def run_concurrent(app: Flask, threads: int, per_thread: int) -> Concurrent:
    """Each thread posts `per_thread` submissions through its own test client, all at once."""
    bodies = [submission_bodies(per_thread) for _ in range(threads)]
    statuses: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def worker(mine: list[bytes]) -> None:
        client = app.test_client()
        barrier.wait()
        for body in mine:
            try:
                status = client.post(
                    FORM_PATH, data=body, content_type=FORM_CONTENT_TYPE
                ).status_code
            except Exception as exc:  # every failure is counted and reported, not raised
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            with lock:
                statuses.append(status)

    pool = [threading.Thread(target=worker, args=(b,)) for b in bodies]
    for thread in pool:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - start
    acknowledged = statuses.count(303)
    return Concurrent(
        threads=threads,
        acknowledged=acknowledged,
        failed=len(statuses) - acknowledged + len(errors),
        locked=sum("database is locked" in e for e in errors),
        seconds=seconds,
        errors=errors[:5],
    )


def count_responses(app: Flask) -> int:
    """Stored response rows."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response)) or 0


def run(submissions: int, repeat: int, threads: int, per_thread: int) -> Result:
    """Warm up, then time /livez, the form page and submissions, interleaved, best of R."""
    with bench_app() as app:
        client = app.test_client()
        time_gets(client, HEALTH_PATH, WARMUP)
        time_gets(client, FORM_PATH, WARMUP)
        time_posts(client, submission_bodies(WARMUP))
        acknowledged = WARMUP
        # Encoded before any timing, so a timed run measures only the posts.
        bodies = [submission_bodies(submissions) for _ in range(repeat)]
        steps: dict[str, Callable[[], object]] = {
            f"GET {HEALTH_PATH}": lambda: time_gets(client, HEALTH_PATH, submissions),
            f"GET {FORM_PATH}": lambda: time_gets(client, FORM_PATH, submissions),
            f"POST {FORM_PATH}": lambda: time_posts(client, bodies.pop()),
        }
        runs: dict[str, list[Measured]] = {name: [] for name in steps}
        for _ in range(repeat):
            for name, step in steps.items():
                runs[name].append(measured(step))
            acknowledged += submissions
        concurrent = run_concurrent(app, threads, per_thread)
        acknowledged += concurrent.acknowledged
        stored = count_responses(app)
    timings = [
        Timing(
            name,
            submissions,
            min(m.seconds for m in measures),
            min(m.cpu_seconds for m in measures),
        )
        for name, measures in runs.items()
    ]
    return Result(timings, concurrent, acknowledged, stored)


def verify(result: Result) -> None:
    """Raise unless every acknowledged submission is stored and no concurrent post failed."""
    if result.stored != result.acknowledged:
        raise RuntimeError(f"{result.stored} responses stored, {result.acknowledged} acknowledged")
    if result.concurrent.failed:
        raise RuntimeError(
            f"{result.concurrent.failed} concurrent posts failed: {result.concurrent.errors}"
        )


def table(result: Result, repeat: int) -> str:
    """The results as a small plain-text table."""
    base = result.timings[0].per_second
    lines = [
        f"{'endpoint':<36} {'requests':>8} {'seconds':>8} {'req/s':>9} {'vs /livez':>11}"
        f" {'CPU ms/req':>10}",
    ]
    for t in result.timings:
        lines.append(
            f"{t.endpoint:<36} {t.requests:>8} {t.seconds:>8.3f} {t.per_second:>9.1f}"
            f" {t.per_second / base:>11.4f} {t.cpu_ms:>10.3f}"
        )
    c = result.concurrent
    lines.append(
        f"{f'POST x {c.threads} threads (concurrent)':<36} {c.acknowledged:>8} {c.seconds:>8.3f}"
        f" {c.per_second:>9.1f} {c.per_second / base:>11.4f}"
    )
    lines += [
        "",
        f"best of {repeat} interleaved runs (wall and CPU each); in-process werkzeug test"
        " client, no network;",
        "SQLite file in WAL mode; CSRF disabled (its cost is not measured).",
        f"concurrent: {c.threads} threads, {c.acknowledged} acknowledged, {c.failed} failed,"
        f" {c.locked} 'database is locked'",
        f"stored responses: {result.stored} / acknowledged submissions: {result.acknowledged}"
        f" -> {'OK' if result.stored == result.acknowledged else 'MISMATCH'}",
    ]
    return "\n".join(lines)


def to_json(result: Result, repeat: int) -> dict[str, Any]:
    """Everything measured, with rates and the Python version."""
    data = dataclasses.asdict(result)
    for row, timing in zip(data["timings"], result.timings, strict=True):
        row["per_second"] = timing.per_second
        row["cpu_ms"] = timing.cpu_ms
    data["concurrent"]["per_second"] = result.concurrent.per_second
    data["python"] = platform.python_version()
    data["repeat"] = repeat
    return data
