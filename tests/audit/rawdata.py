"""The audit's raw-data model: respondents, who belongs to a population, and every linear figure
recomputed from raw rows in plain Python (a second path, independent of the report's SQL).

A respondent is one *counted* response (latest per code, as the report counts them): its
questionnaire, training phase, whether it is part of a pre/post pair, its answers in the app's
own value types (`Choice`, int, {row: point}, ranked tuple, str) and the questions it was shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from survey_app.questionnaire import Answers, AnswerValue, Choice, Questionnaire
from survey_app.questionnaire.answers import visible_questions
from survey_app.questionnaire.questions import OTHER_VALUE
from survey_app.reporting.disclosure import Group, PopulationDef, round_half_up

Kind = Literal["single", "multi", "scale", "matrix", "ranking", "number", "text"]


@dataclass(frozen=True)
class QuestionSpec:
    """What an attacker knows of a question: its type, options or points, and rules."""

    id: str
    kind: Kind
    #: Options (single, multi, ranking); None for an open list (country): any value goes.
    options: tuple[str, ...] | None = ()
    rows: tuple[str, ...] = ()
    #: Scale points or number range (inclusive, whole numbers).
    low: int = 1
    high: int = 5
    #: Ranking positions.
    top: int = 0
    required: bool = False
    #: Shown only to some (skip logic): then `required` holds only for those shown it.
    conditional: bool = False
    min_picks: int = 1
    max_picks: int | None = None


@dataclass(frozen=True)
class Respondent:
    """One counted response."""

    rid: int
    questionnaire: str
    answers: Answers
    phase: str | None = None
    paired: bool = False
    training: int | None = None
    #: Conditional questions this respondent was shown (None: every question was shown).
    shown: frozenset[str] | None = None
    submitted: dt.date = dt.date(2026, 3, 2)
    code: str | None = None
    #: The answers of the paired response of the other phase (None when not paired).
    partner: Answers | None = None
    #: The questionnaire version answered (None: stored before versions were kept).
    version: int | None = None
    #: Part of a probable pair: a code one element from one unmatched code of the other
    #: phase, each the other's only such candidate (near-miss pairing, pairing.py).
    probable: bool = False
    #: The code answered all three waves (pre, post and follow-up; latest per code each).
    waves: bool = False
    #: In all three waves: the answers of the same code's other two waves' latest responses.
    wave_answers: tuple[Answers, ...] = ()
    #: The programme of the respondent's training (None: none).
    programme: int | None = None

    def was_shown(self, question: str) -> bool:
        """Whether the respondent saw the question (skip logic)."""
        return self.shown is None or question in self.shown


Specs = Mapping[str, Mapping[str, QuestionSpec]]


def spec_of(question: Any) -> QuestionSpec:
    """The audit's view of a questionnaire question (schema model)."""
    qtype = question.type
    common: dict[str, Any] = {
        "required": bool(getattr(question, "required", False)),
        "conditional": question.show_if is not None,
    }
    options = tuple(o.value for o in getattr(question, "options", ()) or ())
    if getattr(question, "other", False):
        options = (*options, OTHER_VALUE)  # "Other (please say)": stored as its own option
    if qtype == "single_choice":
        return QuestionSpec(question.id, "single", options, **common)
    if qtype == "country":
        return QuestionSpec(question.id, "single", None, **common)
    if qtype == "multi_choice":
        picks = {"min_picks": question.min or 1, "max_picks": question.max}
        return QuestionSpec(question.id, "multi", options, **common, **picks)
    if qtype == "scale":
        scale = question.scale
        return QuestionSpec(question.id, "scale", low=scale.min, high=scale.max, **common)
    if qtype == "matrix":
        rows = tuple(r.value for r in question.rows)
        scale = question.scale
        return QuestionSpec(
            question.id, "matrix", rows=rows, low=scale.min, high=scale.max, **common
        )
    if qtype == "ranking":
        return QuestionSpec(
            question.id, "ranking", options, top=question.top or len(options), **common
        )
    if qtype == "number":
        low = int(question.min) if question.min is not None else 0
        high = int(question.max) if question.max is not None else 10_000
        return QuestionSpec(question.id, "number", low=low, high=high, **common)
    return QuestionSpec(question.id, "text", **common)


def specs_of(questionnaires: Iterable[Questionnaire]) -> dict[str, dict[str, QuestionSpec]]:
    """Specs of every question of the given questionnaires, by questionnaire id."""
    return {
        q.id: {question.id: spec_of(question) for s in q.sections for question in s.questions}
        for q in questionnaires
    }


def shown_questions(questionnaire: Questionnaire, answers: Answers) -> frozenset[str]:
    """The questions the app showed for these answers (its own skip-logic evaluation)."""
    return frozenset(visible_questions(questionnaire, answers))


# --- membership --------------------------------------------------------------------------


def chosen(value: AnswerValue | None) -> tuple[str, ...]:
    """The option values an answer picked (a single value as a 1-tuple); () when blank."""
    if value is None:
        return ()
    if isinstance(value, Choice):
        return value.values
    if isinstance(value, tuple):
        return value
    return (str(value),)


def in_group(respondent: Respondent, group: Group) -> bool:
    """Group membership; `exclude` means none of the values, or no answer at all."""
    hit = any(v in group.values for v in chosen(respondent.answers.get(group.question)))
    return not hit if group.exclude else hit


def answer_of(respondent: Respondent, question: str, row: str | None) -> AnswerValue | None:
    """The answer to a question, or to one row of a matrix; None when blank."""
    value = respondent.answers.get(question)
    if row is not None and isinstance(value, Mapping):
        return value.get(row)
    return value


def member(respondent: Respondent, definition: PopulationDef) -> bool:
    """Whether a counted response belongs to a population, recounted from its definition."""
    d = definition
    if respondent.questionnaire != d.questionnaire:
        return False
    if d.training is not None and respondent.training != d.training:
        return False
    if d.phase is not None and respondent.phase != d.phase:
        return False
    day = respondent.submitted.isoformat()
    if (d.submitted_from and day < d.submitted_from) or (d.submitted_to and day > d.submitted_to):
        return False
    if d.paired and not respondent.paired:
        return False
    if d.probable and not respondent.probable:
        return False
    if d.waves and not respondent.waves:
        return False
    if d.programme is not None and respondent.programme != d.programme:
        return False
    if d.versions is not None and respondent.version not in d.versions:
        return False
    if d.group is not None and not in_group(respondent, d.group):
        return False
    if d.also_answered and answer_of(respondent, d.also_answered, d.row) is None:
        return False
    if d.answered_both and d.answered:
        return answered_in_all(respondent, d.answered, d.row, waves=d.waves)
    return d.answered is None or answer_of(respondent, d.answered, d.row) is not None


def answered_in_all(respondent: Respondent, question: str, row: str | None, *, waves: bool) -> bool:
    """Whether the person answered the question (row) in every wave: all three with `waves`
    (its own response and `wave_answers`), otherwise in both phases of its pair."""
    if waves and not respondent.waves:
        return False
    others = respondent.wave_answers if waves else (respondent.partner or {},)
    return answer_of(respondent, question, row) is not None and all(
        answer_of(Respondent(0, "", answers), question, row) is not None for answers in others
    )


def members(respondents: Iterable[Respondent], definition: PopulationDef) -> list[Respondent]:
    """The population's members among raw rows."""
    return [r for r in respondents if member(r, definition)]


def definition_of(data: Mapping[str, Any]) -> PopulationDef:
    """A PopulationDef back from its JSON form (`asdict`)."""
    values = dict(data)
    group = values.pop("group", None)
    if group is not None:
        group = Group(group["question"], tuple(group["values"]), bool(group.get("exclude")))
    versions = values.pop("versions", None)
    if versions is not None:
        versions = tuple(versions)
    return PopulationDef(**values, group=group, versions=versions)


# --- figures recomputed ------------------------------------------------------------------


def parse_range(item: str) -> tuple[int, int] | None:
    """`"lo..hi"` (inclusive whole numbers) as a pair; None for a plain item."""
    if ".." not in item:
        return None
    lo, hi = item.split("..", 1)
    return int(float(lo)), int(float(hi))


def item_set(item: str) -> tuple[bool, frozenset[str]] | None:
    """`"a,b"` (any of them) or `"not:a,b"` (answered, none of them) as (negated, values)."""
    if item.startswith("not:"):
        return True, frozenset(v for v in item[4:].split(",") if v)
    if "," in item and ".." not in item:
        return False, frozenset(item.split(","))
    return None


def matches(value: AnswerValue | None, item: str) -> bool:
    """Whether an answer (or matrix row's point) counts for `item`."""
    if value is None:
        return False
    as_set = item_set(item)
    if as_set is not None:
        negated, values = as_set
        picked = set(chosen(value))
        if not picked and isinstance(value, int | float) and not isinstance(value, bool):
            picked = {str(int(value))}
        return bool(picked) and (not (picked & values) if negated else bool(picked & values))
    if "@" in item and isinstance(value, tuple):
        option, rank = item.rsplit("@", 1)
        return len(value) >= int(rank) and value[int(rank) - 1] == option
    bounds = parse_range(item)
    if bounds is not None and isinstance(value, int | float) and not isinstance(value, bool):
        return bounds[0] <= value <= bounds[1]
    return item in chosen(value)


def numeric(value: AnswerValue | None) -> float | None:
    """A scale point, matrix row point or number; None otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


@dataclass
class Recount:
    """Plain-Python figures of one population, from raw rows."""

    people: Sequence[Respondent]

    def size(self) -> int:
        """People in the population."""
        return len(self.people)

    def answered(self, question: str, row: str | None = None) -> int:
        """People who answered the question (row)."""
        return sum(answer_of(r, question, row) is not None for r in self.people)

    def shown(self, question: str) -> int:
        """People the question was shown to."""
        return sum(r.was_shown(question) for r in self.people)

    def count(self, question: str, row: str | None, item: str) -> int:
        """People whose answer counts for `item`."""
        return sum(matches(answer_of(r, question, row), item) for r in self.people)

    def mean(self, question: str, row: str | None = None) -> float | None:
        """Mean of the numeric answers; None when nobody answered."""
        values = [v for r in self.people if (v := numeric(answer_of(r, question, row))) is not None]
        return sum(values) / len(values) if values else None


#: Statistic name -> how to recompute it exactly (before rounding).
RECOMPUTE: dict[str, Callable[[Recount, Mapping[str, Any]], float | None]] = {
    "size": lambda c, f: c.size(),
    "answered": lambda c, f: c.answered(f["question"], f.get("row")),
    "shown": lambda c, f: c.shown(f["question"]),
    "count": lambda c, f: c.count(f["question"], f.get("row"), f["item"]),
    "percent": lambda c, f: (
        100 * c.count(f["question"], f.get("row"), f["item"]) / base
        if (base := c.answered(f["question"], f.get("row")))
        else None
    ),
    "mean": lambda c, f: c.mean(f["question"], f.get("row")),
}


def recompute(
    respondents: Sequence[Respondent], definition: PopulationDef, figure: Mapping[str, Any]
) -> float | None:
    """A linear figure's value from raw rows, rounded half up as the report prints it."""
    value = RECOMPUTE[figure["statistic"]](Recount(members(respondents, definition)), figure)
    digits = figure.get("digits")
    if value is None or digits is None:
        return value
    return round_half_up(value, digits)


@dataclass
class Mismatch:
    """A released figure whose value differs from its recount."""

    figure: Mapping[str, Any]
    recomputed: float | None


@dataclass
class CheckResult:
    """Every linear figure recomputed: how many, and which did not match."""

    checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)


def check_figures(data: Mapping[str, Any], respondents: Sequence[Respondent]) -> CheckResult:
    """Recompute every released linear figure of a JSON report from raw rows."""
    definitions = {
        p["key"]: definition_of(p["definition"]) for p in [*data["populations"], *data["hidden"]]
    }
    result = CheckResult()
    for figure in data["figures"]:
        if figure["statistic"] not in RECOMPUTE:
            continue
        result.checked += 1
        value = recompute(respondents, definitions[figure["population"]], figure)
        if value is None or abs(value - figure["value"]) > 1e-9:
            result.mismatches.append(Mismatch(figure, value))
    return result
