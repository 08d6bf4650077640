"""The disclosure audit of the pre/post block's per-item pairs: "the pairs who answered the
item before and after" (`paired` with `answered_both`), modelled by joint.py.

The pre/post sample report of a few generated scenarios is built through the app; every
figure of those populations that is linear (n, mean before, mean after, mean difference)
is a constraint of their joint models, and nothing hidden is solved. With the app's guard
weakened (an item's pairs no longer checked against the phase's people who answered it),
the audit reports the few people who tell the two apart.
"""

from __future__ import annotations

from survey_app.reporting.disclosure import Disclosure

from . import joint
from .joint_runs import audited_kind
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


def test_app_built_pairs_per_item_are_modelled_and_leak_nothing(session, models):
    """Each shown item's n and means are constraints (none skipped but the Wilcoxon test and
    the effect size), what tells its pairs from the people around them is solved for, and
    nothing is solved."""
    audited_kind(session, models, PRE_POST, SHOWN_SEEDS, joint.PAIRS, "in both phases")


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
