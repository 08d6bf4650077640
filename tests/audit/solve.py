"""Solving: which targets no solution can move, and which of those one population explains."""

from __future__ import annotations

from ortools.sat.python import cp_model

from .atoms import Atoms, AuditError
from .plan import Goal, Plan, Pop, constrain_figure, constrain_population
from .staged import decide

SOLVE_SECONDS = 5.0

# --- solving ------------------------------------------------------------------------------


def solver_for(seconds: float) -> cp_model.CpSolver:
    """One worker (the machine is shared), a hard time limit."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = seconds
    return solver


def determined(
    model: cp_model.CpModel, atoms: Atoms, goals: list[Goal], truth: list[int], seconds: float
) -> tuple[list[Goal], list[Goal]]:
    """(determined goals, goals the solver could not decide in time), solved in stages."""
    if any(var.index != i for i, var in enumerate(atoms.vars)):
        raise AuditError("the atoms must be the model's only variables")
    found = decide(model, atoms.size, goals, truth, seconds)
    return found.fixed, found.undecided


#: The basis of a goal determined by who-is-who facts alone (sizes, breakdown counts).
SIZES = "sizes of the shown populations and counts of the breakdown answers"


def explained_by_one(
    plan: Plan, pops: list[Pop], goals: list[Goal], truth: list[int], k: int, seconds: float
) -> dict[int, str]:
    """For goals determined without combining answer figures of two populations:
    id(goal) -> the basis (one shown population's key, or SIZES).

    Why these are not leaks: the group-minimum model prints every shown population's figures,
    group sizes included (an overview's "private sector: 2"); when all of a shown population
    answered alike, each member's answer follows. A leak needs two populations' answers.
    """
    out: dict[int, str] = {}
    for pop in [None, *(p for p in pops if p.shown and p.figures)]:
        model = cp_model.CpModel()
        atoms = plan.atoms(model)
        if pop is None:
            inside = list(goals)
        else:
            base = frozenset(s for s in range(len(atoms.sigs)) if atoms.in_base(pop.definition, s))
            inside = [g for g in goals if id(g) not in out and g.sigs <= base]
        if not inside:
            continue
        for other in pops:
            if other.shown and other.definition.answered is None:
                constrain_population(atoms, other, k)
                for figure in other.figures:
                    if figure["statistic"] == "size" or figure["question"] in atoms.group_questions:
                        constrain_figure(atoms, other.definition, figure)
        if pop is not None:
            for figure in pop.figures:
                constrain_figure(atoms, pop.definition, figure)
        fixed, _ = determined(model, atoms, inside, truth, seconds)
        out.update((id(g), pop.key if pop else SIZES) for g in fixed)
    return out


def check_truth(model: cp_model.CpModel, atoms: Atoms, truth: list[int]) -> None:
    fixed = model.clone()
    for var, value in zip(atoms.vars, truth, strict=True):
        fixed.add(fixed.get_int_var_from_proto_index(var.index) == value)
    if solver_for(SOLVE_SECONDS).solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise AuditError("the raw rows do not satisfy the constraints: a figure is mis-modelled")
