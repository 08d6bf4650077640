"""Report PDF build time and memory for 1,000 / 10,000 / 100,000 demo responses.

Each size gets a fresh SQLite file filled by `survey_app.demo` (generation is timed and
printed, never counted). Each size is then built in its own fresh process, after one
warm-up build on a small database in that process: the warm-up pays the one-off costs a
running server pays once (imports, fonts, matplotlib and Jinja caches), so the timed
builds measure what grows with the data. Wall time is the best of `--builds` runs of
`build_report_pdf`, split into the pipeline's own stages (SQL, charts, HTML, WeasyPrint).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import multiprocessing
import os
import random
import resource
import secrets
import sqlite3
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select

from survey_app import create_app
from survey_app.content import registry
from survey_app.database import begin_read_only
from survey_app.demo import demo_counts, generate_demo
from survey_app.extensions import db
from survey_app.models import Answer
from survey_app.questionnaire import LoadedFile, Questionnaire, load_file, load_registry
from survey_app.reporting.pipeline import STAGES, build_report_pdf
from survey_app.reporting.schema import PrePostBlock, Report
from survey_app.settings import ROOT, Settings

from . import baseline

SIZES = (1_000, 10_000, 100_000)
SAMPLE_REPORT = ROOT / "reports" / "untoc-needs-assessment-report.yaml"
WARMUP_RESPONSES = 200
#: Issue 12's targets: (responses, wall seconds of the best build, whether strictly under).
#: Why both: 10,000 must be no slower than before the work on speed, 100,000 under 5 s.
TARGETS = ((10_000, 1.8, False), (100_000, 5.0, True))
MIB = 1024 * 1024


@dataclass(frozen=True)
class Build:
    """One size: its database, its timed builds and the memory they took."""

    responses: int
    #: Responses to all questionnaires the report draws on (a pre/post block adds some).
    stored_responses: int
    answers: int
    database_mib: float
    generate_seconds: float
    #: CPU seconds of the generating process (SQLite runs in it): what a quiet machine needs.
    generate_cpu_seconds: float
    #: Every timed build's wall seconds; the best one counts.
    runs: list[float]
    #: CPU seconds of the best build (the process's own, so other load on the machine
    #: hardly changes it).
    cpu_seconds: float
    #: Seconds per pipeline stage in the best build.
    stages: dict[str, float]
    #: Peak RSS (ru_maxrss) of the build process after the timed builds: imports, fonts and
    #: the warm-up build included, i.e. what a worker building this report needs.
    rss_peak_mib: float
    #: How much the timed builds raised that peak above the warm-up's.
    rss_growth_mib: float
    #: tracemalloc peak of Python allocations during one more build (None with --no-tracemalloc).
    traced_peak_mib: float | None
    #: The warm-up build on the small database, in the same fresh process.
    warmup_seconds: float
    pages: int
    pdf_kib: float

    @property
    def seconds(self) -> float:
        """The best build's wall time."""
        return min(self.runs)


@dataclass(frozen=True)
class ReportBench:
    """Every size of one report definition."""

    report_id: str
    report_path: str
    builds: list[Build] = field(default_factory=list)
    #: 1-minute load average when the run started and ended, and the CPU count: the
    #: machine may be shared, and wall times only mean something next to these.
    load: list[float] = field(default_factory=list)
    cpus: int = field(default_factory=lambda: os.cpu_count() or 1)
    #: The git revision timed beside the current code (`--baseline`), and its builds by size.
    baseline_ref: str | None = None
    baselines: dict[int, dict[str, Any]] = field(default_factory=dict)


def load_report(path: Path) -> tuple[LoadedFile[Report], dict[str, Questionnaire]]:
    """The report definition, checked against the shipped questionnaires."""
    registry = load_registry([ROOT / "questionnaires"])
    questionnaires = registry.questionnaire_models()
    return load_file(Report, path, str(path), {"questionnaires": questionnaires}), questionnaires


def report_questionnaires(report: Report) -> list[str]:
    """The main questionnaire, then any a pre/post block compares."""
    ids = [report.questionnaire]
    for block in report.blocks:
        if isinstance(block, PrePostBlock):
            ids += [qid for qid in (block.pre, block.post) if qid not in ids]
    return ids


def bench_settings(database: Path) -> Settings:
    """The shipped questionnaires on one SQLite file."""
    return Settings(
        instance_dir=database.parent / "instance",
        database_url=f"sqlite:///{database}",
        questionnaires_dir=ROOT / "questionnaires",
        secret_key=secrets.token_urlsafe(32),
        testing=True,
    )


@contextmanager
def app_on(database: Path) -> Iterator[Flask]:
    """The app on this database file, inside an app context; the engine is closed after."""
    app = create_app(bench_settings(database))
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def make_database(
    database: Path, questionnaire_ids: list[str], responses: int, seed: int
) -> tuple[float, float, int, int]:
    """Fill a fresh file with demo data: (seconds, CPU seconds, stored responses, answer rows)."""
    with app_on(database):
        db.create_all()
        counts = demo_counts(questionnaire_ids, responses)
        loaded = registry().questionnaires
        start, cpu = time.perf_counter(), time.process_time()
        # Not for security: a seeded generator makes every run fill the same answers.
        generate_demo(db.session(), loaded, counts, random.Random(seed))  # noqa: S311
        db.session.commit()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        answers = db.session.scalar(select(func.count()).select_from(Answer)) or 0
    return seconds, cpu, sum(counts.values()), answers


def _max_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _build(path: Path) -> tuple[bytes, dict[str, float], float, float]:
    """Build the report on the current app's database: (pdf, stage seconds, wall, CPU)."""
    loaded, questionnaires = load_report(path)
    timings: dict[str, float] = {}
    start, cpu = time.perf_counter(), time.process_time()
    # As the app's report jobs build: in a transaction that only reads (one snapshot).
    begin_read_only(db.session())
    pdf = build_report_pdf(db.session(), loaded, questionnaires, timings=timings)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    db.session.rollback()
    return pdf, timings, seconds, cpu


def measure(
    database: Path, warmup_database: Path, report_path: Path, builds: int, trace: bool
) -> dict[str, Any]:
    """Run in a fresh process: warm up, time `builds` builds, then trace one for memory."""
    with app_on(warmup_database):
        warmup_seconds = _build(report_path)[2]
    with app_on(database):
        rss_before = _max_rss_mib()
        runs: list[tuple[float, dict[str, float], float]] = []
        pdf = b""
        for _ in range(builds):
            pdf, timings, seconds, cpu = _build(report_path)
            runs.append((seconds, timings, cpu))
        rss_peak = _max_rss_mib()
        traced_peak = None
        if trace:
            tracemalloc.start()
            try:
                _build(report_path)
                traced_peak = tracemalloc.get_traced_memory()[1] / MIB
            finally:
                tracemalloc.stop()
    best = min(runs, key=lambda run: run[0])
    return {
        "runs": [run[0] for run in runs],
        "stages": best[1],
        "cpu_seconds": best[2],
        "rss_peak_mib": rss_peak,
        "rss_growth_mib": rss_peak - rss_before,
        "traced_peak_mib": traced_peak,
        "warmup_seconds": warmup_seconds,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "pdf_kib": len(pdf) / 1024,
    }


def measure_in_fresh_process(*args: Any) -> dict[str, Any]:
    """`measure` in a newly spawned interpreter, so peak RSS and caches start clean."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:
        result: dict[str, Any] = pool.apply(measure, args)
    return result


def run(
    sizes: tuple[int, ...],
    report_path: Path,
    builds: int = 1,
    seed: int = 1,
    trace: bool = True,
    log: Any = print,
    baseline_ref: str | None = None,
) -> ReportBench:
    """Fill one database per size, then measure each build in its own process.

    With `baseline_ref`, that revision's build is measured first on the same database.
    """
    loaded, _ = load_report(report_path)
    questionnaire_ids = report_questionnaires(loaded.model)
    result = ReportBench(
        loaded.model.id, str(report_path), load=[os.getloadavg()[0]], baseline_ref=baseline_ref
    )
    with tempfile.TemporaryDirectory(prefix="survey-report-bench-") as tmp:
        code = baseline.export(baseline_ref, Path(tmp) / "baseline") if baseline_ref else None
        warmup = Path(tmp) / "warmup.db"
        make_database(warmup, questionnaire_ids, WARMUP_RESPONSES, seed)
        for size in sizes:
            database = Path(tmp) / f"responses-{size}.db"
            log(f"  {size:>7,} responses: generating ...", end="", flush=True)
            seconds, cpu, stored, answers = make_database(database, questionnaire_ids, size, seed)
            log(f" {seconds:.1f} s ({stored / seconds:,.0f} responses/s); building ...", end="")
            if code is not None:
                base = baseline.measure_code(code, database, warmup, report_path, builds, False)
                result.baselines[size] = base
                log(f" {baseline_ref} {min(base['runs']):.2f} s, now ...", end="", flush=True)
            measured = measure_in_fresh_process(database, warmup, report_path, builds, trace)
            log(f" {min(measured['runs']):.2f} s", flush=True)
            result.builds.append(
                Build(
                    responses=size,
                    stored_responses=stored,
                    answers=answers,
                    database_mib=database_size(database) / MIB,
                    generate_seconds=seconds,
                    generate_cpu_seconds=cpu,
                    **measured,
                )
            )
            for leftover in Path(tmp).glob(f"responses-{size}.db*"):
                leftover.unlink()
    result.load.append(os.getloadavg()[0])
    return result


def database_size(database: Path) -> int:
    """Bytes in the SQLite file and its WAL."""
    return sum(p.stat().st_size for p in database.parent.glob(database.name + "*"))


def growth(build: Build, base: Build) -> tuple[float, float, float]:
    """(time ratio, size ratio, exponent) against the baseline; exponent <= 1: linear or less."""
    time_ratio = build.seconds / base.seconds
    size_ratio = build.responses / base.responses
    exponent = math.log(time_ratio) / math.log(size_ratio) if size_ratio != 1 else float("nan")
    return time_ratio, size_ratio, exponent


def table(result: ReportBench, builds: int, trace: bool) -> str:
    """The results as a plain-text table with notes and verdicts."""
    base = result.builds[0]
    header = (
        f"{'responses':>9} {'answers':>9} {'gen s':>6} {'build s':>8} {'cpu s':>6} {'x base':>7}"
        f" {'exp':>5} {'sql':>5} {'charts':>6} {'html':>5} {'pdf':>5} {'other':>5}"
        f" {'py peak':>8} {'rss peak':>8} {'pages':>5} {'PDF KiB':>7}"
    )
    lines = [f"report {result.report_id} ({result.report_path})", header]
    for b in result.builds:
        time_ratio, _, exponent = growth(b, base)
        shares = [b.stages.get(stage, 0.0) / b.seconds for stage in STAGES]
        other = 1 - sum(shares)
        peak = f"{b.traced_peak_mib:.0f} MiB" if b.traced_peak_mib is not None else "-"
        lines.append(
            f"{b.responses:>9,} {b.answers:>9,} {b.generate_seconds:>6.1f} {b.seconds:>8.2f}"
            f" {b.cpu_seconds:>6.2f} {time_ratio:>7.2f} {_exp(exponent):>5}"
            + "".join(
                f" {s:>{w}.0%}" for s, w in zip([*shares, other], (5, 6, 5, 5, 5), strict=True)
            )
            + f" {peak:>8} {b.rss_peak_mib:>4.0f} MiB {b.pages:>5} {b.pdf_kib:>7.0f}"
        )
    compared = baseline.comparison(result.baseline_ref or "", result.builds, result.baselines)
    lines += ["", *notes(result, builds, trace), "", *compared, *([""] if compared else [])]
    lines += verdicts(result)
    return "\n".join(lines)


def _exp(exponent: float) -> str:
    return "-" if math.isnan(exponent) else f"{exponent:.2f}"


def notes(result: ReportBench, builds: int, trace: bool) -> list[str]:
    """How to read the table."""
    base = result.builds[0]
    warmups = ", ".join(f"{b.warmup_seconds:.1f}" for b in result.builds)
    out = [
        f"machine: {result.cpus} CPUs, 1-minute load average {result.load[0]:.1f} at the start,"
        f" {result.load[-1]:.1f} at the end (above {result.cpus} means other work was competing).",
        f"build s: best of {builds} build(s) of build_report_pdf, in a fresh process after a"
        f" warm-up build on {WARMUP_RESPONSES} responses (cold warm-ups: {warmups} s).",
        "cpu s: CPU seconds of the best build's process (other load on the machine barely"
        " changes it; wall time does).",
        f"x base: build time / the {base.responses:,}-response build's; exp: log(x base) /"
        " log(responses ratio), 1 = linear, below 1 = sublinear.",
        "sql/charts/html/pdf: shares of build s from the pipeline's timings dict"
        " (pdf = WeasyPrint layout + write); other = build s outside those stages. Charts are"
        " drawn in a second thread while later blocks' SQL runs: sql + charts can exceed the"
        " time they took together, and other can then be negative.",
        "rss peak: peak resident memory (ru_maxrss) of the build process, warm-up included;"
        " growth over the warm-up's peak: "
        + ", ".join(f"{b.rss_growth_mib:.0f}" for b in result.builds)
        + " MiB.",
    ]
    if trace:
        out.append(
            "py peak: tracemalloc peak of Python allocations during one extra build"
            " (C memory of SQLite, Pango and cairo not included)."
        )
    extra = [b for b in result.builds if b.stored_responses != b.responses]
    if extra:
        out.append(
            "the report also compares another questionnaire: databases hold"
            f" {extra[0].stored_responses:,} responses for {extra[0].responses:,}, and so on."
        )
    out.append(
        "gen s: demo data generation + commit into a fresh SQLite file (not in build s): "
        + ", ".join(
            f"{b.stored_responses / b.generate_seconds:,.0f}/s ({b.generate_cpu_seconds:.1f} s CPU)"
            for b in result.builds
        )
        + "."
    )
    return out


def verdicts(result: ReportBench) -> list[str]:
    """Issue 12's targets (wall, with CPU beside it), then growth no faster than linear."""
    base = result.builds[0]
    out = []
    for responses, seconds, strict in TARGETS:
        target = next((b for b in result.builds if b.responses == responses), None)
        if target is not None:
            met = target.seconds < seconds if strict else target.seconds <= seconds
            out.append(
                f"target {responses:,} responses in {'under' if strict else 'at most'}"
                f" {seconds:.1f} s:"
                f" {target.seconds:.2f} s wall ({target.cpu_seconds:.2f} s CPU)"
                f" -> {'MET' if met else 'MISSED'}"
            )
    for b in result.builds[1:]:
        time_ratio, size_ratio, exponent = growth(b, base)
        ok = "yes" if time_ratio <= size_ratio else "NO"
        out.append(
            f"{b.responses:,} vs {base.responses:,}: {size_ratio:.0f}x responses,"
            f" {time_ratio:.2f}x time (exponent {_exp(exponent)}) -> no faster than linear: {ok}"
        )
    return out


def to_json(result: ReportBench, builds: int, trace: bool) -> dict[str, Any]:
    """Everything measured, plus what it was measured on."""
    base = result.builds[0]
    return {
        "report_id": result.report_id,
        "report_path": result.report_path,
        "builds_per_size": builds,
        "tracemalloc": trace,
        "python_sqlite": sqlite3.sqlite_version,
        "cpus": result.cpus,
        "load_average_start_end": result.load,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sizes": [
            {
                **dataclasses.asdict(b),
                "seconds": b.seconds,
                "time_ratio": growth(b, base)[0],
                "exponent": None if b is base else growth(b, base)[2],
            }
            for b in result.builds
        ],
        "verdicts": verdicts(result),
        "baseline_ref": result.baseline_ref,
        "baselines": {str(size): measured for size, measured in result.baselines.items()},
    }


def parse_sizes(text: str) -> tuple[int, ...]:
    """`1000,10000` or `1k,10k` -> (1000, 10000)."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        sizes.append(int(part[:-1]) * 1000 if part.endswith("k") else int(part))
    if not sizes or any(s < 1 for s in sizes):
        raise ValueError("sizes must be positive integers")
    return tuple(sizes)
