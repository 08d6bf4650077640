"""The audit's model of one questionnaire: which atoms it needs, their true values, and the
constraints each released figure and each listed population adds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from survey_app.reporting.disclosure import PopulationDef

from .atoms import BLANK, OTHER, Atoms, AuditError, Dim, JointFlag, Lin, add, joint_flag
from .rawdata import QuestionSpec, Respondent, answer_of, chosen, parse_range


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
class Pop:
    key: str
    definition: PopulationDef
    shown: bool
    size: int | None
    reason: str | None
    figures: list[Mapping[str, Any]] = field(default_factory=list)


@dataclass
class Goal:
    target: Target
    lin: Lin
    sigs: frozenset[int]


# --- which atoms ---------------------------------------------------------------------------


def norm_sub(spec: QuestionSpec, row: str | None, item: str | None = None) -> str | None:
    """The partitioned part a figure is about: a matrix row, a ranking position."""
    if spec.kind == "ranking":
        if item and "@" in item:
            return "@" + item.rsplit("@", 1)[1]
        return "@1"
    return row


class Plan:
    """The dimensions and questions one questionnaire's model needs."""

    def __init__(self, pops: list[Pop], rows: list[Respondent], specs: Mapping[str, QuestionSpec]):
        self.specs, self.rows = specs, rows
        phases: set[Any] = {r.phase for r in rows} | {
            p.definition.phase for p in pops if p.definition.phase
        }
        dims = [
            Dim(("phase",), tuple(sorted(phases or {None}, key=str))),
            Dim(("paired",), (False, True)),
        ]
        if any(p.definition.probable for p in pops):
            # Near-miss pairing (pairing.py): a third pairing state, only when a population
            # is of the probable pairs (the others add no atoms).
            dims.append(Dim(("probable",), (False, True)))
        if any(p.definition.waves for p in pops):
            # Three waves (waves.py): whether the code answered pre, post and follow-up.
            dims.append(Dim(("waves",), (False, True)))
        for name in sorted({joint_dim(p.definition) for p in pops} - {None}, key=str):
            # Only in a joint model (joint.py): whether a member of the set (the pairs, the
            # three-wave set) answered this row in every wave of it, or whether a person
            # rated this row in both matrices of a gap. Why one row per model: a flag per
            # row would multiply the sizes.
            dims.append(Dim(name, (False, True)))
        if any(p.definition.versions is not None for p in pops):
            # Only when some population is of certain versions: the others add no atoms.
            numbers = {r.version for r in rows} | {
                v for p in pops for v in (p.definition.versions or ())
            }
            dims.append(Dim(("version",), tuple(sorted(numbers, key=str))))
        groups: dict[str, set[str]] = {}
        shown: set[str] = set()
        answered: set[tuple[str, str | None]] = set()
        self.modelled: set[str] = set()
        self.bins: dict[str, set[tuple[int, int]]] = {}
        self.open_values: dict[str, set[str]] = {}
        for pop in pops:
            d = pop.definition
            if d.programme is not None and any(r.programme != d.programme for r in rows):
                raise AuditError("a programme's population among rows of other trainings")
            if d.group is not None:
                by = specs.get(d.group.question)
                if by is None or by.kind not in ("single", "scale"):
                    raise AuditError(f"breakdown by {d.group.question} is not modelled")
                groups.setdefault(d.group.question, set()).update(d.group.values)
            if d.answered:
                self.modelled.add(d.answered)
                if specs[d.answered].kind == "matrix" and d.row is None:
                    # "Answered the matrix" (any row) is no row's own count: it needs a flag.
                    answered.add((d.answered, None))
            if d.answered and d.also_answered:
                # The gap's "rated it in both" (joint.py): "not both" needs to know who
                # rated it in the first matrix (atoms.link_answered_dims).
                self.modelled.add(d.also_answered)
                answered.add((d.answered, norm_sub(specs[d.answered], d.row)))
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


def joint_dim(d: PopulationDef) -> JointFlag | None:
    """The signature flag of a joint population ("answered the row in every wave of the
    set", "rated the row in both matrices", joint.py: `atoms.joint_flag`), or None."""
    return joint_flag(d)


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
        elif stat == "sum":  # a joint model's bounds from a mean difference (joint.py)
            add(top, atoms.total(q, sub, s))
            if f.get("minus"):  # the gap's mean discrepancy: of one row, minus another's
                add(top, atoms.total(f["minus"], sub, s), -1)
    return top, (base if stat in ("percent", "mean") else None)


def constrain_figure(atoms: Atoms, d: PopulationDef, f: Mapping[str, Any]) -> None:
    m = atoms.model
    top, base = figure_lins(atoms, d, f)
    value = f["value"]
    if "low" in f:  # a sum between bounds (joint.py)
        m.add(atoms.expr(top) >= int(f["low"]))
        m.add(atoms.expr(top) <= int(f["high"]))
        return
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


def constrain_population(atoms: Atoms, pop: Pop, k: int) -> None:
    """What the JSON tells of a population besides its figures: its size, or that it is small."""
    group = pop.definition.group
    if not pop.shown and group is not None and not group.values:
        # A breakdown's hidden groups are listed without their answer (naming one would
        # tell that someone gave it): the entry says only which question groups people.
        return
    size = atoms.expr(size_of(atoms, pop.definition))
    if pop.shown:
        atoms.model.add(size == int(pop.size or 0))
    elif pop.reason == f"fewer than {k} people":
        atoms.model.add(size <= k - 1)
    elif pop.reason and pop.reason.startswith(f"fewer than {k} people, or hidden"):
        atoms.model.add(size >= 1)  # a breakdown lists only groups that have members
    elif pop.reason and pop.reason.startswith("differs from"):
        atoms.model.add(size >= k)  # Disclosure.population says "fewer than k" first
