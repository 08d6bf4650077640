"""The disclosure audit of the pre/post block's per-item pairs: "the pairs who answered the
item before and after" (`paired` with `answered_both`), modelled by joint.py.

The pre/post sample report of a few generated scenarios is built through the app; every
figure of those populations that is linear (n, mean before, mean after, mean difference)
is a constraint of their joint models, and nothing hidden is solved. With the app's guard
weakened (an item's pairs no longer checked against the phase's people who answered it),
the audit reports the few people who tell the two apart.
"""

from __future__ import annotations

from typing import Any

import pytest

from survey_app.content import registry
from survey_app.reporting.disclosure import LINEAR_STATISTICS, Disclosure

from . import joint
from .rawdata import answer_of, answered_in_all
from .scenarios import (
    POST,
    REPORTS,
    Scenario,
    app_json,
    generate,
    respondents,
    run_audits,
    specs_for,
)

PRE_POST = REPORTS[1]
#: The matrix the sample report's pre/post block compares.
RATED = "confidence"
#: Scenarios whose pre/post reports show the pairs of every row (k=3), some of them (k=5,
#: one hidden for fewer than k), and some next to the phase's raters (k=3, two hidden).
SHOWN_SEEDS = (7060398143, 3523645167, 2889989257)
#: A k=3 scenario with rows whose pairs are 1..k-1 fewer than the paired raters after.
NEAR_SEED = 2889989257


@pytest.fixture
def models(app):
    with app.app_context():
        return registry().questionnaire_models()


def _pairs_per_item(data: dict[str, Any]) -> tuple[int, int]:
    """(shown, hidden) populations of "pairs who answered the item both times"."""

    def of_pairs(p: dict[str, Any]) -> bool:
        return joint.kind_of(p["definition"]) is joint.PAIRS

    return sum(map(of_pairs, data["populations"])), sum(map(of_pairs, data["hidden"]))


def test_app_built_pairs_per_item_are_modelled_and_leak_nothing(session, models):
    """Each shown item's n and means are constraints (none skipped but the Wilcoxon test and
    the effect size), what tells its pairs from the people around them is solved for, and
    nothing is solved."""
    reports: list[dict[str, Any]] = []

    def build(scenario: Scenario) -> list[dict[str, Any]]:
        out = app_json(session, (PRE_POST,))(scenario)
        reports.extend(out)
        return out

    many = [generate(seed, models) for seed in SHOWN_SEEDS]
    run = run_audits(build, many, specs_for(models))
    assert not run.failures, "\n".join(run.failures[:20])
    assert all(_pairs_per_item(data)[0] for data in reports)
    assert any(_pairs_per_item(data)[1] for data in reports)
    for data, (_, result) in zip(reports, run.results, strict=True):
        left_out = [s for s in result.skipped_joint if "in both phases" in s]
        linear = (*LINEAR_STATISTICS, *joint.STATISTICS)
        assert not [s for s in left_out if s.split()[0] in linear], left_out[:5]
        items = [p for p in data["populations"] if joint.kind_of(p["definition"])]
        figures = [f for f in data["figures"] if f["population"] in {p["key"] for p in items}]
        assert len(left_out) == sum(f["statistic"] not in linear for f in figures)
    assert sum(result.joint_targets for _, result in run.results) > 20


def _near_rows(scenario: Scenario, rows_of: tuple[str, ...]) -> list[str]:
    """Rows whose pairs (k or more) are 1..k-1 fewer than the paired raters after."""
    rows, k = respondents(scenario), scenario.k
    out = []
    for row in rows_of:
        both = sum(r.phase == "post" and answered_in_all(r, RATED, row, waves=False) for r in rows)
        after = sum(
            r.phase == "post" and r.paired and answer_of(r, RATED, row) is not None for r in rows
        )
        if both >= k and 0 < after - both < k:
            out.append(row)
    return out


def test_the_harness_fails_pairs_per_item_shown_next_to_the_raters_of_the_item(
    session, models, monkeypatch
):
    """An item's pairs beside the phase's people who answered it, when 1..k-1 of those did
    not answer it both times: through the rules (`within=` the phase's raters) the item is
    hidden; with that check dropped, the others' ratings are the difference of the raters'
    figures and the pairs' mean, and the harness fails."""
    specs = specs_for(models)
    scenario = generate(NEAR_SEED, models)
    assert _near_rows(scenario, specs[POST][RATED].rows)
    assert not run_audits(app_json(session, (PRE_POST,)), [scenario], specs).failures
    original = Disclosure.population

    def unguarded(self, definition, label, size, **around):
        if definition.paired and definition.answered_both:
            around = {}
        return original(self, definition, label, size, **around)

    monkeypatch.setattr(Disclosure, "population", unguarded)
    run = run_audits(app_json(session, (PRE_POST,)), [scenario], specs)
    leaks = [line for line in run.failures if "leak: " in line and "in both phases" in line]
    assert leaks, run.failures[:5]
