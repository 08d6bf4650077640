"""The disclosure audit of the needs-gap block's per-row populations: "who rated the row in
both questions" (`answered` with `also_answered`: importance and current capacity, two
answers of one response), modelled by joint.py.

The needs-assessment sample report of a few generated scenarios is built through the app;
every figure of those populations that is linear (n, the two means, the mean discrepancy)
is a constraint of their joint models, and nothing hidden is solved. Borich's MWDS, the
RDM's median and % positive and the two ranks are not linear and stay skipped. With the
app's guard weakened (a row's people who rated it in both no longer checked against the
people who rated it in one), the audit reports the few people who tell the two apart.
"""

from __future__ import annotations

from survey_app.reporting.disclosure import Disclosure

from . import joint
from .joint_runs import audited_kind
from .rawdata import answer_of
from .scenarios import (
    NEEDS,
    REPORTS,
    app_json,
    generate,
    respondents,
    run_audits,
    specs_for,
)

NEEDS_REPORT = REPORTS[0]
#: The gap block's two matrices in the sample needs report.
IMPORTANCE, CAPACITY = "capacity_importance", "confidence"
#: Needs reports with rows shown and hidden (k=3: four shown, two hidden; k=5: shown rows
#: next to raters of one matrix 1..k-1 more, whose ratings are then solved for).
SHOWN_SEEDS = (2889989257, 782622011)
#: A k=3 scenario of six people: "advocacy" was rated in both by 5, in capacity by all 6.
NEAR_SEED, NEAR_ROW = 3115716297, "advocacy"


def test_app_built_gap_rows_are_modelled_and_leak_nothing(session, models):
    """Each shown row's n, means and mean discrepancy are constraints (only the MWDS, RDM
    figures and ranks skipped), what tells its people from those who rated the row in one
    question is solved for, and nothing is solved."""
    reports, _ = audited_kind(
        session, models, NEEDS_REPORT, SHOWN_SEEDS, joint.GAP, "also answered"
    )
    for data in reports:
        rows = {p["key"] for p in data["populations"] if joint.kind_of(p["definition"])}
        assert any(
            f["statistic"] == "mean_discrepancy" for f in data["figures"] if f["population"] in rows
        )


def test_the_harness_fails_gap_rows_shown_next_to_the_raters_of_one_question(
    session, models, monkeypatch
):
    """A row's people who rated it in both, beside those who rated it in one question, when
    1..k-1 of those did not rate it in both: through the rules (`within=` the raters) the
    row is hidden; with that check dropped, the others' ratings are the difference of the
    raters' figures and the row's means, and the harness fails."""
    specs = specs_for(models)
    scenario = generate(NEAR_SEED, models)
    rows = [r for r in respondents(scenario) if r.questionnaire == NEEDS]
    both = sum(
        all(answer_of(r, q, NEAR_ROW) is not None for q in (IMPORTANCE, CAPACITY)) for r in rows
    )
    capacity = sum(answer_of(r, CAPACITY, NEAR_ROW) is not None for r in rows)
    assert both >= scenario.k
    assert 0 < capacity - both < scenario.k
    original = Disclosure.population

    def unguarded(self, definition, label, size, **around):
        if definition.also_answered and definition.row == NEAR_ROW:
            around = {}
        return original(self, definition, label, size, **around)

    monkeypatch.setattr(Disclosure, "population", unguarded)
    run = run_audits(app_json(session, (NEEDS_REPORT,)), [scenario], specs)
    leaks = [line for line in run.failures if "leak: " in line and "also answered" in line]
    assert leaks, run.failures[:5]
