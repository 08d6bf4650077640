"""Joint populations of the three waves: the people of the three-wave set who rated a matrix
row (or a scale) in all three waves, the retention block's per-item sets.

Why a model of their own: membership depends on answers of one person in three responses,
one per questionnaire. The main model of each questionnaire would need a flag per matrix row
in every signature, which multiplies its sizes past what CP-SAT solves in time. So each joint
(question, row) gets small extra models, one per wave's questionnaire: the main model's
populations of that questionnaire with only the figures of that question (and of the
breakdown questions and sizes, which are signature facts), the three-wave set, and the joint
population itself, listed or mirrored from another wave (one person, one size, in all three);
the signature gets one more flag, "rated this row in all three waves", which only a code of
the three-wave set can have (atoms.py) and which says the row is answered in this wave. The
targets are `targets.joint_goals`.

Left out (a relaxation in the report's favour, see README.md): figures of the other
questions of the questionnaire, which are linked to this row only through the sizes of the
signatures; a pair's "answered before and after" and the gap's "rated it in both matrices".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .atoms import AuditError
from .plan import Pop
from .rawdata import QuestionSpec, Respondent, Specs, definition_of


@dataclass
class JointModel:
    """One wave's extra model of one joint (question, row)."""

    questionnaire: str
    question: str
    row: str | None
    pops: list[Pop]
    rows: list[Respondent]


def of_waves(definition: Mapping[str, Any]) -> bool:
    """Whether a JSON definition is "rated it in all three waves" (modelled here)."""
    return bool(
        definition.get("waves") and definition.get("answered_both") and definition.get("answered")
    )


def listed(data: Mapping[str, Any]) -> dict[str, Pop]:
    """The report's joint populations of the three waves, shown and hidden, by key."""
    out = {
        p["key"]: Pop(p["key"], definition_of(p["definition"]), True, p["size"], None)
        for p in data["populations"]
        if of_waves(p["definition"])
    }
    for h in data["hidden"]:
        if of_waves(h["definition"]):
            out.setdefault(
                h["key"], Pop(h["key"], definition_of(h["definition"]), False, None, h["reason"])
            )
    return out


def models(
    pops: Mapping[str, Pop],
    joint: Mapping[str, Pop],
    respondents: Sequence[Respondent],
    specs: Specs,
) -> list[JointModel]:
    """Per joint (question, row), one model per wave whose questionnaire asks it."""
    by_row: dict[tuple[str, str | None], list[Pop]] = {}
    for pop in joint.values():
        d = pop.definition
        by_row.setdefault((d.answered or "", d.row), []).append(pop)
    # The three-wave set of each wave (listed or mirrored, audit._wave_mirrors).
    waves = {
        (p.definition.questionnaire, p.definition.phase): p
        for p in pops.values()
        if p.definition.waves and p.definition.answered is None and p.definition.group is None
    }
    out = []
    for (question, row), group in sorted(by_row.items(), key=str):
        for (qid, phase), three in sorted(waves.items(), key=str):
            here = [
                p
                for p in group
                if (p.definition.questionnaire, p.definition.phase)
                == (
                    qid,
                    phase,
                )
            ]
            spec = specs[qid].get(question)
            if not _asks(spec, row):
                if here:
                    raise AuditError(f"{qid} has no {question} {row or ''} to rate")
                continue
            joint_here = here or [_mirror(group, three, question, row)]
            shown = next((p for p in group if p.shown), None)
            if shown is not None and not any(p.shown for p in joint_here):
                # One person, one size: a wave that shows them prints the size of all three.
                d = joint_here[0].definition
                joint_here.append(Pop(f"{shown.key} as {phase}", d, True, shown.size, None))
            keep = _kept_questions(pops.values(), qid, question)
            base = [
                replace(p, figures=[f for f in p.figures if f["question"] in keep])
                for p in pops.values()
                if p.definition.questionnaire == qid
            ]
            rows = [r for r in respondents if r.questionnaire == qid]
            out.append(JointModel(qid, question, row, [*base, *joint_here], rows))
    modelled = {id(p) for m in out for p in m.pops}
    missing = [p.key for p in joint.values() if id(p) not in modelled]
    if missing:
        raise AuditError(f"joint populations outside any wave's three-wave set: {missing[:3]}")
    return out


def _asks(spec: QuestionSpec | None, row: str | None) -> bool:
    if spec is None:
        return False
    return row in spec.rows if spec.kind == "matrix" else row is None


def _mirror(group: list[Pop], three: Pop, question: str, row: str | None) -> Pop:
    """The joint population as the wave of `three` sees it: the same people, so the same
    size, or the same reason to be hidden (a hidden one first; `models` adds the size of a
    shown one)."""
    definition = replace(three.definition, answered=question, row=row, answered_both=True)
    source = next((p for p in group if not p.shown), group[0])
    key = f"{source.key} as {definition.phase}"
    return Pop(key, definition, source.shown, source.size, source.reason)


def _kept_questions(pops: Iterable[Pop], qid: str, question: str) -> set[str | None]:
    """Figures a joint model keeps: sizes, the question's own, and the breakdown questions'
    (their counts are sizes of signatures)."""
    groups = {
        p.definition.group.question
        for p in pops
        if p.definition.questionnaire == qid and p.definition.group is not None
    }
    return {None, question, *groups}
