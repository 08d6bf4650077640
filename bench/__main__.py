"""Command line: `python -m bench [all|submit|report]`.

submit: requests per second per endpoint, with every acknowledged submission verified as
stored. report: the sample report's PDF build time, memory and stage shares for 1,000 /
10,000 / 100,000 demo responses. all (the default) runs both, submit first.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from . import report, submit


def _sizes(text: str) -> tuple[int, ...]:
    try:
        return report.parse_sizes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_args() -> argparse.Namespace:
    """The benchmarks' options; submit's defaults keep a 2-core run under about a minute."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("benchmark", nargs="?", choices=("all", "submit", "report"), default="all")
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
    group.add_argument("--seed", type=int, default=1, help="demo data seed")
    group.add_argument(
        "--no-tracemalloc",
        dest="trace",
        action="store_false",
        help="skip the extra build that measures Python allocations",
    )
    return parser.parse_args()


def run_submit(args: argparse.Namespace) -> tuple[dict[str, Any], submit.Result]:
    """Run and print the submission benchmark."""
    result = submit.run(args.submissions, args.repeat, args.threads, args.per_thread)
    print(submit.table(result, args.repeat))
    return submit.to_json(result, args.repeat), result


def run_report(args: argparse.Namespace) -> dict[str, Any]:
    """Run and print the report benchmark."""
    print(f"report benchmark: {', '.join(f'{s:,}' for s in args.sizes)} responses")
    result = report.run(args.sizes, args.report, args.builds, args.seed, args.trace)
    print()
    print(report.table(result, args.builds, args.trace))
    return report.to_json(result, args.builds, args.trace)


def main() -> None:
    """Run the chosen benchmarks, print their tables, optionally write JSON, then verify."""
    args = parse_args()
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
