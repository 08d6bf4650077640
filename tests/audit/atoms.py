"""Integer variables of the audit: counts of people per atom, and the figures as expressions.

An *atom* is a disjoint cell of the cross-classification that a report's populations can tell
apart: a signature (phase, paired flag, probable-pair flag when a population needs it, the
answer to each breakdown question, whether a conditional question was shown, whether a
question another population is restricted to was answered; in a joint model, joint.py,
whether a member of the pairs or of the three-wave set answered the row in every wave of
it, or whether a person rated the row in both matrices of a gap) times the answer state of one
question (one matrix row, one ranking position).
Why atoms rather than one binary per person: people with the same signature are
interchangeable for every linear figure, so the counts per atom carry all the information
and the model stays small and free of symmetric solutions. Within a signature, answers to
different questions are independent (no figure links them), so any set of per-question counts
that sums to the signature's size is realised by some set of people: the projection is exact,
except that skip logic is only linked to its condition through the "shown" flag, and a
ranking is not forced to fill positions without gaps per person (prefix holds only in count).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from survey_app.reporting.disclosure import PopulationDef

from .rawdata import (
    QuestionSpec,
    Respondent,
    answer_of,
    answered_in_all,
    chosen,
    item_set,
    parse_range,
)

BLANK = "<blank>"
OTHER = "<other>"
#: A linear expression: variable index -> coefficient.
Lin = dict[int, int]


class AuditError(Exception):
    """The audit cannot model this report faithfully (it fails rather than passing blindly)."""


#: A joint flag (joint.py): ("joint", question, row, "paired" | "waves") for "answered the
#: row in every wave of the set", ("joint", question, row, "also", other) for "rated the row
#: in both matrices" (the gap's, within one response).
JointFlag = tuple[Any, ...]


def joint_flag(d: PopulationDef) -> JointFlag | None:
    """The signature flag a joint population is defined by, or None for any other."""
    if not d.answered:
        return None
    if d.also_answered:
        return ("joint", d.answered, d.row, "also", d.also_answered)
    if d.answered_both:
        return ("joint", d.answered, d.row, "waves" if d.waves else "paired")
    return None


def add(target: Lin, other: Mapping[int, int], coef: int = 1) -> Lin:
    """target += coef × other (in place); returns target."""
    for i, c in other.items():
        target[i] = target.get(i, 0) + coef * c
    return target


@dataclass(frozen=True)
class Dim:
    """One component of a signature and the values it can take."""

    name: tuple[Any, ...]
    domain: tuple[Any, ...]


@dataclass
class Sub:
    """One partitioned answer: a question, a matrix row or a ranking position."""

    question: str
    sub: str | None
    states: tuple[str, ...]
    #: signature index -> state -> variable index
    cells: list[dict[str, int]] = field(default_factory=list)
    #: numbers only: signature index -> interval state -> variable index of the values' sum
    sums: list[dict[str, int]] = field(default_factory=list)


class Atoms:
    """The variables of one questionnaire's respondents and the expressions over them."""

    def __init__(
        self,
        model: cp_model.CpModel,
        questionnaire: str,
        specs: Mapping[str, QuestionSpec],
        dims: Sequence[Dim],
        modelled: Iterable[str],
        bins: Mapping[str, set[tuple[int, int]]],
        open_values: Mapping[str, set[str]],
        bound: int,
        shown: Iterable[str] = (),
    ) -> None:
        self.model, self.questionnaire, self.specs = model, questionnaire, specs
        self.open_values = open_values
        self.dims = list(dims)
        self.dim_index = {d.name: i for i, d in enumerate(self.dims)}
        # Why prune: a required breakdown question is never blank, so those cells are empty.
        required_groups = [
            i
            for i, d in enumerate(self.dims)
            if d.name[0] == "group"
            and specs[d.name[1]].required
            and not specs[d.name[1]].conditional
        ]
        # Why prune: a probable pair is by definition not a pair (pairing.py).
        both = [self.dim_index[n] for n in (("paired",), ("probable",)) if n in self.dim_index]
        self.sigs = [
            sig
            for sig in itertools.product(*(d.domain for d in self.dims))
            if all(sig[i] != BLANK for i in required_groups)
            and not (len(both) == 2 and all(sig[i] for i in both))
            and self._possible(sig)
        ]
        self.vars: list[cp_model.IntVar] = []
        self.bound = bound
        self.size = [self._new(bound) for _ in self.sigs]
        self.group_questions = {d.name[1] for d in self.dims if d.name[0] == "group"}
        self.subs: dict[tuple[str, str | None], Sub] = {}
        #: multi choice: question -> (answered per sig, option -> per sig)
        self.multi: dict[str, tuple[list[int], dict[str, list[int]]]] = {}
        self.intervals: dict[str, list[tuple[int, int]]] = {}
        for qid in sorted(set(modelled) - self.group_questions):
            self._question(specs[qid], bins.get(qid, set()))
        #: conditional question -> per signature, the people it was shown to
        self.shown: dict[str, list[int]] = {
            q: [self._new(bound) for _ in self.sigs] for q in sorted(shown)
        }
        self._structure()

    def _possible(self, sig: tuple[Any, ...]) -> bool:
        """Why prune: a code in all three waves is a pre/post pair; a follow-up is no pair;
        only a member of a set (the pairs, the three-wave set) can have answered a row in
        every wave of it, and only who rated a gap's row in its first matrix can have rated
        it in both (joint.py)."""
        phase, paired = sig[self.dim_index["phase",]], sig[self.dim_index["paired",]]
        if phase == "followup" and paired:
            return False
        for name, i in self.dim_index.items():
            if name[0] == "joint" and sig[i] and name[3] == "also":
                first = self.dim_index.get(("answered", name[1], name[2]))
                if first is not None and not sig[first]:
                    return False
            elif name[0] == "joint" and sig[i]:
                member = self.dim_index.get((name[3],))
                if member is None or not sig[member]:
                    return False
        waves = self.dim_index.get(("waves",))
        return waves is None or not sig[waves] or phase == "followup" or bool(paired)

    # --- variables ---------------------------------------------------------------------

    def _new(self, upper: int, lower: int = 0) -> int:
        self.vars.append(self.model.new_int_var(lower, upper, f"v{len(self.vars)}"))
        return len(self.vars) - 1

    def _question(self, spec: QuestionSpec, bins: set[tuple[int, int]]) -> None:
        if spec.kind == "multi":
            answered = [self._new(self.bound) for _ in self.sigs]
            options = {o: [self._new(self.bound) for _ in self.sigs] for o in spec.options or ()}
            self.multi[spec.id] = (answered, options)
            return
        if spec.kind == "number":
            self.intervals[spec.id] = intervals(spec.low, spec.high, bins)
        for sub in subs_of(spec):
            states = (*self.states(spec), BLANK)
            entry = Sub(spec.id, sub, states)
            entry.cells = [{s: self._new(self.bound) for s in states} for _ in self.sigs]
            if spec.kind == "number":
                for cells in entry.cells:
                    sums = {}
                    for (lo, hi), state in zip(self.intervals[spec.id], states, strict=False):
                        var = self._new(max(0, hi) * self.bound, min(0, lo) * self.bound)
                        sums[state] = var
                        count = self.vars[cells[state]]
                        self.model.add(self.vars[var] >= lo * count)
                        self.model.add(self.vars[var] <= hi * count)
                    entry.sums.append(sums)
            self.subs[spec.id, sub] = entry

    def states(self, spec: QuestionSpec) -> tuple[str, ...]:
        """Non-blank answer states of a (partitioned) question."""
        if spec.kind in ("scale", "matrix"):
            return tuple(str(p) for p in range(spec.low, spec.high + 1))
        if spec.kind == "number":
            return tuple(f"{lo}..{hi}" for lo, hi in self.intervals[spec.id])
        if spec.kind == "text":
            return ("present",)
        if spec.options is None:
            return (*sorted(self.open_values.get(spec.id, set())), OTHER)
        return spec.options

    # --- structural constraints ---------------------------------------------------------

    def _structure(self) -> None:
        m, v = self.model, self.vars
        for entry in self.subs.values():
            spec = self.specs[entry.question]
            for s, cells in enumerate(entry.cells):
                m.add(sum(v[i] for i in cells.values()) == v[self.size[s]])
                if self._must_answer(spec, entry.sub, s):
                    m.add(v[cells[BLANK]] == 0)
                if not self._may_answer(entry.question, entry.sub, s):
                    m.add(v[cells[BLANK]] == v[self.size[s]])
        for qid, (answered, options) in self.multi.items():
            spec = self.specs[qid]
            for s in range(len(self.sigs)):
                a, n = v[answered[s]], v[self.size[s]]
                m.add(a <= n)
                picks = [v[options[o][s]] for o in options]
                for p in picks:
                    m.add(p <= a)
                m.add(sum(picks) >= spec.min_picks * a)
                m.add(sum(picks) <= (spec.max_picks or len(picks)) * a)
                if self._must_answer(spec, None, s):
                    m.add(a == n)
                if not self._may_answer(qid, None, s):
                    m.add(a == 0)
        for spec in self.specs.values():
            if spec.kind == "ranking" and (spec.id, "@1") in self.subs:
                self._ranking(spec)
        for qid, shown in self.shown.items():
            spec = self.specs[qid]
            for s in range(len(self.sigs)):
                m.add(v[shown[s]] <= v[self.size[s]])
                for sub in [None] if qid in self.multi else subs_of(spec):
                    answered = self.expr(self.nonblank(qid, sub, s, raw=True))
                    if spec.required and sub in (None, "@1") and spec.kind != "matrix":
                        m.add(answered == v[shown[s]])
                    else:
                        m.add(answered <= v[shown[s]])

    def _ranking(self, spec: QuestionSpec) -> None:
        """An option takes one position per person; positions fill from the first."""
        m, v = self.model, self.vars
        ranks = [self.subs[spec.id, f"@{r}"] for r in range(1, spec.top + 1)]
        for s in range(len(self.sigs)):
            for option in spec.options or ():
                m.add(sum(v[r.cells[s][option]] for r in ranks) <= v[self.size[s]])
            for earlier, later in itertools.pairwise(ranks):
                m.add(v[later.cells[s][BLANK]] >= v[earlier.cells[s][BLANK]])

    def _must_answer(self, spec: QuestionSpec, sub: str | None, s: int) -> bool:
        if not spec.required or spec.kind == "matrix" or sub not in (None, "@1"):
            return False
        return not spec.conditional

    def _may_answer(self, question: str, sub: str | None, s: int) -> bool:
        sig = self.sigs[s]
        flag = self.dim_index.get(("answered", question, sub))
        return flag is None or sig[flag] is not False

    def link_answered_dims(self) -> None:
        """Signatures that say "answered q" (or not) agree with q's own atoms; who answered
        a row in every wave of a set (a joint flag, joint.py) answered it in this one; who
        rated a gap's row in both matrices rated it in each, and who rated it in the first
        alone left it blank in the second (exact: the gap's flag is two answers of one
        response, so its signature also says "answered the first", `Plan`)."""
        for name, i in self.dim_index.items():
            if name[0] == "joint":
                also = name[4] if name[3] == "also" else None
                first = self.dim_index.get(("answered", name[1], name[2]))
                if also is not None and first is None:
                    raise AuditError(f"no answered flag for {name[1]} {name[2] or ''}")
                for s, sig in enumerate(self.sigs):
                    if sig[i]:
                        self.model.add(self.expr(self.blank(name[1], name[2], s)) == 0)
                        if also is not None:
                            self.model.add(self.expr(self.blank(also, name[2], s)) == 0)
                    elif also is not None and sig[first]:
                        size = self.vars[self.size[s]]
                        self.model.add(self.expr(self.blank(also, name[2], s)) == size)
                continue
            if name[0] != "answered":
                continue
            question, sub = name[1], name[2]
            if sub is None and self.specs[question].kind == "matrix":
                self._link_matrix_answered(question, i)
                continue
            for s, sig in enumerate(self.sigs):
                blank = self.blank(question, sub, s)
                if sig[i]:
                    self.model.add(self.expr(blank) == 0)
                else:
                    self.model.add(self.expr(blank) == self.vars[self.size[s]])

    def _link_matrix_answered(self, question: str, flag: int) -> None:
        """ "Answered the matrix" means answered some row: who did not left every row blank.

        Only that side is linear in the rows' counts (who answered did so in at least one
        row, possibly one no figure names): a relaxation in the attacker's favour is not
        made; the other side is left out, which only widens what the solver may assume.
        """
        rows = [sub for (q, sub) in self.subs if q == question and sub is not None]
        for s, sig in enumerate(self.sigs):
            if sig[flag] is False:
                for row in rows:
                    self.model.add(
                        self.expr(self.blank(question, row, s)) == self.vars[self.size[s]]
                    )

    # --- expressions --------------------------------------------------------------------

    def expr(self, lin: Mapping[int, int]) -> cp_model.LinearExprT:
        """A CP-SAT expression of a Lin."""
        if not lin:
            return 0
        keys = list(lin)
        return cp_model.LinearExpr.weighted_sum(
            [self.vars[i] for i in keys], [lin[i] for i in keys]
        )

    def blank(self, question: str, sub: str | None, s: int) -> Lin:
        """People of signature s who left the question (row, position) blank."""
        if question in self.multi:
            return add({self.size[s]: 1}, {self.multi[question][0][s]: -1})
        if question in self.group_questions:
            state = self.sigs[s][self.dim_index["group", question]]
            return {self.size[s]: 1} if state == BLANK else {}
        return {self.sub(question, sub).cells[s][BLANK]: 1}

    def sub(self, question: str, sub: str | None) -> Sub:
        """The partitioned answer, or AuditError when the figure's question is not modelled."""
        entry = self.subs.get((question, sub))
        if entry is None:
            raise AuditError(f"{self.questionnaire}: no atoms for {question} {sub or ''}")
        return entry

    def cell(self, question: str, sub: str | None, s: int, item: str) -> Lin:
        """People of signature s whose answer counts for `item` (a state, range or option@rank)."""
        spec = self.specs[question]
        as_set = item_set(item)
        if as_set is not None:
            return self._set_cell(question, sub, s, *as_set)
        if question in self.group_questions:
            state = self.sigs[s][self.dim_index["group", question]]
            return {self.size[s]: 1} if state == item else {}
        if question in self.multi:
            return {self.multi[question][1][item][s]: 1}
        if spec.kind == "ranking":
            if "@" in item:
                option, rank = item.rsplit("@", 1)
                return {self.sub(question, f"@{rank}").cells[s][option]: 1}
            out: Lin = {}
            for r in range(1, spec.top + 1):
                add(out, {self.sub(question, f"@{r}").cells[s][item]: 1})
            return out
        entry = self.sub(question, sub)
        bounds = parse_range(item)
        if bounds is None:
            if item not in entry.cells[s]:
                raise AuditError(f"{question}: unknown item {item!r}")
            return {entry.cells[s][item]: 1}
        picked = {}
        for state in entry.states:
            own = parse_range(state) if state != BLANK else None
            point = own or ((int(state), int(state)) if state.lstrip("-").isdigit() else None)
            if point and bounds[0] <= point[0] and point[1] <= bounds[1]:
                picked[entry.cells[s][state]] = 1
            elif point and not (point[1] < bounds[0] or bounds[1] < point[0]):
                raise AuditError(f"{question}: bin {item} cuts an atom {state}")
        return picked

    def _set_cell(
        self, question: str, sub: str | None, s: int, negated: bool, values: frozenset[str]
    ) -> Lin:
        """People of signature s who gave any of `values` (or, negated, answered none)."""
        if question in self.group_questions:
            state = self.sigs[s][self.dim_index["group", question]]
            hit = state != BLANK and ((state not in values) if negated else (state in values))
            return {self.size[s]: 1} if hit else {}
        if question in self.multi or self.specs[question].kind == "ranking":
            raise AuditError(f"{question}: a set item of a multi-answer question is not linear")
        entry = self.sub(question, sub)
        out: Lin = {}
        for state in entry.states:
            if state == BLANK:
                continue
            if (state not in values) if negated else (state in values):
                add(out, {entry.cells[s][state]: 1})
        return out

    def nonblank(self, question: str, sub: str | None, s: int, raw: bool = False) -> Lin:
        """People of signature s who answered (ranking: gave a first position; matrix: a row)."""
        if self.specs[question].kind == "ranking" and not raw:
            sub = "@1"
        if self.specs[question].kind == "matrix" and sub is None:
            flag = self.dim_index.get(("answered", question, None))
            if flag is None:
                raise AuditError(f"{question}: answering the matrix as a whole is not modelled")
            return {self.size[s]: 1} if self.sigs[s][flag] else {}
        return add({self.size[s]: 1}, self.blank(question, sub, s), -1)

    def total(self, question: str, sub: str | None, s: int) -> Lin:
        """Sum of the numeric answers of signature s (scale points, matrix row, number)."""
        spec = self.specs[question]
        entry = self.sub(question, sub)
        if spec.kind == "number":
            return dict.fromkeys(entry.sums[s].values(), 1)
        if spec.kind not in ("scale", "matrix"):
            raise AuditError(f"{question}: a mean of a {spec.kind} question")
        return {entry.cells[s][str(p)]: p for p in range(spec.low, spec.high + 1)}

    # --- signatures ---------------------------------------------------------------------

    def in_base(self, definition: PopulationDef, s: int) -> bool:
        """Whether signature s is in the population, leaving out its `answered` restriction."""
        d, sig = definition, self.sigs[s]
        if d.submitted_from or d.submitted_to:
            raise AuditError("populations by submission dates are not modelled")
        # A programme population: every modelled row is the programme's (Plan checks it);
        # its training is a breakdown answer ("training"), a signature component.
        if d.phase is not None and sig[self.dim_index["phase",]] != d.phase:
            return False
        if d.paired and not sig[self.dim_index["paired",]]:
            return False
        if d.probable and not sig[self.dim_index["probable",]]:
            return False
        if d.waves and not sig[self.dim_index["waves",]]:
            return False
        name = joint_flag(d)
        if name is not None:
            flag = self.dim_index.get(name)
            if flag is None:
                raise AuditError(f"no joint flag for {d.answered} {d.row or ''}")
            if not sig[flag]:
                return False
        if d.versions is not None and sig[self.dim_index["version",]] not in d.versions:
            return False
        if d.group is not None:
            state = sig[self.dim_index["group", d.group.question]]
            hit = state in d.group.values
            if hit == d.group.exclude:
                return False
        return True

    def signature(self, r: Respondent) -> tuple[Any, ...]:
        """The signature of a respondent."""
        out = []
        for d in self.dims:
            kind = d.name[0]
            if kind == "phase":
                out.append(r.phase)
            elif kind == "paired":
                out.append(r.paired)
            elif kind == "probable":
                out.append(r.probable)
            elif kind == "waves":
                out.append(r.waves)
            elif kind == "version":
                out.append(r.version)
            elif kind == "joint" and d.name[3] == "also":
                rated = (answer_of(r, q, d.name[2]) is not None for q in (d.name[1], d.name[4]))
                out.append(all(rated))
            elif kind == "joint":
                out.append(answered_in_all(r, d.name[1], d.name[2], waves=d.name[3] == "waves"))
            elif kind == "group":
                values = chosen(r.answers.get(d.name[1]))
                value = values[0] if values else BLANK
                out.append(value if value in d.domain else OTHER)
            else:
                out.append(answer_of(r, d.name[1], d.name[2]) is not None)
        return tuple(out)


def subs_of(spec: QuestionSpec) -> list[str | None]:
    """The partitioned parts of a question: rows of a matrix, positions of a ranking."""
    if spec.kind == "matrix":
        return list(spec.rows)
    if spec.kind == "ranking":
        return [f"@{r}" for r in range(1, spec.top + 1)]
    return [None]


def intervals(low: int, high: int, bins: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """The elementary intervals that every released bin of a number question is a union of."""
    cuts = {low, high + 1}
    for lo, hi in bins:
        cuts |= {min(max(lo, low), high + 1), min(max(hi + 1, low), high + 1)}
    edges = sorted(cuts)
    return [(a, b - 1) for a, b in itertools.pairwise(edges)]
