"""The report build of another git revision, measured on the same database in the same run.

Why: the machine is shared, so seconds measured an hour apart say little; a baseline built
from `git archive <ref>` and timed right next to the current code, in turn, gives ratios
that other load shifts alike on both sides.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from survey_app.settings import ROOT

#: What a baseline build needs from the revision: the package and the content it reads.
EXPORTED = ("survey_app", "questionnaires", "reports")
#: Runs `bench.report.measure` with the code under the current directory, JSON to argv[1].
_RUNNER = (
    "import json, sys\n"
    "from pathlib import Path\n"
    "from bench.report import measure\n"
    "out, args = sys.argv[1], json.loads(sys.argv[2])\n"
    "result = measure(Path(args[0]), Path(args[1]), Path(args[2]), args[3], args[4])\n"
    "Path(out).write_text(json.dumps(result))\n"
)


def export(ref: str, dest: Path) -> Path:
    """`ref`'s package and content under `dest`, with this checkout's bench beside them."""
    archive = subprocess.run(  # noqa: S603 - a ref given on our own command line
        ["git", "archive", "--format=tar", ref, *EXPORTED],  # noqa: S607 - git from PATH
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tempfile.TemporaryFile() as tar:
        tar.write(archive)
        tar.seek(0)
        with tarfile.open(fileobj=tar) as opened:
            opened.extractall(dest, filter="data")
    # The current harness, so both sides are timed by the same code.
    shutil.copytree(ROOT / "bench", dest / "bench", ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def measure_code(code_dir: Path, *args: Any) -> dict[str, Any]:
    """`bench.report.measure(*args)` in a fresh interpreter importing the code in `code_dir`."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(  # noqa: S603 - our interpreter and our fixed script
            [
                sys.executable,
                "-c",
                _RUNNER,
                out.name,
                json.dumps([str(a) for a in args[:3]] + list(args[3:])),
            ],
            cwd=code_dir,
            env={**os.environ, "PYTHONPATH": str(code_dir)},
            check=True,
            stderr=subprocess.DEVNULL,
        )
        result: dict[str, Any] = json.loads(Path(out.name).read_text())
    return result


def comparison(ref: str, current: list[Any], baselines: dict[int, dict[str, Any]]) -> list[str]:
    """Per size: baseline and current wall and CPU seconds, and current / baseline."""
    if not baselines:
        return []
    lines = [
        f"against {ref} (timed in turn with the current code, same database, same run):",
        f"{'responses':>9} {'base s':>7} {'now s':>7} {'ratio':>6} {'base cpu':>8}"
        f" {'now cpu':>8} {'ratio':>6}",
    ]
    for build in current:
        base = baselines.get(build.responses)
        if base is None:
            continue
        wall, cpu = min(base["runs"]), base["cpu_seconds"]
        lines.append(
            f"{build.responses:>9,} {wall:>7.2f} {build.seconds:>7.2f}"
            f" {build.seconds / wall:>6.2f} {cpu:>8.2f} {build.cpu_seconds:>8.2f}"
            f" {build.cpu_seconds / cpu:>6.2f}"
        )
    return lines
