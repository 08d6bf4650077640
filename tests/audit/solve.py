"""Solving: which targets no solution can move, and which of those one population explains."""

from __future__ import annotations

from ortools.sat.python import cp_model

from .atoms import Atoms, AuditError
from .plan import Goal, Plan, Pop, constrain_figure, constrain_population
from .targets import value_of

SOLVE_SECONDS = 5.0
#: Time for each of the first solves, which move as many targets as they can at once.
QUICK_SECONDS = 0.1

# --- solving ------------------------------------------------------------------------------


def solver_for(seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = 1
    params.max_time_in_seconds = seconds
    # The models are small and solved many times: presolve and LP relaxations cost more
    # than they save (measured on the reference build: 0.6 s per report instead of 1.5 s).
    params.cp_model_presolve = False
    params.linearization_level = 0
    return solver


def determined(
    model: cp_model.CpModel, atoms: Atoms, goals: list[Goal], truth: list[int], seconds: float
) -> tuple[list[Goal], list[Goal]]:
    """(determined goals, goals the solver could not decide in time).

    First a few solves that move as many goals as they can at once (most goals are free and
    go here).
    """
    flags = []
    for g in goals:
        up, down = model.new_bool_var(""), model.new_bool_var("")
        expr = atoms.expr(g.lin)
        model.add(expr >= g.target.truth + 1).only_enforce_if(up)
        model.add(expr <= g.target.truth - 1).only_enforce_if(down)
        model.add_bool_or([up.negated(), down.negated()])
        flags.append((up, down))
    open_ = set(range(len(goals)))

    def sweep(solver: cp_model.CpSolver) -> None:
        values = [solver.value(v) for v in atoms.vars]
        open_.difference_update(
            {j for j in open_ if value_of(goals[j].lin, values) != goals[j].target.truth}
        )

    quick = solver_for(min(seconds, QUICK_SECONDS))
    for _ in range(3):
        if not open_:
            break
        before = len(open_)
        model.maximize(sum(f for j in open_ for f in flags[j]))
        if quick.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            sweep(quick)
        if len(open_) == before:
            break
    model.clear_objective()
    solver = solver_for(seconds)
    # Then all goals left at once: "can any of them move?" Infeasible proves them all
    # determined in one solve; a solution frees at least one, and the loop goes on.
    while open_:
        anyone = model.new_bool_var("")
        model.add_bool_or([f for j in open_ for f in flags[j]]).only_enforce_if(anyone)
        model.clear_assumptions()
        model.add_assumptions([anyone])
        model.maximize(sum(f for j in open_ for f in flags[j]))
        used = quick
        status = quick.solve(model)
        model.clear_objective()
        if status == cp_model.UNKNOWN:
            used = solver
            status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            break
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            model.clear_assumptions()
            return [], [goals[j] for j in sorted(open_)]
        sweep(used)
    model.clear_assumptions()
    return [goals[j] for j in sorted(open_)], []


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
