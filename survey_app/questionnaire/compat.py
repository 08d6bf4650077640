"""What a new version of a questionnaire changes that stored answers depend on (pure Python)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from .questions import (
    OTHER_VALUE,
    ChoiceQuestionBase,
    MatrixQuestion,
    QuestionBase,
    RankingQuestion,
    Scale,
    ScaleQuestion,
)
from .schema import Questionnaire


@dataclass(frozen=True)
class Change:
    """One change that can make stored answers mean something else, or nothing."""

    question_id: str
    #: The option or matrix row the stored answers must hold for the change to matter
    #: (Answer.item); None when any answer to the question does.
    item: str | None
    message: str


def breaking_changes(old: list[QuestionBase], new: list[QuestionBase]) -> list[Change]:
    """Removed or retyped questions, removed (or renamed) options and rows, changed scales.

    Why renamed counts as removed: answers store the option's value, so a renamed value
    leaves every stored answer pointing at an option the new version does not have.
    Wording, new questions and new options are safe and are not listed.
    """
    by_id = {q.id: q for q in new}
    changes: list[Change] = []
    for before in old:
        after = by_id.get(before.id)
        qid = before.id
        if after is None:
            changes.append(Change(qid, None, f"question '{qid}' is removed"))
            continue
        old_type, new_type = getattr(before, "type", ""), getattr(after, "type", "")
        if old_type != new_type:
            changes.append(
                Change(qid, None, f"question '{qid}' changes type from {old_type} to {new_type}")
            )
            continue
        for value in sorted(set(_keys(before)) - set(_keys(after))):
            what = "row" if isinstance(before, MatrixQuestion) else "option"
            shown = "Other" if value == OTHER_VALUE else f"'{value}'"
            changes.append(Change(qid, value, f"{what} {shown} of '{qid}' is removed or renamed"))
        old_scale, new_scale = _scale(before), _scale(after)
        if old_scale and new_scale and old_scale != new_scale:
            changes.append(
                Change(
                    qid,
                    None,
                    f"scale of '{qid}' changes from {old_scale[0]}..{old_scale[1]} "
                    f"to {new_scale[0]}..{new_scale[1]}",
                )
            )
    return changes


def questionnaire_changes(old: Questionnaire, new: object) -> list[Change]:
    """The breaking changes from `old` to `new` (a questionnaire; anything else has none of
    old's questions): those of its questions, and questions moved into or out of a repeat.

    Why a move breaks: answers asked once are stored as item 0 and those of a repeat as
    items 1, 2, ...; a moved question's stored answers would be read as the wrong kind.
    """
    if not isinstance(new, Questionnaire):
        return breaking_changes(list(old.questions()), [])
    changes = breaking_changes(list(old.questions()), list(new.questions()))
    before, after = old.repeated_ids(), new.repeated_ids()
    kept = {q.id for q in new.questions()}
    for question in old.questions():
        was, now = before.get(question.id), after.get(question.id)
        if question.id not in kept or was == now:
            continue
        qid = question.id
        if was is None:
            message = f"question '{qid}' moves into the repeat '{now}'"
        elif now is None:
            message = f"question '{qid}' moves out of the repeat '{was}'"
        else:
            message = f"question '{qid}' moves from the repeat '{was}' to '{now}'"
        changes.append(Change(qid, None, message))
    return changes


def _keys(question: QuestionBase) -> list[str]:
    """The values stored answers of this question hold in Answer.item."""
    if isinstance(question, ChoiceQuestionBase | RankingQuestion):
        return question.option_values()
    if isinstance(question, MatrixQuestion):
        return [row.value for row in question.rows]
    return []


def _scale(question: QuestionBase) -> tuple[int, int] | None:
    scale: Scale | None = None
    if isinstance(question, ScaleQuestion | MatrixQuestion):
        scale = question.scale
    return (scale.min, scale.max) if scale else None


def version_notes(versions: list[tuple[int, list[QuestionBase]]]) -> dict[str, list[str]]:
    """Where versions disagree, per question id, in words a report can print beside it:
    "option 'bad' retired in version 3", "added in version 2", "scale 1..5 until version 2".

    `versions` is (number, questions) in any order; questions on which every version agrees
    get no entry, so their counts can be added up across versions as they are.
    """
    ordered = sorted(versions, key=lambda v: v[0])
    notes: dict[str, list[str]] = {}
    for (_, before), (number, after) in itertools.pairwise(ordered):
        old_ids = {q.id for q in before}
        for question in after:
            if question.id not in old_ids:
                notes.setdefault(question.id, []).append(f"added in version {number}")
        for change in breaking_changes(before, after):
            notes.setdefault(change.question_id, []).append(_retired(change, number))
        by_id = {q.id: q for q in after}
        for question in before:
            new = by_id.get(question.id)
            if new is None:
                continue
            for value in sorted(set(_keys(new)) - set(_keys(question))):
                shown = "Other" if value == OTHER_VALUE else f"'{value}'"
                notes.setdefault(question.id, []).append(
                    f"option {shown} added in version {number}"
                )
    return notes


def _retired(change: Change, number: int) -> str:
    """A breaking change as a report note."""
    if change.item is not None:
        what = "Other" if change.item == OTHER_VALUE else f"'{change.item}'"
        return f"option {what} retired in version {number}"
    if change.message.endswith("is removed"):
        return f"removed in version {number}"
    return change.message.split(f"'{change.question_id}' ", 1)[-1] + f" in version {number}"
