"""Parsed answer values and skip-logic evaluation over them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from .schema import (
    OTHER_VALUE,
    AllOf,
    AnyOf,
    ChoiceQuestionBase,
    Comparison,
    Condition,
    NotOf,
    Questionnaire,
)


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


def holds(condition: Condition, answers: Answers) -> bool:
    """Whether a show_if condition is true for these answers (unanswered matches nothing)."""
    if isinstance(condition, AllOf):
        return all(holds(c, answers) for c in condition.all)
    if isinstance(condition, AnyOf):
        return any(holds(c, answers) for c in condition.any)
    if isinstance(condition, NotOf):
        return not holds(condition.not_, answers)
    assert isinstance(condition, Comparison)  # noqa: S101 -- the union has no other member
    answer = answers.get(condition.question)
    if condition.answered is not None:
        return (answer is not None) == condition.answered
    if answer is None:
        return False
    return any(_matches(answer, v) for v in condition.values())


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
    for section in questionnaire.sections:
        if section.show_if is not None and not holds(section.show_if, shown_answers):
            continue
        for question in section.questions:
            if question.show_if is None or holds(question.show_if, shown_answers):
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
