"""Joint populations: the people of a set defined across waves (the pre/post pairs, the
three-wave set) who answered one question (matrix row, scale, number) in every wave of it,
and the people who rated one row in both matrices of a gap (two answers of one response).

Three kinds, one idea (`KINDS`):
- a pair's "answered before and after" (`paired` with `answered_both`, the pre/post block's
  per-item pairs): the pairs, in the pre and the post questionnaire, who answered the item
  in both; printed: n, the mean before, the mean after and the mean difference;
- "rated it in all three waves" (`waves` with `answered_both`, the retention block's
  per-item sets): the three-wave set, in each wave's questionnaire; printed: a mean per
  wave and the n;
- the gap's "rated the row in both questions" (`answered` with `also_answered`, the needs
  block's per-row populations): within one response, so one model per (row), of its
  questionnaire; printed: n, the mean of each matrix's row, the mean discrepancy (linear:
  the two sums' difference over n), and Borich's MWDS (a product of two means), the RDM's
  median and % positive (not linear in counts per row: they pair each person's two
  ratings) and the two ranks, which stay skipped.

Why a model of their own: membership depends on answers of one person in two or three
responses, one per questionnaire. The main model of each questionnaire would need a flag per
matrix row in every signature, which multiplies its sizes past what CP-SAT solves in time.
So each joint (question, row) gets small extra models, one per wave's questionnaire: the
main model's populations of that questionnaire with only the figures of that question (and
of the breakdown questions and sizes, which are signature facts), the set in that wave
(listed or mirrored: one person, one latest response per wave), and the joint population
itself, listed or mirrored from another wave (one person, one size, in every wave); the
signature gets one more flag, "answered this item in every wave of the set", which only a
member of the set can have (atoms.py) and which says the item is answered in this wave. A
figure of one wave (a wave's mean, the pairs' mean before or after) is a mean in that wave's
model; the pairs' mean difference bounds each wave's sum through the other wave's printed
mean (`_difference_bounds`). The gap's flag is exact within its response: who has it
rated the row in both matrices, who rated it in the first alone left the second blank (its
signature also says "answered the first": atoms.py); its mean discrepancy bounds the
difference of the two sums (`_sum_bounds`). The targets are `targets.joint_goals`.

Left out (a relaxation in the report's favour, see README.md): figures of the other
questions of the questionnaire, which are linked to this item only through the sizes of the
signatures; what the other wave's model knows of its sum beyond its printed mean; the
Wilcoxon p-value and the effect size (not linear); the gap's MWDS, RDM figures and ranks
(not linear).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from survey_app.reporting.disclosure import LINEAR_STATISTICS, PopulationDef

from .atoms import AuditError, joint_flag
from .plan import Pop
from .rawdata import QuestionSpec, Respondent, Specs, definition_of


@dataclass(frozen=True)
class Kind:
    """A set defined across waves: its flag (of `PopulationDef` and `Respondent`) and waves;
    or, with no waves, the gap's two answers of one response (`also_answered`)."""

    flag: str
    phases: tuple[str, ...]
    #: A figure of the joint population about one wave -> that wave (a mean there).
    means: Mapping[str, str]


PAIRS = Kind("paired", ("pre", "post"), {"mean_before": "pre", "mean_after": "post"})
WAVES = Kind("waves", ("pre", "post", "followup"), {})
GAP = Kind("also_answered", (), {})
KINDS = {kind.flag: kind for kind in (PAIRS, WAVES, GAP)}
#: Linear figures of joint populations beyond `LINEAR_STATISTICS`.
STATISTICS = ("mean_before", "mean_after", "mean_difference", "mean_discrepancy")


@dataclass
class JointModel:
    """One wave's extra model of one joint (question, row)."""

    questionnaire: str
    question: str
    row: str | None
    pops: list[Pop]
    rows: list[Respondent]


def kind_of(definition: PopulationDef | Mapping[str, Any]) -> Kind | None:
    """The kind of a joint population (modelled here), else None."""

    def get(name: str) -> Any:
        if isinstance(definition, Mapping):
            return definition.get(name)
        return getattr(definition, name)

    if get("also_answered") and get("answered"):
        return GAP
    if not (get("answered_both") and get("answered")):
        return None
    return WAVES if get("waves") else PAIRS if get("paired") else None


def modelled(figure: Mapping[str, Any]) -> bool:
    """Whether a figure of a joint population is a constraint of its models."""
    return figure["statistic"] in (*LINEAR_STATISTICS, *STATISTICS)


def listed(data: Mapping[str, Any]) -> dict[str, Pop]:
    """The report's joint populations, shown and hidden, by key."""
    out = {
        p["key"]: Pop(p["key"], definition_of(p["definition"]), True, p["size"], None)
        for p in data["populations"]
        if kind_of(p["definition"])
    }
    for h in data["hidden"]:
        if kind_of(h["definition"]):
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
    """Per joint (question, row), one model per wave whose questionnaire asks it (the gap's:
    one, of its questionnaire)."""
    by_row: dict[tuple[Any, ...], list[Pop]] = {}
    for pop in joint.values():
        flag = joint_flag(pop.definition)
        if flag is None:
            raise AuditError(f"{pop.key} is no joint population")
        # A set's populations of each wave together; the gap's, per questionnaire.
        where = (pop.definition.questionnaire,) if flag[3] == "also" else ()
        by_row.setdefault((*flag, *where), []).append(pop)
    out = []
    for (_, question, row, flag, *gap), found in sorted(by_row.items(), key=str):
        if gap:
            also, qid = gap
            out.append(_gap_model(qid, question, also, row, found, pops, respondents, specs))
            continue
        kind = KINDS[flag]
        sets = _sets(kind, pops, respondents)
        group = [_in_wave(p, sets) for p in found]
        for (qid, phase), whole in sorted(sets.items(), key=str):
            here = [
                p for p in group if (p.definition.questionnaire, p.definition.phase) == (qid, phase)
            ]
            spec = specs[qid].get(question)
            if not _asks(spec, row):
                if here:
                    raise AuditError(f"{qid} has no {question} {row or ''} to answer")
                continue
            joint_here = [
                replace(p, figures=_figures(kind, p.figures, phase, own=True)) for p in here
            ]
            joint_here = joint_here or [_mirror(kind, group, whole, question, row)]
            shown = next((p for p in group if p.shown), None)
            if shown is not None and not any(p.shown for p in joint_here):
                # One person, one size: a wave that shows them prints the size of all.
                d = joint_here[0].definition
                joint_here.append(Pop(f"{shown.key} as {phase}", d, True, shown.size, None))
            keep = _kept_questions(pops.values(), qid, question)
            base = [
                replace(p, figures=[f for f in p.figures if f["question"] in keep])
                for p in pops.values()
                if p.definition.questionnaire == qid
            ]
            if all(p is not whole for p in pops.values()):
                base.append(whole)  # the set mirrored into this wave (pairs: as many before)
            rows = [r for r in respondents if r.questionnaire == qid]
            out.append(JointModel(qid, question, row, [*base, *joint_here], rows))
    modelled_keys = {p.key for m in out for p in m.pops}
    missing = [p.key for p in joint.values() if p.key not in modelled_keys]
    if missing:
        raise AuditError(f"joint populations outside any wave of their set: {missing[:3]}")
    return out


def _gap_model(
    qid: str,
    question: str,
    also: str,
    row: str | None,
    found: list[Pop],
    pops: Mapping[str, Pop],
    respondents: Sequence[Respondent],
    specs: Specs,
) -> JointModel:
    """The gap's populations of one row: its questionnaire's populations with the figures of
    the two matrices and the breakdown questions, and those rated the row in both."""
    for question_id in (question, also):
        if not _asks(specs[qid].get(question_id), row):
            raise AuditError(f"{qid} has no {question_id} {row or ''} to answer")
    keep = _kept_questions(pops.values(), qid, question, also)
    base = [
        replace(p, figures=[f for f in p.figures if f["question"] in keep])
        for p in pops.values()
        if p.definition.questionnaire == qid
    ]
    joint_here = [
        replace(p, figures=_figures(GAP, p.figures, None, own=True, also=also)) for p in found
    ]
    rows = [r for r in respondents if r.questionnaire == qid]
    return JointModel(qid, question, row, [*base, *joint_here], rows)


def _sets(
    kind: Kind, pops: Mapping[str, Pop], rows: Sequence[Respondent]
) -> dict[tuple[str, str], Pop]:
    """The set of each wave, (questionnaire, phase) -> population: listed or mirrored
    (the three-wave set: audit._wave_mirrors; the pairs: here, as many before as after)."""
    out: dict[tuple[str, str], Pop] = {}
    for p in pops.values():
        d = p.definition
        if _whole_set(kind, d) and d.phase in kind.phases:
            out.setdefault((d.questionnaire, d.phase), p)
    if not out:
        return out
    source = next(iter(out.values()))
    questionnaires = {r.phase: r.questionnaire for r in rows if getattr(r, kind.flag)}
    for phase in kind.phases:
        qid = questionnaires.get(phase)
        if qid is not None and all(key[1] != phase for key in out):
            definition = replace(source.definition, questionnaire=qid, phase=phase)
            key = f"{source.key} as {phase}"
            out[qid, phase] = Pop(key, definition, source.shown, source.size, source.reason)
    return out


def _whole_set(kind: Kind, d: PopulationDef) -> bool:
    """Whether a definition is the whole set of its kind in one wave."""
    plain = d.answered is None and d.group is None and not d.probable and d.versions is None
    if kind is WAVES:
        return plain and d.waves
    return plain and d.paired and not d.waves


def _in_wave(pop: Pop, sets: Mapping[tuple[str, str], Pop]) -> Pop:
    """A joint population of no phase (the pairs' per item, on the post questionnaire) as
    the population of its questionnaire's wave."""
    d = pop.definition
    if d.phase is not None:
        return pop
    phases = [phase for qid, phase in sets if qid == d.questionnaire]
    if len(phases) != 1:
        raise AuditError(f"{pop.key}: no one wave of {d.questionnaire}")
    return replace(pop, definition=replace(d, phase=phases[0]))


def _asks(spec: QuestionSpec | None, row: str | None) -> bool:
    if spec is None:
        return False
    return row in spec.rows if spec.kind == "matrix" else row is None


def _mirror(kind: Kind, group: list[Pop], whole: Pop, question: str, row: str | None) -> Pop:
    """The joint population as the wave of `whole` sees it: the same people, so the same
    size, or the same reason to be hidden (a hidden one first; `models` adds the size of a
    shown one), and the figures of that wave."""
    definition = replace(whole.definition, answered=question, row=row, answered_both=True)
    source = next((p for p in group if not p.shown), group[0])
    key = f"{source.key} as {definition.phase}"
    figures = _figures(kind, source.figures, definition.phase, own=False)
    return Pop(key, definition, source.shown, source.size, source.reason, figures)


def _figures(
    kind: Kind,
    figures: list[Mapping[str, Any]],
    phase: str | None,
    *,
    own: bool,
    also: str | None = None,
) -> list[Mapping[str, Any]]:
    """A joint population's figures in the model of `phase`: its linear ones when it is of
    that wave (`own`), a mean of the wave (`Kind.means`), bounds from the mean difference
    (the gap's: from its mean discrepancy, of the row in `also` subtracted)."""
    out: list[Mapping[str, Any]] = []
    by_wave = {kind.means[f["statistic"]]: f for f in figures if f["statistic"] in kind.means}
    size = next((int(f["value"]) for f in figures if f["statistic"] == "size"), None)
    for f in figures:
        statistic = f["statistic"]
        if statistic in LINEAR_STATISTICS:
            if own:
                out.append(f)
        elif statistic == "mean_discrepancy" and size and kind is GAP:
            # Mean of (first − second) over the n who rated both: S_first − S_second.
            low, high = _sum_bounds(size, f)
            out.append({**f, "statistic": "sum", "low": low, "high": high, "minus": also})
        elif kind.means.get(statistic) == phase:
            out.append({**f, "statistic": "mean"})
        elif statistic == "mean_difference" and size:
            other = next((p for p in kind.phases if p != phase), None)
            if other in by_wave:
                low, high = _difference_bounds(size, by_wave[other], f, after=phase == "post")
                out.append({**f, "statistic": "sum", "low": low, "high": high})
    return out


def _sum_bounds(n: int, figure: Mapping[str, Any]) -> tuple[int, int]:
    """The whole sums S with S/n printed as the figure's value, at its digits (bounds
    included either way: half up rounds a negative tie away from zero)."""
    value = Fraction(str(figure["value"]))
    if figure.get("digits") is None:
        return math.ceil(value * n), math.floor(value * n)
    half = Fraction(1, 2 * 10 ** int(figure["digits"]))
    return math.ceil((value - half) * n), math.floor((value + half) * n)


def _difference_bounds(
    n: int, other: Mapping[str, Any], difference: Mapping[str, Any], *, after: bool
) -> tuple[int, int]:
    """The bounds of this wave's sum from the other wave's mean and the mean difference
    (after minus before, over the same n): S_after = S_before + D."""
    o_low, o_high = _sum_bounds(n, other)
    d_low, d_high = _sum_bounds(n, difference)
    if after:
        return o_low + d_low, o_high + d_high
    return o_low - d_high, o_high - d_low


def _kept_questions(pops: Iterable[Pop], qid: str, *questions: str) -> set[str | None]:
    """Figures a joint model keeps: sizes, the questions' own (the gap's: both matrices'),
    and the breakdown questions' (their counts are sizes of signatures)."""
    groups = {
        p.definition.group.question
        for p in pops
        if p.definition.questionnaire == qid and p.definition.group is not None
    }
    return {None, *questions, *groups}
