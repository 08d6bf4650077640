"""Export time and memory for one training with N demo responses before and ~0.85 N after.

The demo data (survey_app.demo) is put into one training: the k-th response of each phase
gets the k-th participant code, so the first 0.85 N pre responses are paired. Each export
then runs in its own freshly spawned process, as the view runs it (batched reads, files
built on disk), with the output written to a temporary file. Growth is the high-water
mark of the resident set (reset just before the export; planning included) minus the
resident set before it (the app, pandas and pyreadstat already imported): what the export
itself added. CSV is the baseline every other format is compared with.

Every export also runs on a second database with a tenth of the responses: an export
that streams adds about the same memory at both sizes; one that holds the table (SPSS
and Stata: pyreadstat writes from one DataFrame) adds about ten times as much.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import resource
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from survey_app.content import registry
from survey_app.demo import demo_counts, generate_demo
from survey_app.demo.generate import NEEDS_ASSESSMENT, POST_TRAINING
from survey_app.export_files import build_stat_file, build_xlsx_file
from survey_app.export_rows import iter_plan_rows, plan_training_export
from survey_app.exports import csv_chunks
from survey_app.extensions import db
from survey_app.models import Response, Training
from survey_app.trainings import TrainingFields, create_training

from .report import MIB, app_on

RESPONSES = 100_000
#: (format, layout) per run; the first is the baseline.
RUNS = (
    ("csv", "pre"),
    ("xlsx", "pre"),
    ("sav", "pre"),
    ("dta", "pre"),
    ("csv", "long"),
    ("xlsx", "long"),
    ("csv", "wide"),
    ("sav", "wide"),
)
#: The smaller database, as a fraction of the responses: memory growth is compared with it.
SMALL = 10


@dataclass(frozen=True)
class Run:
    """One export: its wall and CPU time, what it added to peak RSS, and its size."""

    file_format: str
    shape: str
    #: Responses before the training in the database it ran on.
    responses: int
    rows: int
    seconds: float
    cpu_seconds: float
    rss_growth_mib: float
    rss_peak_mib: float
    output_mib: float


def make_database(database: Path, responses: int, seed: int) -> tuple[int, float]:
    """Demo data in one training: (its id, seconds to generate)."""
    with app_on(database):
        db.create_all()
        start = time.perf_counter()
        counts = demo_counts([NEEDS_ASSESSMENT, POST_TRAINING], responses)
        # Not for security: a seeded generator makes every run fill the same answers.
        generate_demo(db.session(), registry().questionnaires, counts, random.Random(seed))  # noqa: S311
        fields = TrainingFields(
            "Export benchmark", "Vienna", *_days(), "bench", NEEDS_ASSESSMENT, POST_TRAINING
        )
        training = create_training(db.session(), fields)
        for qid, phase in ((NEEDS_ASSESSMENT, "pre"), (POST_TRAINING, "post")):
            ids = db.session.scalars(
                select(Response.id).where(Response.questionnaire_id == qid).order_by(Response.id)
            ).all()
            db.session.execute(
                update(Response),
                [
                    {
                        "id": rid,
                        "training_id": training.id,
                        "phase": phase,
                        "participant_code_hash": f"{k:064x}",
                    }
                    for k, rid in enumerate(ids)
                ],
            )
        db.session.commit()
        return training.id, time.perf_counter() - start


def _days() -> tuple[Any, Any]:
    import datetime as dt

    today = dt.date.today()
    return today, today


def _rss_mib() -> float:
    """The resident set now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / MIB


def _reset_peak() -> None:
    """Start the high-water mark again from now (Linux 4.0+): creating the app and loading
    pandas peaked higher than some exports, which hid their growth (every run +119 MiB)."""
    Path("/proc/self/clear_refs").write_text("5")


def _peak_mib() -> float:
    """The high-water mark of the resident set since `_reset_peak`."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write(chunks: Iterable[str], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for chunk in chunks:
            out.write(chunk)


def measure(database: Path, training_id: int, responses: int, file_format: str, shape: str) -> Run:
    """Run one export in this (fresh) process."""
    import pandas  # noqa: F401  (imported before the baseline RSS: a worker has it loaded)
    import pyreadstat  # noqa: F401

    with app_on(database):
        training = db.session.get(Training, training_id)
        assert training is not None
        rss_before = _rss_mib()
        _reset_peak()
        start, cpu = time.perf_counter(), time.process_time()
        # Planning counts too: it holds the training's pairs and pair numbers (one entry
        # per response, not per cell).
        plan = plan_training_export(db.session(), training, shape, False)
        db.session.rollback()
        rows = 0

        def counted() -> Iterable[list[Any]]:
            nonlocal rows
            for row in iter_plan_rows(db.session(), plan, end_read=db.session.rollback):
                rows += 1
                yield row

        with tempfile.TemporaryDirectory(prefix="survey-export-bench-") as tmp:
            if file_format == "csv":
                path = Path(tmp) / "out.csv"
                _write(csv_chunks(plan.header, counted()), path)
            elif file_format == "xlsx":
                path = build_xlsx_file(plan.columns, plan.codebook(), counted, plan.labelled)
                rows //= 2  # read once per data sheet
            else:
                path = build_stat_file(file_format, plan.columns, counted())
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            size = path.stat().st_size / MIB
            if path.parent != Path(tmp):
                path.unlink()
        peak = _peak_mib()
    return Run(file_format, shape, responses, rows, seconds, cpu, peak - rss_before, peak, size)


def measure_in_fresh_process(*args: Any) -> Run:
    """`measure` in a newly spawned interpreter, so its peak RSS starts clean."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:
        result: Run = pool.apply(measure, args)
    return result


def run(responses: int = RESPONSES, seed: int = 1, log: Any = print) -> list[Run]:
    """Fill two databases (N and N/10 responses), then time each export in its own process;
    the full-size runs first, in RUNS order."""
    results = []
    with tempfile.TemporaryDirectory(prefix="survey-export-bench-") as tmp:
        for size in (responses, max(1, responses // SMALL)):
            database = Path(tmp) / f"export-{size}.db"
            log(f"export benchmark: {size:,} responses before, ~85% after; generating ...")
            training_id, seconds = make_database(database, size, seed)
            log(f"  generated in {seconds:.1f} s")
            for file_format, shape in RUNS:
                log(f"  {file_format} {shape} ...", end="", flush=True)
                args = (database, training_id, size, file_format, shape)
                results.append(measure_in_fresh_process(*args))
                log(f" {results[-1].seconds:.1f} s", flush=True)
            database.unlink()
    return results


def table(results: list[Run]) -> str:
    """A plain-text table of the full-size runs; time ratios against the first run (CSV of
    the pre phase), and each run's memory growth beside the same export's at N/10."""
    big = results[0].responses
    small = {(r.file_format, r.shape): r for r in results if r.responses != big}
    base = results[0]
    lines = [
        f"{'format':<6} {'layout':<6} {'rows':>8} {'wall s':>7} {'CPU s':>6} "
        f"{'x CSV':>6} {'RSS MiB':>8} {'+MiB':>6} {'+MiB/10':>7} {'file MiB':>8}"
    ]
    for r in results:
        if r.responses != big:
            continue
        tenth = small.get((r.file_format, r.shape))
        lines.append(
            f"{r.file_format:<6} {r.shape:<6} {r.rows:>8,} {r.seconds:>7.1f} {r.cpu_seconds:>6.1f} "
            f"{r.seconds / base.seconds:>6.1f} {r.rss_peak_mib:>8.0f} {r.rss_growth_mib:>6.0f} "
            f"{tenth.rss_growth_mib if tenth else float('nan'):>7.0f} {r.output_mib:>8.1f}"
        )
    lines.append("RSS MiB: the peak during the export (app, pandas, pyreadstat loaded); +MiB:")
    lines.append("what the export added to the resident set; +MiB/10: the same with")
    lines.append(f"{big // SMALL:,} responses (bounded: about the same; held: about a tenth).")
    lines.append(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    return "\n".join(lines)


def to_json(results: list[Run]) -> list[dict[str, Any]]:
    """The runs as plain data."""
    return [vars(r) for r in results]
