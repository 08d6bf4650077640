"""The disclosure audit: can any hidden value be solved exactly from a report's released figures?

`audit(data, respondents, specs)` takes a JSON report (`Disclosure.as_json()`), the raw rows it
was built from and what an attacker knows of the questionnaires. It turns every released
linear figure into integer constraints over atoms (see atoms.py), adds what the JSON itself
tells (sizes of shown populations, "fewer than k" for hidden ones), and asks CP-SAT, for every
hidden value (target), whether a solution exists in which that value differs from the truth.
A target that no solution can move is *determined*. It is a leak unless it is determined
already by one shown population's own figures, which describe every member of it alike
("all 12 answered yes" tells each member's answer: the group-minimum model accepts this).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from survey_app.reporting.disclosure import LINEAR_STATISTICS, PopulationDef

from .atoms import BLANK, OTHER, Atoms, AuditError, Dim, Lin, add
from .rawdata import (
    QuestionSpec,
    Respondent,
    Specs,
    answer_of,
    check_figures,
    chosen,
    definition_of,
    member,
    parse_range,
)

SOLVE_SECONDS = 5.0
#: Time for each of the first solves, which move as many targets as they can at once.
QUICK_SECONDS = 0.1


@dataclass(frozen=True)
class Target:
    """One hidden value: a statistic of the people of a hidden (or implied) population."""

    population: str
    statistic: str
    question: str | None
    sub: str | None
    item: str | None
    truth: int

    def __str__(self) -> str:
        where = " ".join(str(x) for x in (self.question, self.sub, self.item) if x is not None)
        return f"{self.statistic} {where} of [{self.population}] = {self.truth}"


@dataclass
class AuditResult:
    """What the audit solved: the targets, which leaked, which only describe a whole group."""

    figures: int = 0
    skipped: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
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


@dataclass
class _Pop:
    key: str
    definition: PopulationDef
    shown: bool
    size: int | None
    reason: str | None
    figures: list[Mapping[str, Any]] = field(default_factory=list)


@dataclass
class _Goal:
    target: Target
    lin: Lin
    sigs: frozenset[int]


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
    result = AuditResult()
    by_questionnaire: dict[str, list[_Pop]] = {}
    for pop in pops.values():
        by_questionnaire.setdefault(pop.definition.questionnaire, []).append(pop)
    for figure in data["figures"]:
        if figure["statistic"] in LINEAR_STATISTICS:
            pops[figure["population"]].figures.append(figure)
            result.figures += 1
        else:
            result.skipped.append(figure["statistic"])
    k = int(data["k"])
    result.small = [p["key"] for p in data["populations"] if 0 < p["size"] < k]
    for qid, group in sorted(by_questionnaire.items()):
        rows = [r for r in respondents if r.questionnaire == qid]
        _audit_questionnaire(result, group, rows, specs[qid], k, seconds)
    return result


def _populations(data: Mapping[str, Any]) -> dict[str, _Pop]:
    pops = {
        p["key"]: _Pop(p["key"], definition_of(p["definition"]), True, p["size"], None)
        for p in data["populations"]
    }
    for h in data["hidden"]:
        pops.setdefault(
            h["key"], _Pop(h["key"], definition_of(h["definition"]), False, None, h["reason"])
        )
    return pops


def _audit_questionnaire(
    result: AuditResult,
    pops: list[_Pop],
    rows: list[Respondent],
    specs: Mapping[str, QuestionSpec],
    k: int,
    seconds: float,
) -> None:
    plan = _Plan(pops, rows, specs)
    model = cp_model.CpModel()
    atoms = plan.atoms(model)
    truth = plan.truth(atoms)
    for pop in pops:
        _constrain_population(atoms, pop, k)
        for figure in pop.figures:
            _constrain_figure(atoms, pop.definition, figure)
    _check_truth(model, atoms, truth)
    goals = _goals(atoms, pops, rows, specs, k, truth)
    result.targets += [g.target for g in goals]
    determined, undecided = _determined(model, atoms, goals, truth, seconds)
    result.undecided += [g.target for g in undecided]
    explained = _explained_by_one(plan, pops, determined, truth, k, seconds)
    for goal in determined:
        basis = explained.get(id(goal))
        if basis is None:
            result.leaks.append(goal.target)
        else:
            result.homogeneous.append((goal.target, basis))


# --- which atoms ---------------------------------------------------------------------------


def norm_sub(spec: QuestionSpec, row: str | None, item: str | None = None) -> str | None:
    """The partitioned part a figure is about: a matrix row, a ranking position."""
    if spec.kind == "ranking":
        if item and "@" in item:
            return "@" + item.rsplit("@", 1)[1]
        return "@1"
    return row


class _Plan:
    """The dimensions and questions one questionnaire's model needs."""

    def __init__(self, pops: list[_Pop], rows: list[Respondent], specs: Mapping[str, QuestionSpec]):
        self.specs, self.rows = specs, rows
        phases: set[Any] = {r.phase for r in rows} | {
            p.definition.phase for p in pops if p.definition.phase
        }
        dims = [
            Dim(("phase",), tuple(sorted(phases or {None}, key=str))),
            Dim(("paired",), (False, True)),
        ]
        groups: dict[str, set[str]] = {}
        shown: set[str] = set()
        answered: set[tuple[str, str | None]] = set()
        self.modelled: set[str] = set()
        self.bins: dict[str, set[tuple[int, int]]] = {}
        self.open_values: dict[str, set[str]] = {}
        for pop in pops:
            d = pop.definition
            if d.group is not None:
                by = specs.get(d.group.question)
                if by is None or by.kind not in ("single", "scale"):
                    raise AuditError(f"breakdown by {d.group.question} is not modelled")
                groups.setdefault(d.group.question, set()).update(d.group.values)
            if d.answered:
                self.modelled.add(d.answered)
            for f in pop.figures:
                q = f["question"]
                if q is None:
                    continue
                self.modelled.add(q)
                item = f.get("item")
                if item and parse_range(item) and specs[q].kind == "number":
                    self.bins.setdefault(q, set()).add(parse_range(item))  # type: ignore[arg-type]
                if specs[q].options is None and item:
                    self.open_values.setdefault(q, set()).add(item)
                if f["statistic"] == "shown":
                    shown.add(q)
                if d.answered and f["statistic"] != "size":
                    a_sub = norm_sub(specs[d.answered], d.row)
                    here = (q, norm_sub(specs[q], f.get("row"), item))
                    if f["statistic"] == "shown" or here != (d.answered, a_sub):
                        answered.add((d.answered, a_sub))
                        self.modelled.add(d.answered)
        for qid in self.modelled | set(groups):
            if specs[qid].options is None:
                seen = {v for r in rows for v in chosen(r.answers.get(qid))}
                self.open_values.setdefault(qid, set()).update(seen)
        for g in sorted(groups):
            spec = specs[g]
            values = (
                spec.options
                if spec.options is not None
                else sorted(self.open_values[g] | groups[g])
            )
            if spec.kind == "scale":
                values = tuple(str(p) for p in range(spec.low, spec.high + 1))
            extra = (OTHER,) if spec.options is None else ()
            dims.append(Dim(("group", g), (*values, *extra, BLANK)))
        self.shown = shown
        dims += [Dim(("answered", q, s), (False, True)) for q, s in sorted(answered, key=str)]
        self.dims = dims
        self.bound = 2 * len(rows) + 20

    def atoms(self, model: cp_model.CpModel) -> Atoms:
        """A fresh set of variables and structural constraints in `model`."""
        atoms = Atoms(
            model,
            "",
            self.specs,
            self.dims,
            self.modelled,
            self.bins,
            self.open_values,
            self.bound,
            self.shown,
        )
        atoms.link_answered_dims()
        return atoms

    def truth(self, atoms: Atoms) -> list[int]:
        """The value of every variable for the real respondents."""
        values = [0] * len(atoms.vars)
        index = {sig: s for s, sig in enumerate(atoms.sigs)}
        for r in self.rows:
            s = index[atoms.signature(r)]
            values[atoms.size[s]] += 1
            for (qid, sub), entry in atoms.subs.items():
                value = answer_of(r, qid, sub if self.specs[qid].kind == "matrix" else None)
                state = _state(self.specs[qid], atoms, value, sub)
                values[entry.cells[s][state]] += 1
                if entry.sums and state != BLANK:
                    values[entry.sums[s][state]] += int(value)  # type: ignore[arg-type]
            for qid, shown in atoms.shown.items():
                values[shown[s]] += r.was_shown(qid)
            for qid, (answered, options) in atoms.multi.items():
                picks = chosen(r.answers.get(qid))
                values[answered[s]] += bool(picks)
                for option in picks:
                    if option not in options:
                        raise AuditError(f"{qid}: answer {option!r} is not an option")
                    values[options[option][s]] += 1
        return values


def _state(spec: QuestionSpec, atoms: Atoms, value: Any, sub: str | None) -> str:
    """The atom state of one answer."""
    if spec.kind == "ranking":
        rank = int((sub or "@1")[1:])
        return value[rank - 1] if value is not None and len(value) >= rank else BLANK
    if value is None:
        return BLANK
    if spec.kind == "text":
        return "present"
    if spec.kind == "number":
        if value != int(value):
            raise AuditError(f"{spec.id}: only whole numbers are modelled")
        for lo, hi in atoms.intervals[spec.id]:
            if lo <= value <= hi:
                return f"{lo}..{hi}"
        raise AuditError(f"{spec.id}: {value} outside {spec.low}..{spec.high}")
    if spec.kind in ("scale", "matrix"):
        return str(int(value))
    picked = chosen(value)[0]
    if spec.options is None:
        return picked if picked in atoms.open_values.get(spec.id, ()) else OTHER
    return picked


# --- constraints from the JSON -------------------------------------------------------------


def _restricted(atoms: Atoms, d: PopulationDef, s: int, question: str, sub: str | None) -> bool:
    """Whether signature s meets the population's `answered` restriction (for `question`)."""
    if d.answered is None:
        return True
    a_sub = norm_sub(atoms.specs[d.answered], d.row)
    if question is not None and (question, sub) == (d.answered, a_sub):
        return True
    flag = atoms.dim_index.get(("answered", d.answered, a_sub))
    if flag is None:
        raise AuditError(f"no answered flag for {d.answered}")
    return bool(atoms.sigs[s][flag])


def size_of(atoms: Atoms, d: PopulationDef) -> Lin:
    """People in a population."""
    out: Lin = {}
    for s in range(len(atoms.sigs)):
        if not atoms.in_base(d, s):
            continue
        if d.answered is None:
            add(out, {atoms.size[s]: 1})
        else:
            add(out, atoms.nonblank(d.answered, norm_sub(atoms.specs[d.answered], d.row), s))
    return out


def figure_lins(atoms: Atoms, d: PopulationDef, f: Mapping[str, Any]) -> tuple[Lin, Lin | None]:
    """(numerator, denominator) of a linear figure; the denominator is None for counts."""
    stat, q = f["statistic"], f["question"]
    if stat == "size":
        return size_of(atoms, d), None
    spec = atoms.specs[q]
    sub = norm_sub(spec, f.get("row"), f.get("item"))
    top: Lin = {}
    base: Lin = {}
    for s in range(len(atoms.sigs)):
        if not atoms.in_base(d, s) or not _restricted(atoms, d, s, q, sub):
            continue
        if stat == "shown":
            add(top, {atoms.shown[q][s]: 1})
            continue
        answered = atoms.nonblank(q, f.get("row") if spec.kind == "matrix" else None, s)
        if stat == "answered":
            add(top, answered)
        elif stat in ("count", "percent"):
            add(top, atoms.cell(q, sub, s, str(f["item"])))
            add(base, answered)
        elif stat == "mean":
            add(top, atoms.total(q, sub, s))
            add(base, answered)
    return top, (base if stat in ("percent", "mean") else None)


def _constrain_figure(atoms: Atoms, d: PopulationDef, f: Mapping[str, Any]) -> None:
    m = atoms.model
    top, base = figure_lins(atoms, d, f)
    value = f["value"]
    if base is None:
        m.add(atoms.expr(top) == round(value))
        return
    scale = 100 if f["statistic"] == "percent" else 1
    m.add(atoms.expr(base) >= 1)
    digits = f.get("digits")
    if digits is None:  # exact: scale × top / base == value, as a fraction
        num, den = float(value).as_integer_ratio()
        m.add(
            atoms.expr({i: c * scale * den for i, c in top.items()})
            == atoms.expr({i: c * num for i, c in base.items()})
        )
        return
    # Printed V at `digits` (half up) means (V - ½)/10^d <= scale×top/base < (V + ½)/10^d.
    unit = 10**digits
    v = round(value * unit)
    lhs = {i: 2 * unit * scale * c for i, c in top.items()}
    m.add(atoms.expr(add(dict(lhs), base, -(2 * v - 1))) >= 0)
    m.add(atoms.expr(add(dict(lhs), base, -(2 * v + 1))) <= -1)


def _constrain_population(atoms: Atoms, pop: _Pop, k: int) -> None:
    """What the JSON tells of a population besides its figures: its size, or that it is small."""
    size = atoms.expr(size_of(atoms, pop.definition))
    if pop.shown:
        atoms.model.add(size == int(pop.size or 0))
    elif pop.reason == f"fewer than {k} people":
        atoms.model.add(size <= k - 1)
    elif pop.reason and pop.reason.startswith(f"fewer than {k} people, or hidden"):
        atoms.model.add(size >= 1)  # a breakdown lists only groups that have members


def _check_truth(model: cp_model.CpModel, atoms: Atoms, truth: list[int]) -> None:
    fixed = model.clone()
    for var, value in zip(atoms.vars, truth, strict=True):
        fixed.add(fixed.get_int_var_from_proto_index(var.index) == value)
    if _solver(SOLVE_SECONDS).solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise AuditError("the raw rows do not satisfy the constraints: a figure is mis-modelled")


# --- targets ------------------------------------------------------------------------------


def _goals(
    atoms: Atoms,
    pops: list[_Pop],
    rows: list[Respondent],
    specs: Mapping[str, QuestionSpec],
    k: int,
    truth: list[int],
) -> list[_Goal]:
    """Every hidden value: of hidden populations, small differences, lone group members."""
    sigs = {
        p.key: frozenset(s for s in range(len(atoms.sigs)) if atoms.in_base(p.definition, s))
        for p in pops
    }
    wanted: dict[tuple[frozenset[int], str | None], tuple[str, bool]] = {}
    for p in pops:
        if not p.shown:
            wanted.setdefault(
                (sigs[p.key], p.definition.answered), (p.key, p.definition.group is not None)
            )
    plain = [p for p in pops if p.definition.answered is None]
    people = {p.key: {r.rid for r in rows if member(r, p.definition)} for p in plain}
    for a, b in itertools.permutations(plain, 2):
        if people[b.key] <= people[a.key] and 0 < len(people[a.key] - people[b.key]) < k:
            grouped = a.definition.group is not None or b.definition.group is not None
            wanted.setdefault(
                (sigs[a.key] - sigs[b.key], None), (f"{a.key} minus {b.key}", grouped)
            )
    for name, i in atoms.dim_index.items():
        if name[0] != "group":
            continue
        for p in plain:
            if p.shown and p.definition.group is None:
                for state in atoms.dims[i].domain:
                    part = frozenset(s for s in sigs[p.key] if atoms.sigs[s][i] == state)
                    wanted.setdefault((part, None), (f"{p.key} with {name[1]}={state}", True))
    items: dict[str, set[tuple[str | None, str]]] = {}
    for p in pops:
        for f in p.figures:
            if f["statistic"] in ("count", "percent") and f.get("item"):
                spec = specs[f["question"]]
                sub = norm_sub(spec, f.get("row"), f["item"])
                items.setdefault(f["question"], set()).add((sub, str(f["item"])))
    for p in pops:
        if p.shown:
            wanted.pop((sigs[p.key], p.definition.answered), None)
    goals = []
    for (part, only), (label, grouped) in wanted.items():
        size: Lin = {}
        for s in part:
            add(size, {atoms.size[s]: 1})
        people_in = _value(size, truth)
        if not 0 < people_in < k:
            continue
        if grouped and only is None:
            goals.append(_Goal(Target(label, "size", None, None, None, people_in), size, part))
        for qid in sorted(atoms.multi.keys() | {q for q, _ in atoms.subs}):
            if only is None or qid == only:
                goals += _question_goals(
                    atoms, specs[qid], part, label, truth, items.get(qid, set())
                )
    return goals


def _question_goals(
    atoms: Atoms,
    spec: QuestionSpec,
    part: frozenset[int],
    label: str,
    truth: list[int],
    items: set[tuple[str | None, str]],
) -> list[_Goal]:
    """Per-item counts (and answered count, sums, released items) of one question."""
    out = []

    def goal(statistic: str, sub: str | None, item: str | None, lin: Lin) -> None:
        out.append(
            _Goal(Target(label, statistic, spec.id, sub, item, _value(lin, truth)), lin, part)
        )

    def over(fn: Any) -> Lin:
        total: Lin = {}
        for s in part:
            add(total, fn(s))
        return total

    optional = not spec.required or spec.conditional or spec.kind == "matrix"
    if spec.kind == "multi":
        if optional:
            goal("answered", None, None, over(lambda s: atoms.nonblank(spec.id, None, s)))
        for option in spec.options or ():
            goal("count", None, option, over(lambda s, o=option: atoms.cell(spec.id, None, s, o)))
        return out
    for (qid, sub), entry in atoms.subs.items():
        if qid != spec.id:
            continue
        if (optional and sub in (None, "@1")) or spec.kind == "matrix":
            goal("answered", sub, None, over(lambda s, q=qid, sb=sub: atoms.nonblank(q, sb, s)))
        for state in entry.states:
            if state not in (BLANK, OTHER):
                goal("count", sub, state, over(lambda s, e=entry, st=state: {e.cells[s][st]: 1}))
        if spec.kind in ("number", "scale", "matrix"):
            goal("sum", sub, None, over(lambda s, q=qid, sb=sub: atoms.total(q, sb, s)))
    for sub, item in sorted(items, key=str):
        if spec.kind != "multi" and item not in atoms.subs.get((spec.id, sub), _NO_SUB).states:
            goal(
                "count", sub, item, over(lambda s, sb=sub, it=item: atoms.cell(spec.id, sb, s, it))
            )
    return out


class _NoSub:
    states: tuple[str, ...] = ()


_NO_SUB = _NoSub()


def _value(lin: Lin, values: Sequence[int]) -> int:
    return sum(c * values[i] for i, c in lin.items())


# --- solving ------------------------------------------------------------------------------


def _solver(seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = 1
    params.max_time_in_seconds = seconds
    # The models are small and solved many times: presolve and LP relaxations cost more
    # than they save (measured on the reference build: 0.6 s per report instead of 1.5 s).
    params.cp_model_presolve = False
    params.linearization_level = 0
    return solver


def _determined(
    model: cp_model.CpModel, atoms: Atoms, goals: list[_Goal], truth: list[int], seconds: float
) -> tuple[list[_Goal], list[_Goal]]:
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
            {j for j in open_ if _value(goals[j].lin, values) != goals[j].target.truth}
        )

    quick = _solver(min(seconds, QUICK_SECONDS))
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
    solver = _solver(seconds)
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


def _explained_by_one(
    plan: _Plan, pops: list[_Pop], goals: list[_Goal], truth: list[int], k: int, seconds: float
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
                _constrain_population(atoms, other, k)
                for figure in other.figures:
                    if figure["statistic"] == "size" or figure["question"] in atoms.group_questions:
                        _constrain_figure(atoms, other.definition, figure)
        if pop is not None:
            for figure in pop.figures:
                _constrain_figure(atoms, pop.definition, figure)
        determined, _ = _determined(model, atoms, inside, truth, seconds)
        out.update((id(g), pop.key if pop else SIZES) for g in determined)
    return out
