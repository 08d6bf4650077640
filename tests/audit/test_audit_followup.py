"""The disclosure audit of the follow-up report (issue 18): three waves, built through the app.

Each scenario has a follow-up wave (pairs who come back, some who answered only before,
codes no earlier wave used); it is stored as a training with its three questionnaires, the
follow-up sample report is built filtered to it, every linear figure is recomputed from raw
rows, and the audit proves that neither the three-wave set nor what sets it apart from each
wave (and from the pairs) can be solved when it is hidden.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from survey_app.reporting.disclosure import (
    LINEAR_STATISTICS,
    Disclosure,
    Population,
    PopulationDef,
)

from .rawdata import answer_of, members
from .scenarios import (
    DEFAULT_K_TEXT,
    FOLLOWUP,
    FOLLOWUP_REPORT,
    NEEDS,
    POST,
    Scenario,
    app_json,
    env_log,
    respondents,
    run_audits,
    scenarios,
    specs_for,
)

#: Follow-up scenarios built and audited (about 5-10 s each on a loaded 2-core machine).
FOLLOWUP_COUNT = int(os.environ.get("AUDIT_FOLLOWUP_SCENARIOS", "3"))


def _three_wave(scenario: Scenario) -> int:
    return sum(r.waves and r.phase == "followup" for r in respondents(scenario))


def _kind(scenario: Scenario) -> str:
    """How the rules should treat the scenario's three-wave set: "small" (fewer than k),
    "within" (1..k-1 fewer than a wave's respondents or the pairs) or "shown"."""
    rows = respondents(scenario)
    three = sum(r.waves and r.phase == "followup" for r in rows)
    around = [
        *(sum(r.phase == phase for r in rows) for phase in ("pre", "post", "followup")),
        sum(r.phase == "pre" and r.paired for r in rows),
    ]
    if three < scenario.k:
        return "small"
    return "within" if any(0 < n - three < scenario.k for n in around) else "shown"


def _picked(models: Any) -> list[Scenario]:
    """One scenario of each kind first, then the others in order: FOLLOWUP_COUNT in all."""
    many = scenarios(max(20, FOLLOWUP_COUNT), models, followup=True)
    first = {}
    for scenario in many:
        first.setdefault(_kind(scenario), scenario)
    rest = [s for s in many if all(s is not f for f in first.values())]
    return [*first.values(), *rest][: max(3, FOLLOWUP_COUNT)]


def _three_wave(data: dict[str, Any]) -> tuple[int, int]:
    """(shown, hidden) three-wave sets of a report (not the per-item ones)."""

    def plain(p: dict[str, Any]) -> bool:
        return bool(p["definition"].get("waves")) and p["definition"]["answered"] is None

    return (
        sum(plain(p) for p in data["populations"]),
        sum(plain(p) for p in data["hidden"]),
    )


def test_followup_scenarios_hide_and_show_the_three_wave_set(models):
    """Sizes near k: the set is fewer than k in some scenarios, 1..k-1 fewer than a wave or
    the pairs in others, and may show in others; codes no earlier wave used come back too."""
    many = scenarios(60, models, followup=True)
    kinds = [_kind(s) for s in many]
    assert {kinds.count(kind) > 5 for kind in ("small", "within", "shown")} == {True}
    strangers = [sum(r.phase == "followup" and not r.waves for r in respondents(s)) for s in many]
    assert sum(n > 0 for n in strangers) > 20
    superseded = sum(
        sum(sub.phase == "followup" for sub in s.submissions)
        > sum(r.phase == "followup" for r in respondents(s))
        for s in many
    )
    assert superseded > 5


def test_app_built_followup_reports_leak_nothing(session, models):
    """The follow-up sample report of each scenario (one of each kind first), built by the
    app: every linear figure matches its recount, the three-wave set shows only as the rules
    say, and nothing hidden (the set, and what tells it from each wave and the pairs) is
    solved."""
    many = _picked(models)
    assert {_kind(s) for s in many} == {"small", "within", "shown"}
    reports: list[dict[str, Any]] = []

    def build(scenario: Scenario) -> list[dict[str, Any]]:
        out = app_json(session, (FOLLOWUP_REPORT,))(scenario)
        reports.extend(out)
        return out

    run = run_audits(build, many, specs_for(models), log=env_log())
    assert not run.failures, "\n".join(run.failures[:20])
    for (scenario, result), data in zip(run.results, reports, strict=True):
        shown, hidden = _three_wave(data)
        assert (shown, hidden) == ((1, 0) if _kind(scenario) == "shown" else (0, 1))
        # The per-item means and n of "rated it in all three waves" are constraints now
        # (joint.py): only the non-linear statistics are left out.
        other = [f for f in data["figures"] if f["statistic"] not in LINEAR_STATISTICS]
        assert len(result.skipped) == len(other)
    targets = [t for _, result in run.results for t in result.targets]
    assert any("all three waves" in t.population for t in targets)
    assert sum(result.joint_targets for _, result in run.results) > 0
    assert run.figures_checked > 40 * len(many)


def test_the_harness_fails_a_build_that_shows_a_small_three_wave_set(session, models, monkeypatch):
    """The three-wave set printed however few: the harness reports it."""
    original = Disclosure.population

    def careless(self, definition, label, size, **kwargs):
        if definition.waves and definition.answered is None and size:
            return self._show(definition, label, size)
        return original(self, definition, label, size, **kwargs)

    monkeypatch.setattr(Disclosure, "population", careless)
    small = next(s for s in _picked(models) if _kind(s) == "small")
    run = run_audits(app_json(session, (FOLLOWUP_REPORT,)), [small], specs_for(models))
    assert any("shown with fewer than" in line and "three waves" in line for line in run.failures)


def _with_wave_answers(scenario: Scenario) -> list[dict[str, Any]]:
    """A reference build through the real rules (not the sample report): each wave's and
    the pairs' sizes, the three-wave set's, and `applied_learning` counts of all follow-up
    respondents and of the three-wave set, so that the set's answers could be subtracted."""
    rows = respondents(scenario)
    rules = Disclosure(scenario.k, DEFAULT_K_TEXT)

    def pop(definition: PopulationDef, label: str, **around: Any) -> Population | Any:
        return rules.population(definition, label, len(members(rows, definition)), **around)

    every, _, three = _waves_pairs_and_three(rules, pop)
    for shown in (every["followup"], three):
        if isinstance(shown, Population):
            people = members(rows, shown.definition)
            for point in range(1, 6):
                n = sum(r.answers.get("applied_learning") == point for r in people)
                rules.release_count(shown, "count", n, question="applied_learning", item=str(point))
    return [rules.as_json()]


def test_the_harness_fails_a_three_wave_set_shown_next_to_a_wave_it_differs_from_by_few(
    models, monkeypatch
):
    """The set's answers beside all follow-up respondents' when 1..k-1 of those are not in
    it: through the rules (`within`, `also_within`) the set is hidden and nothing is solved;
    with those checks dropped, the others' answers are the difference, and the harness
    fails."""
    specs = specs_for(models)

    def differs_by_few(scenario: Scenario) -> bool:
        rows = respondents(scenario)
        three = sum(r.waves and r.phase == "followup" for r in rows)
        return (
            three >= scenario.k
            and 0 < sum(r.phase == "followup" for r in rows) - three < scenario.k
        )

    [scenario] = [s for s in scenarios(40, models, followup=True) if differs_by_few(s)][:1]
    assert not run_audits(_with_wave_answers, [scenario], specs).failures
    original = Disclosure.population

    def blind(self, definition, label, size, **_):
        return original(self, definition, label, size)

    monkeypatch.setattr(Disclosure, "population", blind)
    run = run_audits(_with_wave_answers, [scenario], specs)
    assert any("leak: " in line and "all three waves" in line for line in run.failures), (
        run.failures[:5]
    )


#: The matrix of the retention block of the follow-up sample report.
RATED = "confidence"


def _joint(base: PopulationDef, row: str) -> PopulationDef:
    """ "In all three waves, rated the row" as the retention block defines it (`_answered`)."""
    return base.narrowed(waves=True, answered=RATED, row=row, answered_both=True)


def _waves_pairs_and_three(
    rules: Disclosure, pop: Callable[..., Any]
) -> tuple[dict[str, Any], Any, Any]:
    """Each wave's respondents, the pairs and the three-wave set (within each of the
    others) through the rules of a reference build, their sizes released."""
    every = {phase: pop(d, phase) for phase, d in _wave_bases().items()}
    pairs = pop(PopulationDef(NEEDS, phase="pre", paired=True), "pairs")
    three = pop(
        _wave_bases()["followup"].narrowed(waves=True),
        "three waves",
        within=every["followup"],
        also_within=(every["pre"], every["post"], pairs),
    )
    for shown in (*every.values(), pairs, three):
        if isinstance(shown, Population):
            rules.release_count(shown, "size", shown.size)
    return every, pairs, three


def _wave_bases() -> dict[str, PopulationDef]:
    return {
        phase: PopulationDef(q, phase=phase)
        for phase, q in (("pre", NEEDS), ("post", POST), ("followup", FOLLOWUP))
    }


def _row_near_its_raters(scenario: Scenario, rows_of: tuple[str, ...]) -> str | None:
    """A row whose three-wave raters are k or more, 1..k-1 fewer than the follow-up
    respondents who rated it, in a scenario that shows the three-wave set."""
    if _kind(scenario) != "shown":
        return None
    rows, k, base = respondents(scenario), scenario.k, _wave_bases()["followup"]
    for row in rows_of:
        joint = len(members(rows, _joint(base, row)))
        raters = len(members(rows, base.narrowed(answered=RATED, row=row)))
        if joint >= k and 0 < raters - joint < k:
            return row
    return None


def _with_joint_ratings(scenario: Scenario, row: str) -> list[dict[str, Any]]:
    """A reference build through the real rules: each wave's, the pairs' and the three-wave
    set's sizes, each wave's counts of the row's points among those who rated it, and the
    retention block's row (in all three waves, rated it: a mean per wave and the n), each
    wave's joint population within that wave's raters as the block asks (`within=`)."""
    rows = respondents(scenario)
    rules = Disclosure(scenario.k, DEFAULT_K_TEXT)

    def pop(definition: PopulationDef, label: str, **around: Any) -> Population | Any:
        return rules.population(definition, label, len(members(rows, definition)), **around)

    bases = _wave_bases()
    _, _, three = _waves_pairs_and_three(rules, pop)
    raters = {w: pop(d.narrowed(answered=RATED, row=row), f"rated ({w})") for w, d in bases.items()}
    for around in raters.values():
        if isinstance(around, Population):
            people = members(rows, around.definition)
            for point in range(1, 6):
                n = sum(answer_of(r, RATED, row) == point for r in people)
                rules.release_count(around, "count", n, question=RATED, row=row, item=str(point))
    if not isinstance(three, Population):
        return [rules.as_json()]
    joint = {}
    for wave in ("followup", "pre", "post"):
        within = raters[wave] if isinstance(raters[wave], Population) else None
        found = pop(_joint(bases[wave], row), "In all three waves, rated it", within=within)
        if not isinstance(found, Population):
            return [rules.as_json()]
        joint[wave] = found
    for found in joint.values():
        ratings = [answer_of(r, RATED, row) for r in members(rows, found.definition)]
        mean = sum(int(v) for v in ratings if isinstance(v, int)) / len(ratings)
        rules.release(found, "mean", mean, digits=2, question=RATED, row=row)
    rules.release_count(
        joint["followup"], "answered", joint["followup"].size, question=RATED, row=row
    )
    return [rules.as_json()]


def test_the_harness_fails_a_joint_population_shown_next_to_the_raters_of_its_row(
    models, monkeypatch
):
    """The retention row's people (in all three waves, rated it) beside all of a wave's
    raters of the row when 1..k-1 of those are not among them: through the rules
    (`within=`) the row is hidden and nothing is solved; with that check dropped, the
    others' ratings are the difference of the two, and the harness fails."""
    specs = specs_for(models)
    rows_of = specs[FOLLOWUP][RATED].rows
    found = [
        (s, row)
        for s in scenarios(60, models, followup=True)
        if (row := _row_near_its_raters(s, rows_of)) is not None
    ]
    scenario, row = found[0]
    guarded = run_audits(lambda sc: _with_joint_ratings(sc, row), [scenario], specs)
    assert not guarded.failures, guarded.failures[:5]
    original = Disclosure.population

    def unguarded(self, definition, label, size, **around):
        if definition.answered_both:
            around = {}
        return original(self, definition, label, size, **around)

    monkeypatch.setattr(Disclosure, "population", unguarded)
    run = run_audits(lambda sc: _with_joint_ratings(sc, row), [scenario], specs)
    assert any("leak: " in line and "all three waves" in line for line in run.failures), (
        run.failures[:5]
    )
