"""Command line: `python -m bench [all|submit|report|load]`.

submit: requests per second per endpoint, with every acknowledged submission verified as
stored. report: the sample report's PDF build time, memory and stage shares for 1,000 /
10,000 / 100,000 demo responses. all (the default) runs both, submit first.
load: the app under gunicorn on loopback, against SQLite and a throwaway PostgreSQL
cluster: a burst of participants, a worker killed, a report during a burst, a database
outage (bench/load.py). Not part of all: it needs PostgreSQL and takes several minutes.
export: CSV, XLSX, SPSS and Stata exports (one phase, long, wide) of one training with
100,000 responses before (and ~85,000 after) the training: time against CSV, and memory
growth beside the same export of a tenth as many responses (bench/export.py).
Not part of all: generating the data and running every export takes about ten minutes.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from . import export, load, report, submit


def _sizes(text: str) -> tuple[int, ...]:
    try:
        return report.parse_sizes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _names(choices: tuple[str, ...]) -> Any:
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(n.strip() for n in text.split(",") if n.strip())
        unknown = [n for n in names if n not in choices]
        if unknown or not names:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(choices)}")
        return names

    return parse


def parse_args() -> argparse.Namespace:
    """The benchmarks' options; submit's defaults keep a 2-core run under about a minute."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "benchmark", nargs="?", choices=("all", "submit", "report", "load", "export"), default="all"
    )
    parser.add_argument(
        "--json", type=Path, help="also write the results to this file ({submit, report} for all)"
    )
    group = parser.add_argument_group("submit")
    group.add_argument("--submissions", type=int, default=500, help="requests per timed run")
    group.add_argument("--repeat", type=int, default=3, help="timed runs; the best one counts")
    group.add_argument("--threads", type=int, default=8, help="concurrent writers")
    group.add_argument("--per-thread", type=int, default=40, help="posts per concurrent writer")
    group = parser.add_argument_group("report")
    group.add_argument(
        "--sizes",
        type=_sizes,
        default=report.SIZES,
        help="responses per build, comma-separated (default: 1000,10000,100000; 1k works)",
    )
    group.add_argument(
        "--report",
        type=Path,
        default=report.SAMPLE_REPORT,
        help="report definition (default: reports/untoc-needs-assessment-report.yaml)",
    )
    group.add_argument("--builds", type=int, default=1, help="timed builds per size; best counts")
    group.add_argument(
        "--baseline",
        metavar="REF",
        help="also time this git revision's build (e.g. main) on each database, in turn with"
        " the current code, and print the ratios",
    )
    group.add_argument("--seed", type=int, default=1, help="demo data seed")
    group.add_argument(
        "--no-tracemalloc",
        dest="trace",
        action="store_false",
        help="skip the extra build that measures Python allocations",
    )
    group = parser.add_argument_group("export")
    group.add_argument(
        "--export-responses", type=int, default=export.RESPONSES, help="responses before"
    )
    group = parser.add_argument_group("load")
    group.add_argument("--participants", type=int, default=500, help="per burst")
    group.add_argument("--concurrency", type=int, default=50, help="participants in flight")
    group.add_argument(
        "--scenarios",
        type=_names(load.SCENARIOS),
        default=load.SCENARIOS,
        help="comma-separated (default: burst,kill,report,outage)",
    )
    group.add_argument(
        "--backends",
        type=_names(load.BACKENDS),
        default=load.BACKENDS,
        help="comma-separated (default: sqlite,postgresql)",
    )
    group.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py)")
    group.add_argument(
        "--worker-class", help="override gunicorn.conf.py's, e.g. gthread (to compare)"
    )
    group.add_argument("--gunicorn-threads", type=int, help="threads per worker (gthread)")
    group.add_argument("--demo-responses", type=int, default=10_000, help="for the report scenario")
    group.add_argument("--kills", type=int, choices=(1, 2, 3), default=3, help="workers killed")
    group.add_argument("--outage-seconds", type=float, default=5.0, help="PostgreSQL down time")
    group.add_argument("--outage-retries", type=int, default=20, help="per participant")
    return parser.parse_args()


def run_submit(args: argparse.Namespace) -> tuple[dict[str, Any], submit.Result]:
    """Run and print the submission benchmark."""
    result = submit.run(args.submissions, args.repeat, args.threads, args.per_thread)
    print(submit.table(result, args.repeat))
    return submit.to_json(result, args.repeat), result


def run_report(args: argparse.Namespace) -> dict[str, Any]:
    """Run and print the report benchmark."""
    print(f"report benchmark: {', '.join(f'{s:,}' for s in args.sizes)} responses")
    result = report.run(
        args.sizes, args.report, args.builds, args.seed, args.trace, baseline_ref=args.baseline
    )
    print()
    print(report.table(result, args.builds, args.trace))
    return report.to_json(result, args.builds, args.trace)


def run_load(args: argparse.Namespace) -> dict[str, Any]:
    """Run and print the load and fault scenarios; exit 1 on lost or partial submissions."""
    gunicorn_args: list[str] = []
    if args.worker_class:
        gunicorn_args += ["--worker-class", args.worker_class]
    if args.gunicorn_threads:
        gunicorn_args += ["--threads", str(args.gunicorn_threads)]
    options = load.Options(
        participants=args.participants,
        concurrency=args.concurrency,
        scenarios=args.scenarios,
        backends=args.backends,
        workers=args.workers,
        gunicorn_args=tuple(gunicorn_args),
        demo_responses=args.demo_responses,
        kills=args.kills,
        outage_seconds=args.outage_seconds,
        outage_retries=args.outage_retries,
    )
    results = load.run(options)
    print()
    print(load.tables(results, options))
    return results


def _exit_on_sigterm(signum: int, _frame: Any) -> None:
    # SystemExit unwinds the servers' context managers, which stop them and clean up.
    sys.exit(128 + signum)


def main() -> None:
    """Run the chosen benchmarks, print their tables, optionally write JSON, then verify."""
    args = parse_args()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if args.benchmark == "load":
        results = run_load(args)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
        found = load.problems(results)
        if found:
            sys.exit("PROBLEMS: " + "; ".join(found))
        return
    if args.benchmark == "export":
        runs = export.run(args.export_responses, args.seed)
        print()
        print(export.table(runs))
        if args.json:
            args.json.write_text(json.dumps(export.to_json(runs), indent=2) + "\n")
        return
    data: dict[str, Any] = {}
    submitted = None
    if args.benchmark in ("all", "submit"):
        data["submit"], submitted = run_submit(args)
    if args.benchmark == "all":
        print()
    if args.benchmark in ("all", "report"):
        data["report"] = run_report(args)
    if args.json:
        written = data if args.benchmark == "all" else data[args.benchmark]
        args.json.write_text(json.dumps(written, indent=2) + "\n")
    if submitted is not None:
        submit.verify(submitted)


if __name__ == "__main__":
    main()
