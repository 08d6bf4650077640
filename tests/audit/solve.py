"""Solving: which targets no solution can move, and which of those one population explains."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from .atoms import Atoms, AuditError
from .plan import Goal, Pop, constrain_figure, constrain_population
from .staged import System, decide, solver_for

SOLVE_SECONDS = 5.0

#: The basis of a goal determined by who-is-who facts alone (sizes, breakdown counts).
SIZES = "sizes of the shown populations and counts of the breakdown answers"


@dataclass
class Tagged:
    """A model whose constraints are tagged by what added them (structure, a population, a
    figure), so that relaxations keeping only some of them are cheap to take."""

    model: cp_model.CpModel
    atoms: Atoms
    #: (population key or None for the structure, the figure or None, first row, end row)
    tags: list[tuple[str | None, Mapping[str, Any] | None, int, int]] = field(default_factory=list)
    #: Rows of printed counts of people that belong to no listed population (codes that
    #: matched nothing): who-is-who facts, like the sizes.
    facts: list[int] = field(default_factory=list)

    def rows(self) -> int:
        return len(self.model.proto.constraints)

    def constrain(self, pop: Pop, k: int) -> None:
        """A population's size facts and each of its figures, tagged."""
        start = self.rows()
        constrain_population(self.atoms, pop, k)
        self.tags.append((pop.key, None, start, self.rows()))
        for figure in pop.figures:
            start = self.rows()
            constrain_figure(self.atoms, pop.definition, figure)
            self.tags.append((pop.key, figure, start, self.rows()))

    def fact(self, lin: Mapping[int, int], value: int) -> None:
        """A printed count of people: sum of `lin` == value, a who-is-who fact."""
        start = self.rows()
        self.model.add(self.atoms.expr(lin) == value)
        self.facts += range(start, self.rows())

    def system(self) -> System:
        """The whole model as a staged system (the signature sizes are shared)."""
        if any(var.index != i for i, var in enumerate(self.atoms.vars)):
            raise AuditError("the atoms must be the model's only variables")
        return System.of(self.model, self.atoms.size)


def determined(
    system: System, goals: list[Goal], truth: list[int], seconds: float
) -> tuple[list[Goal], list[Goal]]:
    """(determined goals, goals the solver could not decide in time), solved in stages."""
    found = decide(system, goals, truth, seconds)
    return found.fixed, found.undecided


def explained_by_one(
    tagged: Tagged,
    system: System,
    structure: int,
    pops: list[Pop],
    goals: list[Goal],
    truth: list[int],
    seconds: float,
) -> tuple[dict[int, str], list[Goal]]:
    """For goals determined without combining answer figures of two populations:
    (id(goal) -> the basis, one shown population's key or SIZES; goals left undecided).

    Why these are not leaks: the group-minimum model prints every shown population's figures,
    group sizes included (an overview's "private sector: 2"); when all of a shown population
    answered alike, each member's answer follows. A leak needs two populations' answers.
    """
    atoms = tagged.atoms
    by_key = {p.key: p for p in pops}
    basis = [*range(structure), *tagged.facts]
    for key, figure, start, end in tagged.tags:
        pop = by_key[key] if key else None
        if pop is None or not pop.shown or pop.definition.answered is not None:
            continue
        if (
            figure is None
            or figure["statistic"] == "size"
            or (figure["question"] in atoms.group_questions)
        ):
            basis += range(start, end)
    out: dict[int, str] = {}
    undecided: dict[int, Goal] = {}
    for pop in [None, *(p for p in pops if p.shown and p.figures)]:
        if pop is None:
            inside = list(goals)
            rows = basis
        else:
            base = frozenset(s for s in range(len(atoms.sigs)) if atoms.in_base(pop.definition, s))
            inside = [g for g in goals if id(g) not in out and g.sigs <= base]
            own = [
                i
                for key, figure, start, end in tagged.tags
                if key == pop.key and figure is not None
                for i in range(start, end)
            ]
            rows = sorted(set(basis) | set(own))
        if not inside:
            continue
        fixed, open_ = determined(system.only(rows), inside, truth, seconds)
        out.update((id(g), pop.key if pop else SIZES) for g in fixed)
        undecided.update((id(g), g) for g in open_)
    return out, [g for i, g in undecided.items() if i not in out]


def explained_by_zero(
    system: System,
    candidates: list[tuple[Goal, list[tuple[str, Goal]]]],
    truth: list[int],
    seconds: float,
) -> dict[int, str]:
    """For determined goals of zero: id(goal) -> the key of a shown population containing
    its people whose same value is determined to be zero as well.

    Why these are not leaks: "none of the 5 in 'Other groups' rated it 2" is a figure of a
    shown population, which the group-minimum model may print; that none of the private-
    sector members among them did follows for every part of it, as "all 12 answered yes"
    does for each of the 12.
    """
    wider = [g for _, options in candidates for _, g in options if g.target.truth == 0]
    fixed = {id(g) for g in determined(system, wider, truth, seconds)[0]} if wider else set()
    out: dict[int, str] = {}
    for goal, options in candidates:
        for key, g in options:
            if id(g) in fixed:
                out[id(goal)] = f"{key} (none of them)"
                break
    return out


def check_truth(model: cp_model.CpModel, atoms: Atoms, truth: list[int]) -> None:
    """AuditError unless the raw rows' values satisfy every constraint."""
    fixed = model.clone()
    for var, value in zip(atoms.vars, truth, strict=True):
        fixed.add(fixed.get_int_var_from_proto_index(var.index) == value)
    if solver_for(SOLVE_SECONDS).solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise AuditError("the raw rows do not satisfy the constraints: a figure is mis-modelled")
