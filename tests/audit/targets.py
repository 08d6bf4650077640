"""The hidden values the audit solves for (targets), as linear expressions over atoms."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from .atoms import BLANK, OTHER, Atoms, AuditError, Lin, add, joint_flag
from .plan import Goal, Pop, Target, norm_sub
from .rawdata import QuestionSpec, Respondent, member

# --- targets ------------------------------------------------------------------------------


#: (paired, probable) -> the people of a population with that pairing state.
PAIRING = {
    (True, False): "codes paired",
    (False, True): "codes in probable pairs",
    (False, False): "codes that paired with nothing",
}


def goals_of(
    atoms: Atoms,
    pops: list[Pop],
    rows: list[Respondent],
    specs: Mapping[str, QuestionSpec],
    k: int,
    truth: list[int],
) -> list[Goal]:
    """Every hidden value: of hidden populations, small differences, lone group members."""
    sigs = {
        p.key: frozenset(s for s in range(len(atoms.sigs)) if atoms.in_base(p.definition, s))
        for p in pops
    }
    wanted: dict[tuple[frozenset[int], str | None], tuple[str, bool]] = {}
    for p in pops:
        if not p.shown:
            wanted.setdefault((sigs[p.key], p.definition.answered), (p.key, _sized(p)))
    plain = [p for p in pops if p.definition.answered is None]
    people = {p.key: {r.rid for r in rows if member(r, p.definition)} for p in plain}
    for a, b in itertools.permutations(plain, 2):
        if people[b.key] <= people[a.key] and 0 < len(people[a.key] - people[b.key]) < k:
            grouped = _sized(a) or _sized(b)
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
    pairing = [atoms.dim_index[n] for n in (("paired",), ("probable",)) if n in atoms.dim_index]
    if len(pairing) == 2:  # near-miss pairing: how a person's code paired is one more answer
        for p in plain:
            if p.shown and p.definition.group is None:
                for state, name in PAIRING.items():
                    part = frozenset(
                        s for s in sigs[p.key] if tuple(atoms.sigs[s][i] for i in pairing) == state
                    )
                    wanted.setdefault((part, None), (f"{p.key} with {name}", True))
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
        people_in = value_of(size, truth)
        if not 0 < people_in < k:
            continue
        if grouped and only is None:
            goals.append(Goal(Target(label, "size", None, None, None, people_in), size, part))
        for qid in sorted(atoms.multi.keys() | {q for q, _ in atoms.subs}):
            if only is None or qid == only:
                goals += _question_goals(
                    atoms, specs[qid], part, label, truth, items.get(qid, set())
                )
    return goals


def joint_goals(
    atoms: Atoms,
    pops: list[Pop],
    rows: list[Respondent],
    specs: Mapping[str, QuestionSpec],
    k: int,
    truth: list[int],
) -> list[Goal]:
    """The hidden values of a joint model (joint.py): the people of a set (the pairs, the
    three-wave set) who answered one row in every wave of it, or who rated one row in both
    matrices of a gap, when they are hidden, and what sets them apart from each population
    around them (a wave, the pairs, the three-wave set, the raters of the row in this wave
    or in either matrix) when that is 1..k-1 people: their ratings of the row (in this
    model's wave; the gap's: in each matrix), and their size.

    Why the size only at times: when every one of them is in the set, the size is "rated
    it in all three waves: n of the N" (the pairs: n of the N pairs; an answered count,
    printed by design); when someone outside the set is among them, or no wave shows the
    joint population, the size is a hidden value as the set's own is. The gap's people
    are of no set: who rated a row in both matrices, in one, or in none is "n of the N",
    answered counts printed by design, so its sizes are never targets (as a hidden
    population's answered count is not, `goals_of`).
    """
    joint = [p for p in pops if joint_flag(p.definition)]
    if not joint:
        return []
    flag = joint_flag(joint[0].definition)
    if any(joint_flag(p.definition) != flag for p in joint):
        raise AuditError("a joint model is of one question row")
    _, question, row, of_set, *also = flag
    questions = (question, *also)
    gap = bool(also)
    sigs = {
        p.key: frozenset(s for s in range(len(atoms.sigs)) if atoms.in_base(p.definition, s))
        for p in pops
    }
    printed = any(p.shown for p in joint)
    wanted: dict[tuple[frozenset[int], str | None], tuple[str, bool]] = {}
    for j in joint:
        if not j.shown:
            wanted.setdefault((sigs[j.key], None), (j.key, not printed and not gap))
    people = {p.key: {r.rid for r in rows if member(r, p.definition)} for p in pops}
    for j in (p for p in joint if p.shown):
        for around in pops:
            d = around.definition
            if (
                joint_flag(d)
                or d.answered not in (None, *questions)
                or d.row != (row if d.answered else None)
            ):
                continue
            extra = people[around.key] - people[j.key]
            if not people[j.key] <= people[around.key] or not 0 < len(extra) < k:
                continue
            outside = not gap and any(not getattr(r, of_set) for r in rows if r.rid in extra)
            wanted.setdefault(
                (sigs[around.key] - sigs[j.key], d.answered),
                (f"{around.key} minus {j.key}", outside),
            )
    goals = []
    for (part, restricted), (label, sized) in wanted.items():
        size: Lin = {}
        for s in part:
            add(size, {atoms.size[s]: 1})
        raters = {q: _raters(atoms, q, row, part) for q in questions}
        if restricted:
            size = raters[restricted]
        people_in = value_of(size, truth)
        if sized and 0 < people_in < k:
            goals.append(Goal(Target(label, "size", None, None, None, people_in), size, part))
        # Their ratings, when 1..k-1 of them rated the row (in this wave, in that matrix).
        # Why not when none did: then "none of them rated it" is what printed answered
        # counts say (n of the N rated it in every wave, and as many of the N rated it in
        # this one; n of the N rated it in both, and as many in this matrix), not an answer.
        for q in questions:
            # Who rated one matrix (a restricted population around) and not both left the
            # other blank: only their ratings of that one are theirs to give away.
            if restricted not in (None, q):
                continue
            if 0 < value_of(raters[q], truth) < k:
                items = _released_items(pops, q, row)
                goals += _row_goals(atoms, q, row, part, label, truth, items)
    return goals


def _raters(atoms: Atoms, question: str, row: str | None, part: frozenset[int]) -> Lin:
    out: Lin = {}
    for s in part:
        add(out, atoms.nonblank(question, row, s))
    return out


def _released_items(pops: list[Pop], question: str, row: str | None) -> set[str]:
    """Items (sets of points) some figure of the row releases."""
    return {
        str(f["item"])
        for p in pops
        for f in p.figures
        if f["statistic"] in ("count", "percent")
        and (f["question"], f.get("row")) == (question, row)
        and f.get("item")
    }


def apart_from_joint(atoms: Atoms, pops: list[Pop], k: int) -> list[tuple[str, frozenset[int]]]:
    """In a joint model: (label, signatures) of the people a shown population holds beyond
    a shown joint population within it, when their printed sizes differ by k or more.

    Why: the nesting rule lets such a difference show (it is k or more people), so "none of
    the 5 raters of the row outside the joint population rated 4" is a fact of k or more
    people, as a shown population's zero is (`audit._zero_candidates`), and a part of them
    shares it.
    """
    sigs = {
        p.key: frozenset(s for s in range(len(atoms.sigs)) if atoms.in_base(p.definition, s))
        for p in pops
    }
    out = []
    for j in pops:
        d, flag = j.definition, joint_flag(j.definition)
        if not (j.shown and flag) or j.size is None:
            continue
        questions = (d.answered, *flag[4:])
        for around in pops:
            a = around.definition
            if (
                not around.shown
                or around.size is None
                or joint_flag(a)
                or a.answered not in (None, *questions)
                or a.row != (d.row if a.answered else None)
            ):
                continue
            if around.size - j.size >= k and sigs[j.key] < sigs[around.key]:
                out.append((f"{around.key} minus {j.key}", sigs[around.key] - sigs[j.key]))
    return out


def _row_goals(
    atoms: Atoms,
    question: str,
    row: str | None,
    part: frozenset[int],
    label: str,
    truth: list[int],
    items: set[str],
) -> list[Goal]:
    """Ratings of one row by the people of `part`: a count per point, the sum, and every
    other released item (a set of points)."""
    entry = atoms.sub(question, row)
    lins: list[tuple[str, str | None, Lin]] = []
    for state in entry.states:
        if state != BLANK:
            lins.append(("count", state, {entry.cells[s][state]: 1 for s in part}))
    total: Lin = {}
    for s in part:
        add(total, atoms.total(question, row, s))
    lins.append(("sum", None, total))
    for item in sorted(items - set(entry.states)):
        cells: Lin = {}
        for s in part:
            add(cells, atoms.cell(question, row, s, item))
        lins.append(("count", item, cells))
    return [
        Goal(Target(label, statistic, question, row, item, value_of(lin, truth)), lin, part)
        for statistic, item, lin in lins
    ]


def _sized(pop: Pop) -> bool:
    """Whether the population's size is a hidden value in itself: a breakdown answer or
    "answered all three waves" defines it (so who is in it says something of each)."""
    return pop.definition.group is not None or pop.definition.waves


def _question_goals(
    atoms: Atoms,
    spec: QuestionSpec,
    part: frozenset[int],
    label: str,
    truth: list[int],
    items: set[tuple[str | None, str]],
) -> list[Goal]:
    """Per-item counts (and answered count, sums, released items) of one question."""
    out = []

    def goal(statistic: str, sub: str | None, item: str | None, lin: Lin) -> None:
        out.append(
            Goal(Target(label, statistic, spec.id, sub, item, value_of(lin, truth)), lin, part)
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


def widened(
    atoms: Atoms,
    spec: QuestionSpec,
    goal: Goal,
    part: frozenset[int],
    label: str,
    truth: list[int],
) -> Goal | None:
    """The same statistic as `goal` over the people of `part` (which contains its own)."""
    t = goal.target
    items = {(t.sub, t.item)} if t.item is not None else set()
    for g in _question_goals(atoms, spec, part, label, truth, items):
        u = g.target
        if (u.statistic, u.sub, u.item) == (t.statistic, t.sub, t.item):
            return g
    return None


class _NoSub:
    states: tuple[str, ...] = ()


_NO_SUB = _NoSub()


def value_of(lin: Lin, values: Sequence[int]) -> int:
    return sum(c * values[i] for i, c in lin.items())
