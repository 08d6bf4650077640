"""Skip-logic conditions in words, for participants whose browser runs no script.

Why a `_` parameter: this package stays free of Flask, so the caller passes its
translation function (Flask-Babel's `gettext` on participant pages). Every sentence is
one `_()` call with named placeholders, which `pybabel extract` finds here.
"""

from __future__ import annotations

import functools
from typing import Protocol

from .conditions import AllOf, AnyOf, Comparison, Condition, NotOf
from .questions import ChoiceQuestionBase, RankingQuestion
from .schema import Questionnaire


class Translate(Protocol):
    """`gettext`-shaped: a message with `%(name)s` placeholders and their values."""

    def __call__(self, message: str, /, **variables: object) -> str: ...


def untranslated(message: str, /, **variables: object) -> str:
    """The English message as written, placeholders filled in."""
    return message % variables if variables else message


def describe_condition(
    condition: Condition, questionnaire: Questionnaire, _: Translate = untranslated
) -> str:
    """E.g. `you answered “NGO” to “Which kind of organisation…”`."""
    if isinstance(condition, AllOf):
        parts = [describe_condition(c, questionnaire, _) for c in condition.all]
        return functools.reduce(
            lambda a, b: _("%(first)s and %(second)s", first=a, second=b), parts
        )
    if isinstance(condition, AnyOf):
        parts = [describe_condition(c, questionnaire, _) for c in condition.any]
        return functools.reduce(lambda a, b: _("%(first)s or %(second)s", first=a, second=b), parts)
    if isinstance(condition, NotOf):
        return _(
            "not (%(condition)s)", condition=describe_condition(condition.not_, questionnaire, _)
        )
    assert isinstance(condition, Comparison)  # noqa: S101 -- the union has no other member
    question = questionnaire.question(condition.question)
    prompt = question.prompt if question else condition.question
    if condition.answered is not None:
        if condition.answered:
            return _("you answered “%(question)s”", question=prompt)
        return _("you did not answer “%(question)s”", question=prompt)
    ordered = condition.ordered()
    if ordered is not None:
        op, bound = ordered
        number = f"{bound:g}"
        if op == ">":
            return _("“%(question)s” is more than %(number)s", question=prompt, number=number)
        if op == ">=":
            return _("“%(question)s” is at least %(number)s", question=prompt, number=number)
        if op == "<":
            return _("“%(question)s” is less than %(number)s", question=prompt, number=number)
        return _("“%(question)s” is at most %(number)s", question=prompt, number=number)
    if question is None:  # a calculation
        quoted = [_("“%(answer)s”", answer=v) for v in condition.values()]
        values = functools.reduce(
            lambda a, b: _("%(first)s or %(second)s", first=a, second=b), quoted
        )
        return _("“%(question)s” is %(values)s", question=prompt, values=values)
    labels = {}
    if isinstance(question, ChoiceQuestionBase | RankingQuestion):
        labels = {o.value: o.label for o in question.options}
    quoted = [_("“%(answer)s”", answer=labels.get(str(v), v)) for v in condition.values()]
    values = functools.reduce(lambda a, b: _("%(first)s or %(second)s", first=a, second=b), quoted)
    return _("you answered %(answers)s to “%(question)s”", answers=values, question=prompt)


__all__ = ["Translate", "describe_condition", "untranslated"]
