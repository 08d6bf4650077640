"""The disclosure audit: can any hidden value be solved exactly from a report's released figures?

`audit(data, respondents, specs)` takes a JSON report (`Disclosure.as_json()`), the raw rows it
was built from and what an attacker knows of the questionnaires. It turns every released
linear figure into integer constraints over atoms (see atoms.py), adds what the JSON itself
tells (sizes of shown populations, "fewer than k" for hidden ones), and asks CP-SAT, for every
hidden value (target), whether a solution exists in which that value differs from the truth.
A target that no solution can move is *determined*. It is a leak unless it is determined
already by one shown population's own figures, which describe every member of it alike
("all 12 answered yes" tells each member's answer: the group-minimum model accepts this),
or by the printed group sizes and breakdown counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ortools.sat.python import cp_model

from survey_app.reporting.disclosure import LINEAR_STATISTICS

from . import joint
from .atoms import Atoms, AuditError
from .plan import Goal, Plan, Pop, Target, constrain_figure, constrain_population
from .rawdata import QuestionSpec, Respondent, Specs, check_figures, definition_of, item_set
from .solve import (
    SIZES,
    SOLVE_SECONDS,
    Tagged,
    check_truth,
    determined,
    explained_by_one,
    explained_by_zero,
)
from .targets import apart_from_joint, goals_of, joint_goals, widened

#: (atoms, populations, rows, specs, k, truth) -> the hidden values of one model.
GoalsOf = Callable[
    [Atoms, list[Pop], list[Respondent], Mapping[str, QuestionSpec], int, list[int]], list[Goal]
]

__all__ = ["SIZES", "AuditError", "AuditResult", "Target", "audit"]


@dataclass
class AuditResult:
    """What the audit solved: the targets, which leaked, which only describe a whole group."""

    figures: int = 0
    skipped: list[str] = field(default_factory=list)
    #: The skipped figures of populations defined by two answers of one person (`_joint`),
    #: as "statistic of [population]": the non-linear ones (the pairs' Wilcoxon test and
    #: effect size; the gap's MWDS, RDM median and % positive, and ranks).
    skipped_joint: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    #: How many of the targets are of joint models (a pair's "answered before and after",
    #: "rated it in all three waves", the gap's "rated the row in both": joint.py).
    joint_targets: int = 0
    leaks: list[Target] = field(default_factory=list)
    #: Determined, but by one shown population's own figures alone (homogeneous answers).
    homogeneous: list[tuple[Target, str]] = field(default_factory=list)
    undecided: list[Target] = field(default_factory=list)
    #: Shown populations of 1 to k-1 people (printed outright: no solving needed).
    small: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No leak, no small population shown, nothing the solver could not decide."""
        return not self.leaks and not self.undecided and not self.small


def audit(
    data: Mapping[str, Any],
    respondents: Sequence[Respondent],
    specs: Specs,
    *,
    seconds: float = SOLVE_SECONDS,
) -> AuditResult:
    """Audit one JSON report against the raw rows it describes."""
    check = check_figures(data, respondents)
    if check.mismatches:
        raise AuditError(f"figures differ from their recount: {check.mismatches[:5]}")
    pops = _populations(data)
    pops.update(_wave_mirrors(pops))
    joint_pops = joint.listed(data)
    result = AuditResult()
    by_questionnaire: dict[str, list[Pop]] = {}
    for pop in pops.values():
        by_questionnaire.setdefault(pop.definition.questionnaire, []).append(pop)
    counts = _unmatched_counts(data, respondents)
    two_answers = {
        p["key"] for p in [*data["populations"], *data["hidden"]] if _joint(p["definition"])
    }
    for figure in data["figures"]:
        if figure["statistic"] == "unmatched_codes" and id(figure) in counts:
            result.figures += 1
        elif _linear(figure, specs) and figure["population"] in pops:
            pops[figure["population"]].figures.append(figure)
            result.figures += 1
        elif figure["population"] in joint_pops and joint.modelled(figure):
            joint_pops[figure["population"]].figures.append(figure)
            result.figures += 1
        else:
            result.skipped.append(figure["statistic"])
            if figure["population"] in two_answers:
                result.skipped_joint.append(f"{figure['statistic']} of [{figure['population']}]")
    k = int(data["k"])
    result.small = [p["key"] for p in data["populations"] if 0 < p["size"] < k]
    for qid, group in sorted(by_questionnaire.items()):
        rows = [r for r in respondents if r.questionnaire == qid]
        own = [(phase, n) for phase, n, q in counts.values() if q == qid]
        _audit_questionnaire(result, group, rows, specs[qid], k, seconds, own)
    for extra in joint.models(pops, joint_pops, respondents, specs):
        before = len(result.targets)
        _audit_questionnaire(
            result,
            extra.pops,
            extra.rows,
            specs[extra.questionnaire],
            k,
            seconds,
            goals=joint_goals,
        )
        result.joint_targets += len(result.targets) - before
    return result


def _unmatched_counts(
    data: Mapping[str, Any], respondents: Sequence[Respondent]
) -> dict[int, tuple[str, int, str]]:
    """id(figure) -> (phase, value, questionnaire) of each "codes that matched no code of the
    other phase" count the audit can model: the phase's people are of one questionnaire
    and all gave a code, so the count is its unpaired people (the others stay skipped)."""
    out = {}
    for figure in data["figures"]:
        if figure["statistic"] != "unmatched_codes":
            continue
        phase = figure["item"]
        rows = [r for r in respondents if r.phase == phase]
        questionnaires = {r.questionnaire for r in rows}
        if len(questionnaires) == 1 and all(r.code is not None for r in rows):
            out[id(figure)] = (phase, int(figure["value"]), questionnaires.pop())
    return out


def _linear(figure: Mapping[str, Any], specs: Mapping[str, Mapping[str, QuestionSpec]]) -> bool:
    """Whether the audit can turn a figure into a linear constraint.

    Figures of populations `_joint` keeps out of the main model are skipped too (`audit`),
    unless joint.py models them (`joint.modelled`: also a pair's mean before, after and
    difference, and the gap's mean discrepancy).

    "Any of a, b" among the picks of a multi-choice question counts a person once however
    many of them they picked: not a sum of the per-option counts, so it is left out.
    """
    if figure["statistic"] not in LINEAR_STATISTICS:
        return False
    item, question = figure.get("item") or "", figure.get("question")
    if item_set(item) is None or question is None:
        return True
    kinds = {spec[question].kind for spec in specs.values() if question in spec}
    return not kinds & {"multi", "ranking"}


def _first_untrue(plan: Plan, pops: list[Pop], k: int, truth: list[int]) -> str:
    """The first population or figure whose constraint the raw rows do not satisfy."""
    model = cp_model.CpModel()
    atoms = plan.atoms(model)
    try:
        check_truth(model, atoms, truth)
    except AuditError:
        return "the structural constraints"
    for pop in pops:
        constrain_population(atoms, pop, k)
        try:
            check_truth(model, atoms, truth)
        except AuditError:
            return f"population {pop.key}"
        for figure in pop.figures:
            constrain_figure(atoms, pop.definition, figure)
            try:
                check_truth(model, atoms, truth)
            except AuditError:
                return f"figure {figure}"
    return "nothing alone"


def _joint(definition: Mapping[str, Any]) -> bool:
    """Populations defined by two answers of one person (the gap's "rated the row in both
    matrices", a pair's "answered before and after", "rated it in all three waves"): not in
    the main model.

    Each would need a flag per matrix row in every signature, which multiplies the model
    past what CP-SAT solves in time. All three kinds get small models of their own
    (joint.py); their non-linear figures are left out, a relaxation in the report's
    favour, counted in `AuditResult.skipped` and `skipped_joint` (see README.md).
    """
    return bool(definition.get("also_answered") or definition.get("answered_both"))


def _populations(data: Mapping[str, Any]) -> dict[str, Pop]:
    pops = {
        p["key"]: Pop(p["key"], definition_of(p["definition"]), True, p["size"], None)
        for p in data["populations"]
        if not _joint(p["definition"])
    }
    for h in data["hidden"]:
        if _joint(h["definition"]):
            continue
        pops.setdefault(
            h["key"], Pop(h["key"], definition_of(h["definition"]), False, None, h["reason"])
        )
    return pops


def _wave_mirrors(pops: Mapping[str, Pop]) -> dict[str, Pop]:
    """The three-wave set as seen from each earlier wave's questionnaire.

    Why: each questionnaire is its own model, but a code in all three waves has one latest
    response in each, so the set has as many people among the pre (post) respondents as
    among the follow-up ones; its size, shown or hidden, is a fact about each wave.
    """
    out = {}
    for pop in pops.values():
        d = pop.definition
        if not d.waves or d.answered is not None or d.phase != "followup":
            continue
        for other in pops.values():
            o = other.definition
            if o.phase in ("pre", "post") and o.training == d.training and not o.waves:
                mirror = replace(d, questionnaire=o.questionnaire, phase=o.phase)
                key = f"{pop.key} as {o.phase}"
                out[key] = Pop(key, mirror, pop.shown, pop.size, pop.reason)
    return out


def _audit_questionnaire(
    result: AuditResult,
    pops: list[Pop],
    rows: list[Respondent],
    specs: Mapping[str, QuestionSpec],
    k: int,
    seconds: float,
    unmatched: Sequence[tuple[str, int]] = (),
    *,
    goals: GoalsOf = goals_of,
) -> None:
    plan = Plan(pops, rows, specs)
    model = cp_model.CpModel()
    atoms = plan.atoms(model)
    truth = plan.truth(atoms)
    tagged = Tagged(model, atoms)
    structure = tagged.rows()
    for pop in pops:
        tagged.constrain(pop, k)
    phase, paired = atoms.dim_index["phase",], atoms.dim_index["paired",]
    for name, value in unmatched:
        lin = {
            atoms.size[s]: 1
            for s, sig in enumerate(atoms.sigs)
            if sig[phase] == name and not sig[paired]
        }
        tagged.fact(lin, value)
    try:
        check_truth(model, atoms, truth)
    except AuditError:
        raise AuditError(f"mis-modelled: {_first_untrue(plan, pops, k, truth)}") from None
    wanted = goals(atoms, pops, rows, specs, k, truth)
    result.targets += [g.target for g in wanted]
    if not wanted:
        return
    system = tagged.system()
    fixed, undecided = determined(system, wanted, truth, seconds)
    explained, unexplained = explained_by_one(
        tagged, system, structure, pops, fixed, truth, seconds
    )
    # Also goals a solve ran out of time on: a count of a subset of a group whose own count
    # is determined to be zero is determined to be zero too, and shares that zero.
    open_ = [g for g in [*fixed, *undecided] if id(g) not in explained]
    candidates = _zero_candidates(atoms, pops, open_, specs, truth, k)
    explained.update(explained_by_zero(system, candidates, truth, seconds))
    unexplained = [g for g in unexplained if id(g) not in explained]
    result.homogeneous += [(g.target, explained[id(g)]) for g in undecided if id(g) in explained]
    undecided = [g for g in undecided if id(g) not in explained]
    result.undecided += [g.target for g in [*undecided, *unexplained]]
    for goal in fixed:
        basis = explained.get(id(goal))
        if basis is not None:
            result.homogeneous.append((goal.target, basis))
        elif all(goal is not g for g in unexplained):
            result.leaks.append(goal.target)


def _zero_candidates(
    atoms: Atoms,
    pops: list[Pop],
    goals: list[Goal],
    specs: Mapping[str, QuestionSpec],
    truth: list[int],
    k: int,
) -> list[tuple[Goal, list[tuple[str, Goal]]]]:
    """Per goal of zero, the same value over each shown population containing its people
    (and, in a joint model, over the k or more people a shown population holds beyond a
    shown joint one: `apart_from_joint`)."""
    groups = [
        (pop.key, frozenset(s for s in range(len(atoms.sigs)) if atoms.in_base(pop.definition, s)))
        for pop in pops
        if pop.shown
    ]
    groups += apart_from_joint(atoms, pops, k)
    out = []
    for goal in goals:
        t = goal.target
        if t.truth != 0 or t.question is None or t.statistic not in ("count", "answered"):
            continue
        options = []
        for key, part in groups:
            if goal.sigs < part:
                wide = widened(atoms, specs[t.question], goal, part, key, truth)
                if wide is not None:
                    options.append((key, wide))
        if options:
            out.append((goal, options))
    return out
