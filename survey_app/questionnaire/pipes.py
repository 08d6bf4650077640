"""`${question_id}` in a text: the participant's earlier answer, piped in (XLSForm syntax)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

#: `${id}`; what is inside is checked against the questionnaire's ids by the schema.
REFERENCE = re.compile(r"\$\{([^}]*)\}")
#: What a reference shows until its question is answered, as a blank on a paper form.
PLACEHOLDER = "…"


def references(text: str) -> list[str]:
    """Question ids a text refers to, in every language it has, each once."""
    versions = [text, *getattr(text, "translations", {}).values()]
    return list(dict.fromkeys(name.strip() for t in versions for name in REFERENCE.findall(t)))


def parts(text: str) -> Iterator[tuple[str, str | None]]:
    """(literal text, None) and (`${}` source, question id) pieces of a text, in order."""
    start = 0
    for match in REFERENCE.finditer(text):
        if match.start() > start:
            yield text[start : match.start()], None
        yield match.group(0), match.group(1).strip()
        start = match.end()
    if start < len(text):
        yield text[start:], None


def fill(text: str, value: Callable[[str], str]) -> str:
    """The text with each reference replaced by `value(id)`, or the placeholder when empty."""
    return "".join(
        piece if ref is None else (value(ref) or PLACEHOLDER) for piece, ref in parts(text)
    )
