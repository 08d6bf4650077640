"""The disclosure audit over 200 generated small trainings, built through the app.

Each scenario is stored as a training, both sample reports are built filtered to it, every
released linear figure is recomputed from raw rows, and the audit proves that no hidden value
can be solved from the figures.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from survey_app.reporting.disclosure import (
    LINEAR_STATISTICS,
    BreakdownPlan,
    Disclosure,
    Group,
)

from . import joint
from .reference import reference_json
from .scenarios import (
    Scenario,
    app_json,
    env_log,
    generate,
    respondents,
    run_audits,
    scenarios,
    specs_for,
)

COUNT = int(os.environ.get("AUDIT_SCENARIOS", "200"))
#: Scenarios whose two reports the app builds and the audit solves (about 10-25 s each on a
#: loaded 2-core machine); AUDIT_APP_SCENARIOS=200 for the acceptance run (issue 12).
#: Seeds of NEAR_MISS (2**32) or more have near-miss pairing on (scenarios.py).
APP_COUNT = int(os.environ.get("AUDIT_APP_SCENARIOS", "1"))
#: AUDIT_SEEDS="3144491182 2891415704": audit exactly these scenarios (the seeds a log line
#: names) instead of the first APP_COUNT, to rerun the ones a long run failed.
SEEDS = [int(s) for s in os.environ.get("AUDIT_SEEDS", "").replace(",", " ").split()]
#: Scenarios audited against the plain-Python full release (about 2 s each on one core).
REFERENCE_COUNT = int(os.environ.get("AUDIT_REFERENCE_SCENARIOS", "20"))


def test_generated_scenarios_cover_the_cases_the_issue_names(models):
    many = scenarios(COUNT, models)
    assert {s.k for s in many} == {3, 5}
    sizes = [sum(r.phase == "pre" for r in respondents(s)) for s in many]
    assert all(6 <= n <= 40 for n in sizes)
    assert min(sizes) < 10
    assert max(sizes) > 30
    unmatched = sum(any(r.phase == "post" and not r.paired for r in respondents(s)) for s in many)
    lone = sum(
        0 < sum(r.answers["stakeholder_type"].values == ("private",) for r in pre) < s.k
        for s in many
        if (pre := [r for r in respondents(s) if r.phase == "pre"])
    )
    superseded = sum(len(s.submissions) > len(respondents(s)) for s in many)
    skipped = sum("engagement_channels" not in r.shown for s in many for r in respondents(s))
    assert unmatched > COUNT // 4
    assert lone == COUNT
    assert superseded > COUNT // 4
    assert skipped


def test_some_scenarios_have_probable_pairs_few_and_many(models):
    """Near-miss pairing on in about half: probable pairs under k and of k or more, and
    near misses that are no probable pair (ambiguous, or one side matched exactly)."""
    many = scenarios(COUNT, models)
    near = [s for s in many if s.near_miss]
    assert COUNT // 4 < len(near) < 3 * COUNT // 4
    pairs = [sum(r.probable and r.phase == "post" for r in respondents(s)) for s in near]
    for s in near:  # a probable pair is one unpaired code of each phase
        rows = [r for r in respondents(s) if r.probable]
        assert not any(r.paired for r in rows)
        assert 2 * sum(r.phase == "post" for r in rows) == len(rows)
    assert sum(0 < n < s.k for n, s in zip(pairs, near, strict=True)) > COUNT // 20
    assert sum(n >= s.k for n, s in zip(pairs, near, strict=True)) > COUNT // 20
    assert not any(r.probable for s in many if not s.near_miss for r in respondents(s))
    missed = sum(
        sum(r.phase == "post" and not r.paired and not r.probable for r in respondents(s))
        > sum(1 for sub in {x.code for x in s.submissions if x.code and x.code.startswith("Zz")})
        for s in near
    )
    assert missed > COUNT // 20


def test_app_built_reports_leak_nothing(session, models):
    """Both sample reports of each scenario, built by the app (charts not drawn): every
    linear figure matches its recount from raw rows, every hidden value is decided (staged
    solving, see staged.py), none is solved, and no population of fewer than k is shown.

    Why undecided fails too: a target the solver gave up on is not proven safe.
    """
    many = [generate(seed, models) for seed in SEEDS] or scenarios(APP_COUNT, models)
    run = run_audits(app_json(session), many, specs_for(models), log=env_log())
    assert len(run.results) == 2 * len(many)
    assert run.figures_checked > 100 * len(many)
    assert sum(len(result.targets) for _, result in run.results) > 100 * len(many)
    assert not run.failures, "\n".join(run.failures[:20])
    # The pairs' per-item figures (n, means before, after and difference) are modelled
    # (joint.py, test_audit_paired.py): of those populations only the Wilcoxon test and
    # the effect size, not linear, are left out (and the gap's "also answered" ones).
    linear = (*LINEAR_STATISTICS, *joint.STATISTICS)
    left_out = [s for _, r in run.results for s in r.skipped_joint if "in both phases" in s]
    assert not [s for s in left_out if s.split()[0] in linear], left_out[:5]


def test_app_built_probable_pairs_leak_nothing(session, models):
    """A near-miss scenario whose pre/post report prints its probable pairs (k or more, and
    the codes that paired with nothing 0 or k or more): the audit models them and passes."""
    [scenario] = [
        s for s in scenarios(40, models) if _counts(s)[0] >= s.k and not 0 < _counts(s)[1] < s.k
    ][:1]
    reports: list[dict[str, Any]] = []
    run = run_audits(_recorded(app_json(session), reports), [scenario], specs_for(models))
    assert _probable_shown(reports) == 1
    assert not run.failures, "\n".join(run.failures[:20])


def test_a_full_release_under_the_rules_leaks_nothing(models):
    """Every linear figure of every question, per phase and per breakdown group, released
    through the real Disclosure rules: hundreds of targets per report, none solvable."""
    specs = specs_for(models)
    many = scenarios(REFERENCE_COUNT, models)
    reports: list[dict[str, Any]] = []
    build = _recorded(lambda sc: reference_json(sc, specs), reports)
    run = run_audits(build, many, specs, log=env_log())
    assert run.figures_checked > 300 * REFERENCE_COUNT
    assert sum(len(result.targets) for _, result in run.results) > 200 * REFERENCE_COUNT
    assert _probable_shown(reports)
    assert not run.failures, "\n".join(run.failures[:20])


def _recorded(
    build: Callable[[Scenario], list[dict[str, Any]]], into: list[dict[str, Any]]
) -> Callable[[Scenario], list[dict[str, Any]]]:
    """`build`, keeping every report it returns in `into`."""

    def run(scenario: Scenario) -> list[dict[str, Any]]:
        out = build(scenario)
        into.extend(out)
        return out

    return run


def _probable_shown(reports: list[dict[str, Any]]) -> int:
    """Reports that print the size of a population of probable pairs."""
    return sum(any(p["definition"]["probable"] for p in data["populations"]) for data in reports)


def test_the_harness_fails_a_build_without_the_residual_rule(models, monkeypatch):
    """The same full release, but groups of k or more show whatever the residual: the lone
    private-sector members are the total minus the shown groups, and the harness fails."""
    specs = specs_for(models)

    def per_cell(self, within, by, sizes, labels, **_):
        def one(g):
            return within.definition.narrowed(group=Group(by, (g,)))

        shown = tuple((g, self._show(one(g), g, n)) for g, n in sizes.items() if n >= self.k)
        hidden = tuple(
            self._hide(one(g), g, self.reason_small) for g, n in sizes.items() if 0 < n < self.k
        )
        return BreakdownPlan(shown, None, hidden)

    monkeypatch.setattr(Disclosure, "breakdown", per_cell)
    many = [s for s in scenarios(10, models) if s.k == 5][:2]
    run = run_audits(lambda sc: reference_json(sc, specs), many, specs)
    assert any("stakeholder_type in private" in line for line in run.failures)


def test_the_harness_fails_a_build_that_shows_a_small_group(models, monkeypatch):
    specs = specs_for(models)

    def every_group(self, within, by, sizes, labels, **_):
        def one(g):
            return within.definition.narrowed(group=Group(by, (g,)))

        return BreakdownPlan(
            tuple((g, self._show(one(g), g, n)) for g, n in sizes.items() if n), None, ()
        )

    monkeypatch.setattr(Disclosure, "breakdown", every_group)
    run = run_audits(lambda sc: reference_json(sc, specs), scenarios(1, models), specs)
    assert any("shown with fewer than" in line for line in run.failures)


def _counts(scenario: Scenario) -> tuple[int, int]:
    """(probable pairs, post codes that paired with nothing at all) of a scenario."""
    post = [r for r in respondents(scenario) if r.phase == "post" and not r.paired]
    probable = sum(r.probable for r in post)
    return probable, len(post) - probable


def test_the_harness_fails_a_build_that_shows_few_probable_pairs(models, monkeypatch):
    """Probable pairs printed whatever their number: 1 to k-1 of them are caught."""
    specs = specs_for(models)

    def always(self, definition, label, size, *, counts):
        return self._show(definition, label, size)

    monkeypatch.setattr(Disclosure, "drawn_from_counts", always)
    many = [s for s in scenarios(40, models) if 0 < _counts(s)[0] < s.k][:2]
    run = run_audits(lambda sc: reference_json(sc, specs), many, specs)
    assert len(many) == 2
    assert any(
        "shown with fewer than" in line and "probable pairs" in line for line in run.failures
    )


def test_the_harness_fails_probable_pairs_that_single_out_the_rest(models, monkeypatch):
    """The pairs' and the probable pairs' answers next to everyone's: the people whose codes
    paired with nothing are everyone minus both. Through the rules (`drawn_from_counts`
    checks the codes that matched nothing) this scenario's build passes; with that check
    dropped, the 1 to k-1 others are solved.

    Not the full reference: next to a breakdown of everyone, the pairs' answers can give
    away a group's lone paired member (the rules compare a population with those containing
    it, not with another's breakdown), and no block prints them so.
    """
    specs = specs_for(models)
    [scenario] = [
        s for s in scenarios(40, models) if _counts(s)[0] >= s.k and 0 < _counts(s)[1] < s.k
    ][:1]

    def build(sc: Scenario) -> list[dict[str, Any]]:
        return reference_json(sc, specs, pair_answers=True)

    assert not run_audits(build, [scenario], specs).failures

    def at_least_k(self, definition, label, size, *, counts):
        if size < self.k:
            return self._hide(definition, label, self.reason_small)
        return self._show(definition, label, size)

    monkeypatch.setattr(Disclosure, "drawn_from_counts", at_least_k)
    run = run_audits(build, [scenario], specs)
    assert any(
        "leak: " in line and "codes that paired with nothing" in line for line in run.failures
    ), run.failures[:5]
