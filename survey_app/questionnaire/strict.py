"""Strict pydantic base and the small validated types of content files."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)
from pydantic_core import PydanticCustomError

SLUG = r"^[a-z][a-z0-9_]*$"
Slug = Annotated[str, Field(pattern=SLUG, max_length=64)]
#: A stored choice value: any code without spaces, so an organisation's own codebook
#: (`1`, `Male`, `père`, from an XLSForm) is kept as it is.
CODE = r"^[^\s]+$"
Code = Annotated[str, Field(pattern=CODE, max_length=64)]

Loc = tuple[str | int, ...]
#: A BCP 47 language tag such as `en`, `fr`, `pt-BR`, `zh-Hant`.
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
Language = Annotated[str, Field(pattern=LANGUAGE_PATTERN)]


def located(problems: list[tuple[Loc, str]]) -> PydanticCustomError:
    """Wrap cross-field problems so the loader can point at each one precisely.

    Why: a model validator can only raise one error at the model's own location; the
    loader expands this error's `problems` (paths relative to the model) into one
    `file:line:col` message each.
    """
    summary = "; ".join(msg for _, msg in problems)
    return PydanticCustomError("located", "{summary}", {"summary": summary, "problems": problems})


class Strict(BaseModel):
    """Base for content models.

    Why: `extra="forbid"` turns a typo such as `requried:` into an error at its line
    instead of a silently ignored key; frozen because content never changes at runtime.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
