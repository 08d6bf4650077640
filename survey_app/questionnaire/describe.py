"""Skip-logic conditions in words, for participants whose browser runs no script."""

from __future__ import annotations

from .schema import (
    AllOf,
    AnyOf,
    ChoiceQuestionBase,
    Comparison,
    Condition,
    NotOf,
    Questionnaire,
    RankingQuestion,
)


def describe_condition(condition: Condition, questionnaire: Questionnaire) -> str:
    """E.g. `you answered “NGO” to “Which kind of organisation…”`."""
    if isinstance(condition, AllOf):
        return " and ".join(describe_condition(c, questionnaire) for c in condition.all)
    if isinstance(condition, AnyOf):
        return " or ".join(describe_condition(c, questionnaire) for c in condition.any)
    if isinstance(condition, NotOf):
        return f"not ({describe_condition(condition.not_, questionnaire)})"
    assert isinstance(condition, Comparison)  # noqa: S101 -- the union has no other member
    question = questionnaire.question(condition.question)
    prompt = question.prompt if question else condition.question
    if condition.answered is not None:
        verb = "answered" if condition.answered else "did not answer"
        return f"you {verb} “{prompt}”"
    labels = {}
    if isinstance(question, ChoiceQuestionBase | RankingQuestion):
        labels = {o.value: o.label for o in question.options}
    values = " or ".join(f"“{labels.get(str(v), v)}”" for v in condition.values())
    return f"you answered {values} to “{prompt}”"


__all__ = ["describe_condition"]
