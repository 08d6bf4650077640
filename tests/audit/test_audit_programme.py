"""The disclosure audit of the programme report (issue 18): trainings side by side.

A programme is several generated trainings stored through the app, one of them cut to
fewer than k respondents; the programme report is built by the app, its figures recomputed
from raw rows, and the audit, with each training a breakdown answer ("training"), proves
that no hidden training's figures (nor the residual's) can be solved.
"""

from __future__ import annotations

import os

from survey_app.reporting.disclosure import BreakdownPlan, Disclosure, Group

from .audit import audit
from .rawdata import check_figures
from .scenarios import NEAR_MISS, Scenario, build_programme, generate, scenarios, small_training

#: Programmes built and audited (3 trainings each, about 2 s each on a loaded machine).
PROGRAMMES = int(os.environ.get("AUDIT_PROGRAMMES", "2"))


def _trainings(models, n: int) -> list[Scenario]:
    """Programme n: three generated trainings, the last cut to 1..4 respondents."""
    seeds = [s.seed % NEAR_MISS for s in scenarios(3 * (n + 1), models)][3 * n :]
    many = [generate(seed, models) for seed in seeds]
    many[-1] = small_training(many[-1], 1 + n % 4)
    return many


def _hidden_trainings(data) -> list[str]:
    return [
        h["key"]
        for h in data["hidden"]
        if (h["definition"].get("group") or {}).get("question") == "training"
    ]


def _named_trainings(data) -> list[str]:
    """Whole-programme columns of one named training."""
    return [
        p["key"]
        for p in data["populations"]
        if (group := p["definition"].get("group")) is not None
        and group["question"] == "training"
        and not group.get("exclude")
        and p["definition"]["answered"] is None
    ]


def test_app_built_programme_reports_leak_nothing(session, models):
    """Each programme's report: figures match their recount, a small training is hidden
    (and with it another, or the residual would give it away), and nothing hidden — the
    small training, the residual "other trainings" — is solved."""
    for n in range(PROGRAMMES):
        programme = build_programme(session, _trainings(models, n))
        data = programme.data
        checked = check_figures(data, programme.rows)
        assert not checked.mismatches
        assert checked.checked > 10
        assert _hidden_trainings(data)
        # The residual rule acted: of two large trainings only one is named (the other
        # goes with the small one into "Other trainings").
        assert len(_named_trainings(data)) == 1
        result = audit(data, programme.rows, programme.specs)
        assert any("with training=" in t.population for t in result.targets)
        assert result.ok, (result.leaks[:5], result.undecided[:5], result.small)


def test_the_harness_fails_a_programme_without_the_residual_rule(session, models, monkeypatch):
    """Trainings of k or more shown whatever the residual: the small training is the
    programme minus the shown ones, and the audit solves its figures."""

    def per_cell(self, within, by, sizes, labels, **_):
        def one(g):
            return within.definition.narrowed(group=Group(by, (g,)))

        shown = tuple((g, self._show(one(g), g, n)) for g, n in sizes.items() if n >= self.k)
        hidden = tuple(
            self._hide(one(g), g, self.reason_small) for g, n in sizes.items() if 0 < n < self.k
        )
        return BreakdownPlan(shown, None, hidden)

    monkeypatch.setattr(Disclosure, "breakdown", per_cell)
    programme = build_programme(session, _trainings(models, 1))
    result = audit(programme.data, programme.rows, programme.specs)
    small = str(programme.trainings[-1].training_id)
    names = (f"training in {small}", f"training={small}")
    assert any(t.population.endswith(names) for t in result.leaks), result.leaks[:5]
