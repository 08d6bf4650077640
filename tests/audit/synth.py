"""Synthetic figure lists for the audit's own tests: a small questionnaire, raw rows, and a
publisher that releases recounted figures through the real `Disclosure` (so the JSON has the
contract's shape), including populations the rules would hide, to stage attacks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from survey_app.questionnaire import AnswerValue, Choice
from survey_app.reporting.disclosure import Disclosure, Group, Population, PopulationDef

from .rawdata import QuestionSpec, Recount, Respondent, members

Q = "synthetic"
SPECS = {
    Q: {
        s.id: s
        for s in (
            QuestionSpec("sector", "single", ("ngo", "academia", "private"), required=True),
            QuestionSpec("rating", "scale", low=1, high=5, required=True),
            QuestionSpec("agree", "single", ("yes", "no")),
            QuestionSpec("skills", "multi", ("law", "data", "advocacy")),
            QuestionSpec("grid", "matrix", rows=("a", "b"), low=1, high=5),
            QuestionSpec("ranked", "ranking", ("x", "y", "z"), top=2),
            QuestionSpec("years", "number", low=0, high=40),
            QuestionSpec("why", "text", conditional=True),
        )
    }
}
BASE = PopulationDef(Q, training=1)


def person(rid: int, phase: str | None = None, paired: bool = False, **answers: Any) -> Respondent:
    """A respondent; single-choice and multi answers as strings / lists, the rest as values."""
    out: dict[str, AnswerValue] = {}
    for qid, value in answers.items():
        kind = SPECS[Q][qid].kind
        if kind in ("single", "multi"):
            out[qid] = Choice(tuple(value) if isinstance(value, list) else (value,))
        else:
            out[qid] = value
    shown = frozenset(answers) | {q for q, s in SPECS[Q].items() if not s.conditional}
    return Respondent(rid, Q, out, phase=phase, paired=paired, training=1, shown=shown)


class Publisher:
    """Releases recounted figures of chosen populations, as a block would."""

    def __init__(self, rows: Sequence[Respondent], k: int = 5) -> None:
        self.rows = rows
        self.disclosure = Disclosure(k, 10)

    def show(self, definition: PopulationDef, label: str = "") -> Population:
        """Show a population whatever its size (an attack may show what the rules hide)."""
        size = len(members(self.rows, definition))
        return self.disclosure._show(definition, label or definition.key(), size)

    def ask(self, definition: PopulationDef, label: str = "") -> Population | None:
        """The population as the disclosure rules decide it; None when hidden."""
        size = len(members(self.rows, definition))
        pop = self.disclosure.population(definition, label or definition.key(), size)
        return pop if isinstance(pop, Population) else None

    def hide(self, definition: PopulationDef, label: str = "") -> None:
        """Record a hidden population, as a breakdown does for a small group."""
        self.disclosure._hide(definition, label or definition.key(), self.disclosure.reason_protect)

    def breakdown(
        self, within: Population, by: str, *, base: PopulationDef | None = None
    ) -> list[Population]:
        """A breakdown through the real residual rule (`base`: `within` before its
        `answered` restriction, whose group sizes the rule is then given as well)."""
        plan = self.disclosure.breakdown(
            within,
            by,
            self._groups(within.definition, by),
            {},
            before=None if base is None else self._base(base, by),
        )
        return list(plan.populations)

    def _groups(self, definition: PopulationDef, by: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in members(self.rows, definition):
            value = r.answers.get(by)
            if isinstance(value, Choice):
                counts[value.values[0]] = counts.get(value.values[0], 0) + 1
        return counts

    def _base(self, definition: PopulationDef, by: str) -> tuple[int, dict[str, int]]:
        return len(members(self.rows, definition)), self._groups(definition, by)

    def counts(
        self, pop: Population, question: str, items: Sequence[str], row: str | None = None
    ) -> None:
        """Counts of every item, and the answered count."""
        c = Recount(members(self.rows, pop.definition))
        for item in items:
            self.disclosure.release(
                pop, "count", c.count(question, row, item), question=question, row=row, item=item
            )
        self.disclosure.release(
            pop, "answered", c.answered(question, row), question=question, row=row
        )

    def percent(
        self, pop: Population, question: str, item: str, row: str | None = None, digits: int = 0
    ) -> None:
        """A share of those who answered, rounded half up."""
        c = Recount(members(self.rows, pop.definition))
        base = c.answered(question, row)
        self.disclosure.release_share(
            pop,
            c.count(question, row, item),
            base,
            digits=digits,
            question=question,
            row=row,
            item=item,
        )

    def mean(self, pop: Population, question: str, row: str | None = None, digits: int = 2) -> None:
        """A mean and its n."""
        c = Recount(members(self.rows, pop.definition))
        self.disclosure.release(
            pop, "mean", c.mean(question, row) or 0.0, digits=digits, question=question, row=row
        )
        self.disclosure.release(
            pop, "answered", c.answered(question, row), question=question, row=row
        )

    def json(self) -> dict[str, Any]:
        """The JSON report."""
        return self.disclosure.as_json()


def group(value: str, *more: str, exclude: bool = False) -> PopulationDef:
    """BASE narrowed to sector groups."""
    return BASE.narrowed(group=Group("sector", (value, *more), exclude))
