"""Translatable texts: a plain string (the default language) or `{en: ..., fr: ...}`.

A `LocalText` is a `str` holding the text in one language, plus every translation, so code
that only needs one language reads it as a string; `localize()` re-roots a whole model in
another language for a participant's form or a report.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, PlainValidator
from pydantic_core import PydanticCustomError

#: Scripts written right to left (BCP 47 primary language subtags).
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "ha", "he", "ks", "ps", "sd", "ug", "ur", "yi"}
)
DEFAULT_LANGUAGES: tuple[str, ...] = ("en",)

#: The languages declared by the file being validated; set by Questionnaire/Report validators.
declared_languages: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "declared_languages", default=DEFAULT_LANGUAGES
)

M = TypeVar("M", bound=BaseModel)


class LocalText(str):
    """The text in its current language, with all translations (`in_`, `translations`)."""

    translations: dict[str, str]

    def __new__(cls, text: str, translations: dict[str, str] | None = None) -> LocalText:
        obj = super().__new__(cls, text)
        obj.translations = dict(translations or {})
        return obj

    def in_(self, language: str) -> str:
        """The text in `language`, falling back to the text as it stands."""
        return self.translations.get(language) or str(self)

    def rerooted(self, language: str) -> LocalText:
        """The same text whose string value is its `language` version (or the fallback)."""
        return LocalText(self.in_(language), self.translations)


def _parse_text(value: Any) -> LocalText:
    languages = declared_languages.get()
    default = languages[0]
    if isinstance(value, LocalText):
        return value
    if isinstance(value, str):
        if not value.strip():
            raise PydanticCustomError("text_empty", "must not be empty")
        return LocalText(value, {default: value})
    if isinstance(value, dict):
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for key, text in value.items():
            if key not in languages:
                declared = ", ".join(languages)
                problems.append(((key,), f"'{key}' is not a declared language ({declared})"))
            elif not isinstance(text, str) or not text.strip():
                problems.append(((key,), "must be a non-empty text"))
        if default not in value:
            problems.append(((), f"no text in the default language '{default}'"))
        if problems:
            summary = "; ".join(m for _, m in problems)
            raise PydanticCustomError(
                "located", "{summary}", {"summary": summary, "problems": problems}
            )
        return LocalText(value[default], {k: str(v) for k, v in value.items()})
    raise PydanticCustomError("text_type", "must be a text or a mapping of language to text")


#: Typed as `str` for callers; at runtime every value is a LocalText (the validator is "plain",
#: so pydantic does not coerce it back to str).
Text = Annotated[str, PlainValidator(_parse_text, json_schema_input_type=str | dict[str, str])]


def direction(language: str) -> str:
    """`rtl` for right-to-left scripts, else `ltr`."""
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def texts(
    model: Any, loc: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], LocalText]]:
    """Every LocalText in a model tree with its path (by field alias, as written in YAML)."""
    if isinstance(model, LocalText):
        yield loc, model
    elif isinstance(model, BaseModel):
        for name, field in type(model).model_fields.items():
            yield from texts(getattr(model, name), (*loc, field.alias or name))
    elif isinstance(model, list | tuple):
        for i, item in enumerate(model):
            yield from texts(item, (*loc, i))
    elif isinstance(model, dict):
        for key, item in model.items():
            yield from texts(item, (*loc, key))


def missing_translations(
    model: Any, languages: Sequence[str]
) -> list[tuple[tuple[str | int, ...], str]]:
    """(path, message) for each text lacking a declared language."""
    default = languages[0]
    return [
        (loc, f"no '{language}' translation (falls back to '{default}')")
        for loc, text in texts(model)
        for language in languages[1:]
        if language not in text.translations
    ]


def localize(model: M, language: str) -> M:
    """A copy of the model whose texts read in `language` (where translated)."""
    return _rerooted(model, language)  # type: ignore[no-any-return]


def _rerooted(value: Any, language: str) -> Any:
    if isinstance(value, LocalText):
        return value.rerooted(language)
    if isinstance(value, BaseModel):
        changes = {
            name: _rerooted(getattr(value, name), language) for name in type(value).model_fields
        }
        return value.model_copy(update=changes)
    if isinstance(value, list):
        return [_rerooted(v, language) for v in value]
    if isinstance(value, dict):
        return {k: _rerooted(v, language) for k, v in value.items()}
    return value
