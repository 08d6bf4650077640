"""Repeated sections on the participant form: item field names, item counts, Add/Remove.

An item's question is the question with the id `<id>.<n>` (n = 1, 2, ...), so every field
factory, reader and template macro works on it unchanged and its inputs are named
`q_<id>.<n>` (`-<part>` after it): still `q_`, so survey.js keeps them in the draft; a dot
never occurs in a slug, so the names cannot collide with any other question's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from werkzeug.datastructures import MultiDict

from .i18n import gettext as _
from .questionnaire.questions import QuestionBase
from .questionnaire.schema import Questionnaire, Section

#: An item input: question id, item number, and the `-<part>` suffix if any.
ITEM_INPUT = re.compile(r"^q_(?P<qid>[a-z][a-z0-9_]*)\.(?P<n>[0-9]+)(?P<part>-.*)?$")
#: The name of the Add and Remove buttons; the value says which (see apply_action).
REPEAT_BUTTON = "repeat"
#: The error key of a repeat that has too few items: `<section id>.items`.
ITEMS_SUFFIX = ".items"

Raw = Callable[[str], list[str]]


class RepeatError(Exception):
    """A post whose items do not fit the questionnaire (tampered or damaged); nothing is stored."""


def item_question(question: QuestionBase, n: int) -> QuestionBase:
    """The question as asked in item `n` (its id `<id>.<n>` names its inputs and errors)."""
    return question.model_copy(update={"id": f"{question.id}.{n}"})


def count_name(section: Section) -> str:
    """The hidden input holding how many items the page shows."""
    return f"q_{section.id}{ITEMS_SUFFIX}"


def split_item_id(key: str) -> tuple[str, int] | None:
    """(question id, item number) of an item question's id such as `member_name.2`."""
    qid, dot, n = key.rpartition(".")
    return (qid, int(n)) if dot and n.isdigit() else None


def posted_count(section: Section, raw: Raw, names: Iterable[str], strict: bool = True) -> int:
    """How many items the post says the page showed.

    Strict (when answers are read): a count that is not a whole number from 0 to `max`,
    or answers for an item past it, are a RepeatError. Lenient (to lay the page out): a
    fresh page shows `repeat.shown` items and a bad count is clamped.
    """
    assert section.repeat is not None  # noqa: S101 -- only repeat sections have items
    values = raw(count_name(section))
    highest = max((n for n, typed in _posted_items(section, raw, names) if typed), default=0)
    if not values:
        return highest if strict or highest else section.repeat.shown
    text = values[0].strip()
    valid = text.isdigit() and len(values) == 1 and int(text) <= section.repeat.max
    if not strict:
        return min(int(text), section.repeat.max) if text.isdigit() else section.repeat.shown
    if not valid:
        raise RepeatError(
            _(
                "The number of items in '%(section)s' must be a whole number from 0 to "
                "%(max)s; nothing was stored.",
                section=section.title,
                max=section.repeat.max,
            )
        )
    if highest > int(text):
        raise RepeatError(
            _(
                "Answers were sent for item %(n)s of '%(section)s', which the form did not "
                "show; nothing was stored.",
                n=highest,
                section=section.title,
            )
        )
    return int(text)


def _posted_items(section: Section, raw: Raw, names: Iterable[str]) -> Iterable[tuple[int, bool]]:
    """(item number, whether any answer was typed) for each item with inputs in the post."""
    ids = {q.id for q in section.questions}
    for name in names:
        match = ITEM_INPUT.match(name)
        if match and match["qid"] in ids:
            yield int(match["n"]), any(v.strip() for v in raw(name))


def input_names(section: Section, names_of: Callable[[QuestionBase], Iterable[str]]) -> list[str]:
    """Every input a repeat section may post: its count and each question in every item."""
    assert section.repeat is not None  # noqa: S101
    names = [count_name(section)]
    for n in range(1, section.repeat.max + 1):
        for question in section.questions:
            names += names_of(item_question(question, n))
    return names


def apply_action(
    questionnaire: Questionnaire, formdata: MultiDict[str, str], action: str
) -> tuple[MultiDict[str, str], str | None]:
    """The posted fields after an Add or Remove button, and a notice when it could not be done.

    `action` is `add:<section>` or `remove:<section>:<n>`; anything else is a RepeatError.
    Removing item n moves the answers of the items after it up by one, so nothing typed
    in another item is lost.
    """
    kind, _sep, rest = action.partition(":")
    section_id, _sep, number = rest.partition(":")
    section = next((s for s in questionnaire.sections if s.id == section_id), None)
    if section is None or section.repeat is None or kind not in ("add", "remove"):
        raise RepeatError(_("This button does not belong to this questionnaire."))
    repeat = section.repeat
    data: MultiDict[str, str] = MultiDict(formdata)
    count = posted_count(section, lambda name: data.getlist(name), list(data.keys()))
    if kind == "add":
        if count >= repeat.max:
            return data, _("You can give at most %(n)s items here.", n=repeat.max)
        data.setlist(count_name(section), [str(count + 1)])
        return data, None
    if not number.isdigit() or not 1 <= int(number) <= count:
        raise RepeatError(_("This button does not belong to this questionnaire."))
    if count <= repeat.min:
        return data, _("At least %(n)s items are needed here.", n=repeat.min)
    removed = int(number)
    ids = {q.id for q in section.questions}
    shifted: MultiDict[str, str] = MultiDict()
    for name, values in data.lists():
        match = ITEM_INPUT.match(name)
        if not match or match["qid"] not in ids:
            shifted.setlist(name, values)
            continue
        n = int(match["n"])
        if n == removed:
            continue
        n = n - 1 if n > removed else n
        shifted.setlist(f"q_{match['qid']}.{n}{match['part'] or ''}", values)
    shifted.setlist(count_name(section), [str(count - 1)])
    return shifted, None
