"""Staged solving: decide every target with small models, the full model only as a last resort.

The audit's constraints share only the signature sizes: once the sizes are fixed, each
question's atoms (a *block*) are constrained by that question's own figures alone. So:

1. **Restricted** (sizes and every other block at their true values): a solution that moves
   a target is a solution of the full model too, so the target is proven *free*.
2. **Relaxed** (sizes free, only the target's blocks and the size-only constraints): no
   solution moves the target, so the full model has none either: proven *determined*.
3. A relaxed solution is extended block by block with its sizes fixed; a block that cannot
   follow joins the relaxed model, which grows towards the full model (a counterexample-
   guided loop). A solve that runs out of time is retried per target, then once with
   FINAL_SECONDS; only then is a target left *undecided* (which fails the audit).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .atoms import AuditError
from .plan import Goal

#: A linear constraint: (proto variable indices, coefficients, flat domain).
Row = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]


class Model(cp_model.CpModel):
    """A CpModel without the camelCase aliases every new CpModel installs.

    Why: the aliases cost about 3 ms per model (a `dir()` walk), and the audit builds
    thousands of small models; that was a fifth of its time.
    """

    def _add_pre_pep8_methods(self) -> None:
        pass

    def clone(self) -> Model:
        clone = Model()
        clone.proto.copy_from(self.proto)
        clone.rebuild_constant_map()
        return clone


@dataclass
class System:
    """A CP-SAT model's linear constraints, split into blocks that share only `shared` vars."""

    domains: list[tuple[int, ...]]
    rows: list[Row]
    shared: frozenset[int]
    #: variable -> block id (non-shared variables only)
    block_of: dict[int, int] = field(default_factory=dict)
    #: block id -> indices of its rows; -1: rows over shared variables only
    rows_of: dict[int, list[int]] = field(default_factory=dict)
    #: block id -> the shared variables its rows name
    shared_of: dict[int, tuple[int, ...]] = field(default_factory=dict)
    #: (block, its shared variables' values) -> status of a feasibility solve
    checked: dict[tuple[int, tuple[int, ...]], int] = field(default_factory=dict)

    @classmethod
    def of(cls, model: cp_model.CpModel, shared: Iterable[int]) -> System:
        """Read the model's constraints (all must be linear, none enforced)."""
        proto = model.proto
        domains = [tuple(v.domain) for v in proto.variables]
        rows: list[Row] = []
        for c in proto.constraints:
            if not c.has_linear() or len(c.enforcement_literal):
                raise AuditError("staged solving needs plain linear constraints")
            lin = c.linear
            rows.append((tuple(lin.vars), tuple(lin.coeffs), tuple(lin.domain)))
        return cls(domains, rows, frozenset(shared)).only(range(len(rows)))

    def only(self, rows: Iterable[int]) -> System:
        """The same variables under a subset of the constraints (a relaxation)."""
        system = System(self.domains, [self.rows[i] for i in rows], self.shared)
        system._split()
        return system

    def _split(self) -> None:
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for variables, _, _ in self.rows:
            own = [v for v in variables if v not in self.shared]
            for a, b in itertools.pairwise(own):
                parent[find(a)] = find(b)
        for v in list(parent):
            self.block_of[v] = find(v)
        named: dict[int, set[int]] = {}
        for i, (variables, _, _) in enumerate(self.rows):
            own = [v for v in variables if v not in self.shared]
            block = self.block_of[own[0]] if own else -1
            self.rows_of.setdefault(block, []).append(i)
            named.setdefault(block, set()).update(v for v in variables if v in self.shared)
        self.shared_of = {b: tuple(sorted(vs)) for b, vs in named.items()}

    def fits(self, block: int, value: Callable[[int], int]) -> bool:
        """Whether the block's rows hold at these values (a plain evaluation, no solve)."""
        for i in self.rows_of.get(block, ()):
            variables, coeffs, domain = self.rows[i]
            total = sum(c * value(v) for v, c in zip(variables, coeffs, strict=True))
            if not any(lo <= total <= hi for lo, hi in zip(domain[::2], domain[1::2], strict=True)):
                return False
        return True

    def blocks(self, variables: Iterable[int]) -> frozenset[int]:
        """The blocks these variables belong to."""
        return frozenset(self.block_of[v] for v in variables if v in self.block_of)


class Sub:
    """A model over some blocks; `fixed(v)` gives a variable's fixed value, or None."""

    def __init__(
        self, system: System, blocks: Iterable[int], fixed: Callable[[int], int | None]
    ) -> None:
        self.model = Model()
        self.vars: dict[int, cp_model.IntVar] = {}
        self.system = system
        self.fixed = fixed
        # Why: with every shared variable fixed (a restricted model, a witness extension)
        # the shared-only rows are constants; when they hold they only cost building.
        shared = system.shared_of.get(-1, ())
        values = {v: fixed(v) for v in shared}
        constant = all(x is not None for x in values.values())
        skip = constant and system.fits(-1, lambda v: values[v] or 0)
        for b in [*([] if skip else [-1]), *blocks]:
            for i in system.rows_of.get(b, ()):
                variables, coeffs, domain = system.rows[i]
                expr = cp_model.LinearExpr.weighted_sum(
                    [self.var(v) for v in variables], list(coeffs)
                )
                self.model.add_linear_expression_in_domain(
                    expr, cp_model.Domain.from_flat_intervals(list(domain))
                )

    def var(self, v: int) -> cp_model.IntVar:
        """The sub-model's variable for `v` (a constant domain when fixed)."""
        if v not in self.vars:
            value = self.fixed(v)
            if value is not None:
                self.vars[v] = self.model.new_int_var(value, value, "")
            else:
                domain = self.system.domains[v]
                self.vars[v] = self.model.new_int_var(domain[0], domain[-1], "")
        return self.vars[v]


#: The time limit of the last try on a goal whose solves ran out of time (see `_escalate`).
FINAL_SECONDS = 60.0


def solver_for(seconds: float) -> cp_model.CpSolver:
    """One worker (the machine is shared), a hard time limit."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = seconds
    return solver


def move(
    sub: Sub, goals: Sequence[Goal], lins: Sequence[dict[int, int]], truth: Sequence[int], s: float
) -> tuple[int, list[int], dict[int, int]]:
    """Solve for a solution moving as many goals as possible (at least one).

    Returns (status, indices of moved goals, values of the sub-model's variables)."""
    for lin in lins:  # goal variables no constraint of the sub-model names
        for v in lin:
            sub.var(v)
    model = sub.model.clone()
    flags = []
    for goal, lin in zip(goals, lins, strict=True):
        up, down = model.new_bool_var(""), model.new_bool_var("")
        expr = _on(model, sub, lin)
        model.add(expr >= goal.target.truth + 1).only_enforce_if(up)
        model.add(expr <= goal.target.truth - 1).only_enforce_if(down)
        model.add_bool_or([up.negated(), down.negated()])
        flags += [up, down]
    model.add_bool_or(flags)
    model.maximize(sum(flags))
    for v, var in sub.vars.items():
        model.add_hint(model.get_int_var_from_proto_index(var.index), truth[v])
    solver = solver_for(s)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, [], {}
    values = {v: solver.value(var) for v, var in sub.vars.items()}
    moved = [
        j
        for j, (goal, lin) in enumerate(zip(goals, lins, strict=True))
        if sum(c * values.get(v, truth[v]) for v, c in lin.items()) != goal.target.truth
    ]
    return status, moved, values


def _on(model: cp_model.CpModel, sub: Sub, lin: Mapping[int, int]) -> cp_model.LinearExprT:
    keys = list(lin)
    variables = [model.get_int_var_from_proto_index(sub.var(k).index) for k in keys]
    return cp_model.LinearExpr.weighted_sum(variables, [lin[k] for k in keys])


def feasible(sub: Sub, truth: Sequence[int], seconds: float) -> int:
    """The status of a plain feasibility solve (hinted with the truth)."""
    model = sub.model.clone()
    for v, var in sub.vars.items():
        model.add_hint(model.get_int_var_from_proto_index(var.index), truth[v])
    return solver_for(seconds).solve(model)


@dataclass
class Decided:
    """Targets proven free, proven determined, or left undecided when a solve ran out of time."""

    free: list[Goal] = field(default_factory=list)
    fixed: list[Goal] = field(default_factory=list)
    undecided: list[Goal] = field(default_factory=list)
    solves: int = 0


def decide(system: System, goals: Sequence[Goal], truth: Sequence[int], seconds: float) -> Decided:
    """Which goals no solution of `system` moves from their true value (see the module)."""
    out = Decided()
    by_blocks: dict[frozenset[int], list[Goal]] = {}
    for goal in goals:
        by_blocks.setdefault(system.blocks(goal.lin), []).append(goal)
    restricted: dict[int, Sub] = {}
    for blocks, group in sorted(by_blocks.items(), key=lambda kv: sorted(kv[0])):
        open_ = list(group)
        for block in blocks:  # stage 1: only this block moves, everything else true
            if block not in restricted:
                restricted[block] = Sub(system, [block], _outside(system, block, truth))
            sub = restricted[block]
            open_ = _sweep(sub, open_, truth, seconds, out)
        if open_:
            _relaxed(system, blocks, open_, truth, seconds, out)
    return out


def _outside(system: System, block: int, truth: Sequence[int]) -> Callable[[int], int | None]:
    """Every variable outside `block` at its true value."""

    def fixed(v: int) -> int | None:
        return None if system.block_of.get(v) == block else truth[v]

    return fixed


def _sweep(
    sub: Sub, goals: list[Goal], truth: Sequence[int], seconds: float, out: Decided
) -> list[Goal]:
    """Free every goal a solution of the restricted model moves; the rest stay open."""
    open_ = list(goals)
    while open_:
        _, moved, _ = move(sub, open_, [g.lin for g in open_], truth, seconds)
        out.solves += 1
        if not moved:
            break  # infeasible (or out of time): not a proof either way, escalate
        out.free += [open_[j] for j in moved]
        gone = set(moved)
        open_ = [g for j, g in enumerate(open_) if j not in gone]
    return open_


def _extends(
    system: System,
    block: int,
    sizes: Mapping[int, int],
    truth: Sequence[int],
    seconds: float,
    out: Decided,
) -> int:
    """Whether the block's own variables can follow these sizes (a CP-SAT status).

    Why not always solve: most witnesses leave the sizes a block names at their true
    values (or at values an earlier witness had), and then the block's true values, or
    the earlier answer, settle it exactly.
    """
    if system.fits(block, lambda v: sizes[v] if v in system.shared else truth[v]):
        return cp_model.OPTIMAL
    key = (block, tuple(sizes[v] for v in system.shared_of.get(block, ())))
    if key in system.checked:
        return system.checked[key]
    status = feasible(Sub(system, [block], sizes.get), truth, seconds)
    out.solves += 1
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE):
        system.checked[key] = status  # a solve out of time may be retried for longer
    return status


def _escalate(
    system: System,
    blocks: frozenset[int],
    goals: list[Goal],
    truth: Sequence[int],
    seconds: float,
    out: Decided,
) -> None:
    """After a solve ran out of time: each goal on its own (one goal is an easier model
    than "at least one of them moves"), then with FINAL_SECONDS; only then undecided."""
    if len(goals) > 1:
        for goal in goals:
            _relaxed(system, blocks, [goal], truth, seconds, out)
    elif seconds < FINAL_SECONDS:
        _relaxed(system, blocks, goals, truth, FINAL_SECONDS, out)
    else:
        out.undecided += goals


def _relaxed(
    system: System,
    blocks: frozenset[int],
    goals: list[Goal],
    truth: Sequence[int],
    seconds: float,
    out: Decided,
) -> None:
    """Stages 2 and 3 for goals over `blocks` that no restricted solution moved."""
    within = set(blocks)
    others = [b for b in system.rows_of if b != -1]
    open_ = list(goals)
    subs: dict[frozenset[int], Sub] = {}
    while open_:
        key = frozenset(within)
        if key not in subs:
            subs[key] = Sub(system, sorted(within), lambda v: None)
        sub = subs[key]
        status, moved, values = move(sub, open_, [g.lin for g in open_], truth, seconds)
        out.solves += 1
        if status == cp_model.INFEASIBLE:
            out.fixed += open_
            return
        if not moved:
            _escalate(system, frozenset(within), open_, truth, seconds, out)
            return
        sizes = {v: values.get(v, truth[v]) for v in system.shared}
        failing = []
        for b in others:
            if b in within:
                continue
            status = _extends(system, b, sizes, truth, seconds, out)
            if status == cp_model.INFEASIBLE:
                failing.append(b)
            elif status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                _escalate(system, frozenset(within), open_, truth, seconds, out)
                return
        if failing:
            within.update(failing)  # the witness does not extend: grow the relaxed model
            continue
        out.free += [open_[j] for j in moved]
        gone = set(moved)
        open_ = [g for j, g in enumerate(open_) if j not in gone]
