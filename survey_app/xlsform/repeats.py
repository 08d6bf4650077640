"""XLSForm repeats -> repeated sections: their bounds, and when one stays answered once.

- `repeat_count` a constant n: exactly n items (`min` = `max` = n, up to REPEAT_MAX).
- `repeat_count` naming a question (`jr:count`): participants add items themselves, up to
  REPEAT_MAX; listed as approximated.
- No `repeat_count`: up to REPEAT_MAX items (XLSForm sets no limit); listed.
- A repeat stays a section answered once (listed) when it holds a question a repeat cannot
  (a matrix, a ranking, an answer key), or when skip logic, piping, a choice filter or a
  calculation names one of its questions: one answer per item cannot feed them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from ..questionnaire.schema import REPEAT_MAX, REPEATABLE_TYPES, Questionnaire
from .context import Context, extra

#: `${name}` as pyxform writes a generated count or a question in `jr:count`.
COUNT_REFERENCE = re.compile(r"^\$\{\s*([^}\s]+)\s*\}$")
REPEAT_MESSAGE = re.compile(r"of the repeat '([a-z][a-z0-9_]*)'")


def repeat_settings(
    ctx: Context, element: dict[str, Any], siblings: list[dict[str, Any]]
) -> dict[str, Any]:
    """The `repeat:` of the section a `begin repeat` becomes (changes listed in `ctx`)."""
    kept = extra(element, "repeat")
    if kept.startswith("{"):
        return dict(json.loads(kept))  # written by export-xlsform: as it was
    name = element.get("name")
    count = str((element.get("control") or {}).get("jr:count") or "").strip()
    constant = _constant(count, siblings)
    if constant is not None:
        items = min(max(constant, 1), REPEAT_MAX)
        if items != constant:
            ctx.change(element, f"repeat '{name}' asks for {constant} items; here {items}")
        return {"min": items, "max": items}
    if count:
        ctx.change(
            element,
            f"repeat '{name}' has as many items as {count} says; here participants add them "
            f"with 'Add another', up to {REPEAT_MAX}",
        )
    else:
        ctx.change(element, f"repeat '{name}' takes at most {REPEAT_MAX} items here")
    return {"min": 0, "max": REPEAT_MAX}


def _constant(count: str, siblings: list[dict[str, Any]]) -> int | None:
    """A constant repeat_count: written as a number, or as pyxform's generated calculate."""
    if count.isdigit():
        return int(count)
    match = COUNT_REFERENCE.match(count)
    if match is None:
        return None
    for sibling in siblings:
        generated = sibling.get("_row") is None and sibling.get("type") == "calculate"
        if generated and sibling.get("name") == match.group(1):
            value = str((sibling.get("bind") or {}).get("calculate") or "").strip()
            return int(value) if value.isdigit() else None
    return None


def settle_repeats(
    ctx: Context, questionnaire: dict[str, Any], elements: dict[str, dict[str, Any]]
) -> None:
    """Turn back into sections answered once the repeats this questionnaire cannot hold.

    `elements` gives the `begin repeat` element of each repeated section, by section id.
    """
    sections = {s["id"]: s for s in questionnaire["sections"]}
    for section_id, section in sections.items():
        if "repeat" not in section:
            continue
        unfit = [
            q for q in section["questions"] if q["type"] not in REPEATABLE_TYPES or "correct" in q
        ]
        if unfit:
            q = unfit[0]
            what = "an answer key" if q["type"] in REPEATABLE_TYPES else f"a {q['type']} question"
            _answered_once(ctx, section, elements[section_id], f"it holds {what} ('{q['id']}')")
    while True:
        try:
            Questionnaire.model_validate(questionnaire)
        except ValidationError as exc:
            named = set(REPEAT_MESSAGE.findall(str(exc)))
            found = [sections[i] for i in sorted(named) if "repeat" in sections.get(i, {})]
            if not found:
                return
            for section in found:
                why = "skip logic, piping, a choice filter or a calculation names its questions"
                _answered_once(ctx, section, elements[section["id"]], why)
        else:
            return


def _answered_once(
    ctx: Context, section: dict[str, Any], element: dict[str, Any], why: str
) -> None:
    del section["repeat"]
    ctx.change(
        element,
        f"repeat '{element.get('name')}' is answered once here ({why}, and one answer per "
        "item cannot); its questions become a section",
    )
