"""Command line: `python -m bench` prints req/s per endpoint and verifies stored rows."""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
from pathlib import Path

from .submit import Result, run, verify


def parse_args() -> argparse.Namespace:
    """The benchmark's options; the defaults keep a 2-core run under about a minute."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--submissions", type=int, default=500, help="requests per timed run")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best one counts")
    parser.add_argument("--threads", type=int, default=8, help="concurrent writers")
    parser.add_argument("--per-thread", type=int, default=40, help="posts per concurrent writer")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    return parser.parse_args()


def report(result: Result, repeat: int) -> str:
    """The results as a small plain-text table."""
    base = result.timings[0].per_second
    lines = [
        f"{'endpoint':<36} {'requests':>8} {'seconds':>8} {'req/s':>9} {'vs /healthz':>11}",
    ]
    for t in result.timings:
        lines.append(
            f"{t.endpoint:<36} {t.requests:>8} {t.seconds:>8.3f} {t.per_second:>9.1f}"
            f" {t.per_second / base:>11.4f}"
        )
    c = result.concurrent
    lines.append(
        f"{f'POST x {c.threads} threads (concurrent)':<36} {c.acknowledged:>8} {c.seconds:>8.3f}"
        f" {c.per_second:>9.1f} {c.per_second / base:>11.4f}"
    )
    lines += [
        "",
        f"best of {repeat} interleaved runs; in-process werkzeug test client, no network;",
        "SQLite file in WAL mode; CSRF disabled (its cost is not measured).",
        f"concurrent: {c.threads} threads, {c.acknowledged} acknowledged, {c.failed} failed,"
        f" {c.locked} 'database is locked'",
        f"stored responses: {result.stored} / acknowledged submissions: {result.acknowledged}"
        f" -> {'OK' if result.stored == result.acknowledged else 'MISMATCH'}",
    ]
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark, print the table, optionally write JSON, then verify."""
    args = parse_args()
    result = run(args.submissions, args.repeat, args.threads, args.per_thread)
    print(report(result, args.repeat))
    if args.json:
        data = dataclasses.asdict(result)
        for row, timing in zip(data["timings"], result.timings, strict=True):
            row["per_second"] = timing.per_second
        data["concurrent"]["per_second"] = result.concurrent.per_second
        data["python"] = platform.python_version()
        data["repeat"] = args.repeat
        args.json.write_text(json.dumps(data, indent=2) + "\n")
    verify(result)


if __name__ == "__main__":
    main()
