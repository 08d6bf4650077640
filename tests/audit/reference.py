"""A reference build: the figures a full report would release for a scenario, computed in
plain Python through the real `Disclosure` rules (paired-only phases, residual rule).

Why: on this branch the blocks release few figures yet, so the app's JSON exercises the audit
little. This build releases every linear statistic of every question, for each phase and each
breakdown group, so the 200-scenario run proves the audit (and the rules) at full volume now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from survey_app.questionnaire import Choice
from survey_app.reporting.disclosure import Disclosure, Population, PopulationDef

from .rawdata import QuestionSpec, Recount, Respondent, Specs, members
from .scenarios import NEEDS, POST, Scenario, respondents

#: Questions whose figures are released per breakdown group too (as question blocks do).
BY_GROUP = ("familiarity_untoc", "engaged_before", "confidence", "overall_satisfaction", "pace")
BIN = 10


def items_of(spec: QuestionSpec, rows: Sequence[Respondent]) -> list[tuple[str | None, str]]:
    """(row, item) of every count a table of this question prints."""
    if spec.kind in ("single", "multi"):
        options = spec.options
        if options is None:
            options = tuple(sorted({str(r.answers[spec.id]) for r in rows if spec.id in r.answers}))
        return [(None, o) for o in options]
    if spec.kind == "scale":
        return [(None, str(p)) for p in range(spec.low, spec.high + 1)]
    if spec.kind == "matrix":
        return [(row, str(p)) for row in spec.rows for p in range(spec.low, spec.high + 1)]
    if spec.kind == "ranking":
        return [(None, f"{o}@{r}") for r in range(1, spec.top + 1) for o in spec.options or ()]
    if spec.kind == "number":
        return [(None, f"{lo}..{lo + BIN - 1}") for lo in range(spec.low, spec.high + 1, BIN)]
    return []


def release_question(
    d: Disclosure, pop: Population, spec: QuestionSpec, rows: Sequence[Respondent]
) -> None:
    """Counts, shares, n and means of one question for one shown population."""
    c = Recount(members(rows, pop.definition))
    parts = list(spec.rows) if spec.kind == "matrix" else [None]
    for part in parts:
        n = c.answered(spec.id, part)
        d.release(pop, "answered", n, question=spec.id, row=part)
        if spec.conditional:
            d.release(pop, "shown", c.shown(spec.id), question=spec.id)
        if n and spec.kind in ("scale", "matrix", "number"):
            digits = 1 if spec.kind == "number" else 2
            mean = c.mean(spec.id, part) or 0.0
            d.release(pop, "mean", mean, digits=digits, question=spec.id, row=part)
    for part, item in items_of(spec, rows):
        count = c.count(spec.id, part, item)
        where: dict[str, Any] = {"question": spec.id, "row": part, "item": item}
        d.release(pop, "count", count, **where)
        if n := c.answered(spec.id, part):
            d.release_share(pop, count, n, digits=0, **where)


def reference_json(
    scenario: Scenario, specs: Specs, *, pair_answers: bool = False
) -> list[dict[str, Any]]:
    """One JSON report per questionnaire, as a full build under the rules would release
    (`pair_answers`: the pairs' and probable pairs' answers too, see `_pairing`)."""
    rows = respondents(scenario)
    out = []
    for qid, phase in ((NEEDS, "pre"), (POST, "post")):
        d = Disclosure(scenario.k, 10)
        whole = PopulationDef(qid, training=scenario.training_id, phase=phase)
        size = len(members(rows, whole))
        paired = len(members(rows, whole.narrowed(paired=True)))
        if 0 < size - paired < scenario.k:  # the paired-only plan of ReportContext
            d.hide_note(f"{size - paired} unpaired {phase} responses left out")
            whole, size = whole.narrowed(paired=True), paired
        pop = d.population(whole, f"All {phase}", size)
        if isinstance(pop, Population):
            d.release(pop, "size", size)
            for spec in specs[qid].values():
                release_question(d, pop, spec, rows)
            _breakdown(d, pop, specs[qid], rows)
            if phase == "post":
                _pairing(d, pop, specs[qid], rows, pair_answers)
        out.append(d.as_json())
    return out


def _pairing(
    d: Disclosure,
    post: Population,
    specs: Mapping[str, QuestionSpec],
    rows: Sequence[Respondent],
    answers: bool,
) -> None:
    """The paired block's counts, as the app releases them: codes that matched nothing, on
    the pairs' population, and the probable pairs through `drawn_from_counts` (`answers`:
    and both populations' answers to the BY_GROUP questions, as no block does: beside the
    breakdown of everyone, that can give away a group's lone paired member)."""
    size = len(members(rows, post.definition.narrowed(paired=False)))
    everyone = post.definition.narrowed(paired=False)
    pairs = len(members(rows, everyone.narrowed(paired=True)))
    paired = d.population(everyone.narrowed(paired=True), "Pairs", pairs, within=post)
    if not isinstance(paired, Population):
        return
    unmatched = {
        phase: sum(r.phase == phase and not r.paired and r.code is not None for r in rows)
        for phase in ("pre", "post")
    }
    for phase, n in unmatched.items():
        if n:
            d.release_count(paired, "unmatched_codes", n, item=phase)
    probable = len(members(rows, everyone.narrowed(probable=True)))
    if probable:
        found = d.drawn_from_counts(
            everyone.narrowed(probable=True),
            "Probable pairs",
            probable,
            counts=[*((f"unmatched {phase}", n) for phase, n in unmatched.items()), ("All", size)],
        )
        if isinstance(found, Population):
            d.release_count(found, "size", probable)
            if answers:  # a richer block than the app's: the probable pairs' answers too
                for qid in BY_GROUP:
                    if qid in specs:
                        release_question(d, paired, specs[qid], rows)
                        release_question(d, found, specs[qid], rows)


def _breakdown(
    d: Disclosure, pop: Population, specs: Mapping[str, QuestionSpec], rows: Sequence[Respondent]
) -> None:
    counts: dict[str, int] = {}
    for r in members(rows, pop.definition):
        value = r.answers.get("stakeholder_type")
        if isinstance(value, Choice):
            counts[value.values[0]] = counts.get(value.values[0], 0) + 1
    for group in d.breakdown(pop, "stakeholder_type", counts, {}).populations:
        d.release(group, "size", group.size)
        for qid in BY_GROUP:
            if qid in specs:
                release_question(d, group, specs[qid], rows)
