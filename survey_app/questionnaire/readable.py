"""Texts for reports and exports, where `${id}` has no participant to fill it in.

A report or a codebook describes every response at once, so a piped answer reads as
"[answer to “<start of that question's prompt>”]" instead of the literal `${id}`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .pipes import REFERENCE
from .schema import Questionnaire
from .texts import LocalText

#: Characters of the referenced prompt kept; a label should stay a label, not a paragraph.
SHORT = 40


def unpiped(questionnaire: Questionnaire) -> Questionnaire:
    """A copy whose texts name the answers they pipe instead of `${id}`."""
    prompts = {q.id: q.prompt for q in questionnaire.questions()}
    calculated = {c.id for c in questionnaire.calculations}
    return _replaced(questionnaire, prompts, calculated)  # type: ignore[no-any-return]


def readable(text: str, prompts: dict[str, str], calculated: set[str], lang: str) -> str:
    """One text in one language with each `${id}` replaced by a short description."""

    def describe(match: Any) -> str:
        qid = match.group(1).strip()
        if qid in calculated:
            return f"[calculated {qid}]"
        prompt = prompts.get(qid)
        if prompt is None:
            return f"[answer to {qid}]"
        # Nested references are not followed: one level says enough and cannot loop.
        words = prompt.in_(lang) if isinstance(prompt, LocalText) and lang else prompt
        short = REFERENCE.sub("…", words).strip()
        if len(short) > SHORT:
            cut = short[:SHORT]
            short = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"
        return f"[answer to “{short}”]"

    return REFERENCE.sub(describe, text)


def _replaced(value: Any, prompts: dict[str, str], calculated: set[str]) -> Any:
    if isinstance(value, LocalText):
        if "${" not in value and not any("${" in t for t in value.translations.values()):
            return value
        return LocalText(
            readable(value, prompts, calculated, ""),
            {k: readable(t, prompts, calculated, k) for k, t in value.translations.items()},
        )
    if isinstance(value, BaseModel):
        changes = {
            n: _replaced(getattr(value, n), prompts, calculated) for n in type(value).model_fields
        }
        return value.model_copy(update=changes)
    if isinstance(value, list):
        return [_replaced(v, prompts, calculated) for v in value]
    if isinstance(value, dict):
        return {k: _replaced(v, prompts, calculated) for k, v in value.items()}
    return value
