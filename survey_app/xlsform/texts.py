"""Languages of an XLSForm (`label::English (en)`, `label::Swahili`) and texts in them.

pyxform keys each text by the language name of its column (`default` for a plain `label`);
names become BCP 47 codes through langcodes, which knows names in many languages
(`Deutsch`, `Tetun`, `Français`). Texts are `{code: text}` dicts that always hold the
default language, written as a plain string when only that language has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import langcodes

from .reading import Problem

Texts = dict[str, str]
#: A text as the questionnaire file holds it.
Text = str | dict[str, str]
#: pyxform's key for texts of a column without a language.
PLAIN = "default"
_NAMED_TAG = re.compile(r"\(([^()]*)\)\s*$")
_REFERENCE = re.compile(r"\$\{([^}]*)\}")
#: What a `${name}` reference that cannot be piped shows: a blank, as on a paper form.
BLANK = "___"


def language_code(name: str) -> str | None:
    """`English (en)` -> `en`; `fr` -> `fr`; `Swahili` -> `sw`; None when it names no language."""
    named = _NAMED_TAG.search(name)
    for candidate in ([named.group(1).strip()] if named else []) + [name.strip()]:
        if langcodes.tag_is_valid(candidate):
            return str(langcodes.standardize_tag(candidate))
    bare = _NAMED_TAG.sub("", name).strip()
    try:
        return str(langcodes.find(bare).to_tag())
    except LookupError:
        return None


def display_name(code: str) -> str:
    """`fr` -> `French (fr)`, the column suffix XLSForm recommends."""
    return f"{langcodes.Language.get(code).display_name()} ({code})"


def _texts_in(element: dict[str, Any]) -> Iterator[Any]:
    for key in ("label", "hint"):
        if key in element:
            yield element[key]
    for choice in element.get("choices", ()) or ():
        if isinstance(choice, dict) and "label" in choice:
            yield choice["label"]
    for child in element.get("children", ()):
        yield from _texts_in(child)


@dataclass
class Languages:
    """The form's languages, default first, and which pyxform language name means which."""

    default: str
    codes: tuple[str, ...]
    by_name: dict[str, str]
    dropped: set[str] = field(default_factory=set)


def detect_languages(model: dict[str, Any], notes: list[Problem]) -> Languages:
    """The languages of every text in the form; what was dropped or guessed goes in notes."""
    names: list[str] = []
    for texts in _texts_in(model):
        if isinstance(texts, dict):
            names += [n for n in texts if n not in names]
        elif PLAIN not in names:
            names.append(PLAIN)
    for choices in (model.get("choices") or {}).values():
        for choice in choices:
            if isinstance(choice.get("label"), dict):
                names += [n for n in choice["label"] if n not in names]
    setting = str(model.get("default_language") or PLAIN)
    default = language_code(setting) if setting != PLAIN else None
    if setting != PLAIN and default is None:
        notes.append(
            Problem("settings", None, f"default_language '{setting}' names no language; English")
        )
    by_name: dict[str, str] = {}
    dropped: set[str] = set()
    for name in names:
        code = language_code(name) if name != PLAIN else None
        if name == PLAIN:
            continue
        if code is None:
            dropped.add(name)
            notes.append(
                Problem("survey", None, f"columns ::{name} name no language; their texts dropped")
            )
            continue
        by_name[name] = code
    if default is None:
        named_first = [by_name[n] for n in names if n in by_name]
        default = "en" if PLAIN in names or not named_first else named_first[0]
    if PLAIN in names:
        by_name[PLAIN] = default
        if len(by_name) > 1 and setting == PLAIN:
            notes.append(
                Problem(
                    "survey",
                    None,
                    f"texts without a language column are taken as {display_name(default)}",
                )
            )
    if not by_name:
        # Every column named something unknown: keep the texts rather than none at all.
        by_name = dict.fromkeys(dropped, default)
        dropped = set()
    codes = [default] + [c for c in dict.fromkeys(by_name.values()) if c != default]
    return Languages(default, tuple(codes), by_name, dropped)


def texts(value: Any, langs: Languages) -> Texts:
    """pyxform's text (a string or `{language name: text}`) as `{code: text}`."""
    if value is None or value == "":
        return {}
    items = value.items() if isinstance(value, dict) else [(PLAIN, value)]
    found: Texts = {}
    for name, text in items:
        code = langs.by_name.get(name)
        if code is not None and str(text).strip() and code not in found:
            found[code] = str(text).strip()
    if found and langs.default not in found:
        found = {langs.default: next(iter(found.values())), **found}
    return found


def references(value: Texts) -> list[str]:
    """Names of the `${name}` references in any language of a text."""
    return list(dict.fromkeys(m for t in value.values() for m in _REFERENCE.findall(t)))


def pipe_references(value: Texts, ids: dict[str, str]) -> Texts:
    """The text with `${name}` as `${id}` where `ids` has the name, else as a blank."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"${{{ids[name]}}}" if name in ids else BLANK

    return {code: _REFERENCE.sub(replace, text) for code, text in value.items()}


def as_text(value: Texts, default: str) -> Text:
    """A plain string when only the default language has a text, else the mapping."""
    if list(value) == [default]:
        return value[default]
    return dict(value)


def join(parts: list[Texts], separator: str, codes: tuple[str, ...]) -> Texts:
    """Texts joined language by language; a language missing in a part uses the default."""
    default = codes[0]
    joined: Texts = {}
    for code in codes:
        if any(code in p for p in parts):
            joined[code] = separator.join(p.get(code, p.get(default, "")) for p in parts)
    return joined
