"""Parsed answer values and skip-logic evaluation over them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from .calculations import answer_text as expression_text
from .calculations import compare, evaluate, parsed
from .conditions import AllOf, AnyOf, Comparison, Condition, NotOf, comparisons
from .questions import OTHER_VALUE, ChoiceQuestionBase
from .schema import Questionnaire


@dataclass(frozen=True)
class Choice:
    """Picked option values, plus the "Other, please specify" text when given."""

    values: tuple[str, ...]
    other: str | None = None


#: single/multi choice -> Choice; scale -> int; matrix -> {row: int}; ranking -> ordered
#: values; number -> int | float; texts and country -> str; date -> date.
ItemValue = Choice | int | float | str | dt.date | tuple[str, ...] | Mapping[str, int]


@dataclass(frozen=True)
class Repeated:
    """A question inside a repeat: its answer in each item (1, 2, ...), None where left blank."""

    items: tuple[ItemValue | None, ...]


AnswerValue = ItemValue | Repeated
Answers = Mapping[str, AnswerValue]


def _matches(answer: AnswerValue, expected: str | int | float) -> bool:
    if isinstance(answer, Choice):
        return expected in answer.values
    if isinstance(answer, tuple):
        return expected in answer
    return answer == expected


#: Calculation id -> its value (None: empty), as conditions see it.
Calculated = Mapping[str, str | int | float | None]


def holds(condition: Condition, answers: Answers, calculated: Calculated | None = None) -> bool:
    """Whether a show_if condition is true for these answers (unanswered matches nothing);
    a comparison naming a calculation in `calculated` tests its value."""
    if isinstance(condition, AllOf):
        return all(holds(c, answers, calculated) for c in condition.all)
    if isinstance(condition, AnyOf):
        return any(holds(c, answers, calculated) for c in condition.any)
    if isinstance(condition, NotOf):
        return not holds(condition.not_, answers, calculated)
    assert isinstance(condition, Comparison)  # noqa: S101 -- the union has no other member
    if calculated is not None and condition.question in calculated:
        return _calculated_holds(condition, calculated[condition.question])
    answer = answers.get(condition.question)
    if condition.answered is not None:
        return (answer is not None) == condition.answered
    if answer is None:
        return False
    ordered = condition.ordered()
    if ordered is not None:
        number = answer if isinstance(answer, int | float) else None
        return number is not None and compare(ordered[0], float(number), ordered[1])
    return any(_matches(answer, v) for v in condition.values())


def _calculated_holds(condition: Comparison, value: str | int | float | None) -> bool:
    """XPath comparison of a calculated value, as in XLSForm; empty compares false (ODK)."""
    if condition.answered is not None:
        return (value is not None) == condition.answered
    if value is None:
        return False
    left: str | float = float(value) if isinstance(value, int | float) else value
    ordered = condition.ordered()
    if ordered is not None:
        return compare(ordered[0], left, ordered[1])
    return any(
        compare("=", left, float(v) if isinstance(v, int | float) else v)
        for v in condition.values()
    )


def calculated_values(
    questionnaire: Questionnaire, answers: Answers
) -> dict[str, str | int | float | None]:
    """Every calculation's value (None: empty) from these answers, in order.

    A calculation already among `answers` (a stored response, read back by a report) keeps
    its stored value.
    """
    values: dict[str, str | int | float | None] = {}

    def value_of(name: str) -> object:
        return values[name] if name in values else answers.get(name)

    for calculation in questionnaire.calculations:
        stored = answers.get(calculation.id)
        if stored is not None:
            values[calculation.id] = (
                stored if isinstance(stored, int | float | str) else expression_text(stored) or None
            )
        else:
            values[calculation.id] = evaluate(parsed(calculation.expression), value_of)
    return values


def offered_values(question: ChoiceQuestionBase, answers: Answers) -> list[str]:
    """The option values offered for these answers: those its `choice_filter` lets through
    (each rule is a skip-logic comparison of the option's attribute), and "Other"."""
    rules = question.choice_filter or []
    offered = [
        o.value
        for o in question.options
        if all(holds(rule.comparison(o), answers) for rule in rules)
    ]
    return offered + ([OTHER_VALUE] if question.other else [])


def visible_questions(questionnaire: Questionnaire, answers: Answers) -> set[str]:
    """Ids of the questions shown for these answers; hidden ones count as unanswered."""
    visible: set[str] = set()
    shown_answers: dict[str, AnswerValue] = {}
    calculated = {c.id for c in questionnaire.calculations}

    def shows(condition: Condition | None) -> bool:
        if condition is None:
            return True
        # Calculations from the answers so far: the schema lets a condition use only those
        # computed from earlier questions.
        uses = calculated and any(c.question in calculated for c, _ in comparisons(condition))
        values = calculated_values(questionnaire, answers_and_stored()) if uses else None
        return holds(condition, shown_answers, values)

    def answers_and_stored() -> dict[str, AnswerValue]:
        stored = {k: v for k, v in answers.items() if k in calculated}
        return {**shown_answers, **stored}

    for section in questionnaire.sections:
        if not shows(section.show_if):
            continue
        for question in section.questions:
            if shows(question.show_if):
                visible.add(question.id)
                if question.id in answers:
                    shown_answers[question.id] = answers[question.id]
    return visible


def digest(answers: Answers) -> str:
    """A stable fingerprint of the answers, to tell a repeated post from a different one."""

    def plain(value: AnswerValue | None) -> object:
        if isinstance(value, Repeated):
            return {"items": [plain(v) for v in value.items]}
        if isinstance(value, Choice):
            return {"values": list(value.values), "other": value.other}
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Mapping):
            return dict(sorted(value.items()))
        return value

    canonical = json.dumps({k: plain(v) for k, v in sorted(answers.items())}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
