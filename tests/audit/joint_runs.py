"""Shared checks of the tests of one kind of joint population (test_audit_paired.py,
test_audit_gap.py): built through the app, modelled, and leaking nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from survey_app.reporting.disclosure import LINEAR_STATISTICS

from . import joint
from .scenarios import HarnessRun, app_json, generate, run_audits, specs_for

#: Statistics of joint populations that are linear (constraints of the joint models).
LINEAR = (*LINEAR_STATISTICS, *joint.STATISTICS)


def audited_kind(
    session: Session,
    models: Any,
    report: Any,
    seeds: Sequence[int],
    kind: joint.Kind,
    marker: str,
) -> tuple[list[dict[str, Any]], HarnessRun]:
    """Build `report` for each seed's scenario and audit it; assert nothing leaks, that
    populations of `kind` are shown in every report and hidden in some, and that the only
    figures of theirs left out of the models (named with `marker`) are the non-linear ones."""
    reports: list[dict[str, Any]] = []

    def build(scenario: Any) -> list[dict[str, Any]]:
        out = app_json(session, (report,))(scenario)
        reports.extend(out)
        return out

    run = run_audits(build, [generate(seed, models) for seed in seeds], specs_for(models))
    assert not run.failures, "\n".join(run.failures[:20])

    def counts(data: dict[str, Any]) -> tuple[int, int]:
        def of_kind(p: dict[str, Any]) -> bool:
            return joint.kind_of(p["definition"]) is kind

        return sum(map(of_kind, data["populations"])), sum(map(of_kind, data["hidden"]))

    assert all(counts(data)[0] for data in reports)
    assert any(counts(data)[1] for data in reports)
    for data, (_, result) in zip(reports, run.results, strict=True):
        left_out = [s for s in result.skipped_joint if marker in s]
        assert not [s for s in left_out if s.split()[0] in LINEAR], left_out[:5]
        keys = {p["key"] for p in data["populations"] if joint.kind_of(p["definition"]) is kind}
        figures = [f for f in data["figures"] if f["population"] in keys]
        assert len(left_out) == sum(f["statistic"] not in LINEAR for f in figures)
    assert sum(result.joint_targets for _, result in run.results) > 20
    return reports, run
