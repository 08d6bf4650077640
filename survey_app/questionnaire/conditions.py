"""Skip-logic conditions of questionnaire files: comparisons and their combinations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from .strict import Loc, Slug, Strict, located

# --- skip logic -------------------------------------------------------------------


#: A finite number: conditions travel to the browser as JSON, which has no infinity.
Bound = Annotated[float, Field(allow_inf_nan=False)]


class Comparison(Strict):
    """`{question: q, equals: v}`, `{question: q, in: [...]}`, `{question: q, answered: true}`
    or an ordered test such as `{question: q, greater_than: 3}`; `q` is a question or a
    calculation id."""

    question: Slug
    equals: str | int | float | None = None
    in_: list[str | int | float] | None = Field(default=None, alias="in", min_length=1)
    answered: bool | None = None
    #: Ordered tests, for number and scale questions and calculations (XLSForm < <= > >=).
    greater_than: Bound | None = None
    at_least: Bound | None = None
    less_than: Bound | None = None
    at_most: Bound | None = None

    model_config = ConfigDict(populate_by_name=True)

    @model_validator(mode="after")
    def _exactly_one_test(self) -> Comparison:
        given = [k for k in ("equals", "in_", "answered", *ORDERED) if getattr(self, k) is not None]
        if len(given) != 1:
            raise located(
                [((), "give exactly one of 'equals', 'in', 'answered' or an ordered test")]
            )
        return self

    def values(self) -> list[str | int | float]:
        """The option values this comparison names."""
        if self.equals is not None:
            return [self.equals]
        return list(self.in_ or [])

    def ordered(self) -> tuple[str, float] | None:
        """The ordered test as (XPath operator, number), if this is one."""
        for key, op in ORDERED.items():
            bound = getattr(self, key)
            if bound is not None:
                return op, bound
        return None


#: Ordered test key -> the XPath operator it stands for.
ORDERED: dict[str, str] = {"greater_than": ">", "at_least": ">=", "less_than": "<", "at_most": "<="}


class AllOf(Strict):
    """True when every condition holds."""

    all: list[Condition] = Field(min_length=1)


class AnyOf(Strict):
    """True when at least one condition holds."""

    any: list[Condition] = Field(min_length=1)


class NotOf(Strict):
    """True when the condition does not hold."""

    not_: Condition = Field(alias="not")

    model_config = ConfigDict(populate_by_name=True)


def _condition_tag(value: Any) -> str:
    # Tags differ from every key: pydantic puts the tag in an error's `loc`, and the
    # loader drops only segments that are not keys in the data.
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return f"{key}_of"
    elif isinstance(value, BaseModel):
        tags: dict[type[BaseModel], str] = {AllOf: "all_of", AnyOf: "any_of", NotOf: "not_of"}
        return tags.get(type(value), "comparison")
    return "comparison"


Condition = Annotated[
    Annotated[Comparison, Tag("comparison")]
    | Annotated[AllOf, Tag("all_of")]
    | Annotated[AnyOf, Tag("any_of")]
    | Annotated[NotOf, Tag("not_of")],
    Discriminator(_condition_tag),
]


def comparisons(condition: Condition, loc: Loc = ()) -> Iterator[tuple[Comparison, Loc]]:
    """Every leaf comparison of a condition with its path relative to the condition."""
    if isinstance(condition, Comparison):
        yield condition, loc
    elif isinstance(condition, AllOf):
        for i, c in enumerate(condition.all):
            yield from comparisons(c, (*loc, "all", i))
    elif isinstance(condition, AnyOf):
        for i, c in enumerate(condition.any):
            yield from comparisons(c, (*loc, "any", i))
    else:
        yield from comparisons(condition.not_, (*loc, "not"))


# --- questions --------------------------------------------------------------------
