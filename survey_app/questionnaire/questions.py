"""Question models of questionnaire files, one class per question type."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import pycountry
from pydantic import (
    Field,
    model_validator,
)

from .conditions import Comparison, Condition
from .strict import Code, Loc, Slug, Strict, located
from .texts import Text

#: The value stored when a participant picks "Other, please specify"; a choice question
#: that offers "Other" may not use it as an option value.
OTHER_VALUE = "_other"
COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries)


AttributeValue = Annotated[str, Field(min_length=1, max_length=200)] | int | float


class Option(Strict):
    """One choice: `value` is stored, `label` is shown."""

    value: Code
    label: Text
    #: Facts about the option (`{country: UG}`), like the extra columns of an XLSForm's
    #: choices sheet, that a question's `choice_filter` compares with earlier answers.
    attributes: dict[Slug, AttributeValue] = Field(default_factory=dict)


class ChoiceFilter(Strict):
    """Offer an option only when its `attribute` is the answer to the earlier `question`."""

    attribute: Slug
    question: Slug

    def comparison(self, option: Option) -> Comparison:
        """The skip-logic test this filter makes for one option."""
        return Comparison(question=self.question, equals=option.attributes[self.attribute])


class Row(Strict):
    """One matrix row: `value` names its answer (part of a form field name), `label` is shown."""

    value: Slug
    label: Text


class Scale(Strict):
    """A Likert scale from `min` to `max` with labels for some points (usually the ends)."""

    min: int = 1
    max: int = 5
    labels: dict[int, Text] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_range(self) -> Scale:
        problems: list[tuple[Loc, str]] = []
        if not self.min < self.max:
            problems.append((("max",), f"must be greater than min ({self.min})"))
        elif self.max - self.min > 10:
            problems.append((("max",), "a scale has at most 11 points"))
        problems += [
            (("labels", k), f"label for {k} is outside the scale {self.min}..{self.max}")
            for k in self.labels
            if not self.min <= k <= self.max
        ]
        if problems:
            raise located(problems)
        return self

    def points(self) -> list[int]:
        """Every point of the scale, lowest first."""
        return list(range(self.min, self.max + 1))


class QuestionBase(Strict):
    """Fields every question has."""

    id: Slug
    prompt: Text
    help: Text | None = None
    required: bool = False
    show_if: Condition | None = None
    #: XLSForm `constraint`: an answer is accepted only when this holds (checked once the
    #: question is answered); it may test this question, earlier ones and calculations.
    constraint: Condition | None = None
    #: What the participant reads when the constraint does not hold.
    constraint_message: Text | None = None


class ChoiceQuestionBase(QuestionBase):
    """Questions answered by picking options; may offer "Other" and carry an answer key."""

    options: list[Option]
    #: Offer an "Other, please specify" choice with a text box.
    other: bool = False
    #: The answer key: option values that are correct, for scored knowledge tests.
    correct: list[Code] | None = Field(default=None, min_length=1)
    points: float = Field(default=1, gt=0)
    #: Cascading choices: options offered are those whose attributes match the earlier
    #: answers named here (all of them); "Other" is always offered.
    choice_filter: list[ChoiceFilter] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _check_options(self) -> ChoiceQuestionBase:
        problems: list[tuple[Loc, str]] = []
        if len(self.options) < 2:
            problems.append((("options",), "must list at least 2 options"))
        seen: set[str] = set()
        for i, option in enumerate(self.options):
            if option.value in seen:
                problems.append(
                    (("options", i, "value"), f"duplicate option value '{option.value}'")
                )
            seen.add(option.value)
            if self.other and option.value == OTHER_VALUE:
                problems.append(
                    (("options", i, "value"), f"'{OTHER_VALUE}' is the value of 'Other'")
                )
        for i, value in enumerate(self.correct or []):
            if value not in seen:
                problems.append((("correct", i), f"'{value}' is not an option of '{self.id}'"))
        for rule in self.choice_filter or []:
            problems += [
                (("options", i), f"option '{o.value}' has no attribute '{rule.attribute}'")
                for i, o in enumerate(self.options)
                if rule.attribute not in o.attributes
            ]
        if problems:
            raise located(problems)
        return self

    def option_values(self) -> list[str]:
        """Values a participant may pick, "Other" included when offered."""
        return [o.value for o in self.options] + ([OTHER_VALUE] if self.other else [])


class SingleChoiceQuestion(ChoiceQuestionBase):
    """Pick exactly one option."""

    type: Literal["single_choice"]


class MultiChoiceQuestion(ChoiceQuestionBase):
    """Pick any number of options, optionally between `min` and `max`."""

    type: Literal["multi_choice"]
    min: int | None = Field(default=None, ge=1)
    max: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check_bounds(self) -> MultiChoiceQuestion:
        count = len(self.option_values())
        if self.max is not None and self.max > count:
            raise located([(("max",), f"cannot exceed the number of options ({count})")])
        if self.min is not None and self.max is not None and self.min > self.max:
            raise located([(("min",), f"must not exceed max ({self.max})")])
        return self


class ScaleQuestion(QuestionBase):
    """One Likert item."""

    type: Literal["scale"]
    scale: Scale = Field(default_factory=Scale)


class MatrixQuestion(QuestionBase):
    """Several rows rated on one scale; `required` means every row."""

    type: Literal["matrix"]
    scale: Scale = Field(default_factory=Scale)
    rows: list[Row]

    @model_validator(mode="after")
    def _check_rows(self) -> MatrixQuestion:
        problems: list[tuple[Loc, str]] = []
        if len(self.rows) < 2:
            problems.append((("rows",), "must list at least 2 rows"))
        seen: set[str] = set()
        for i, row in enumerate(self.rows):
            if row.value in seen:
                problems.append((("rows", i, "value"), f"duplicate row value '{row.value}'"))
            seen.add(row.value)
        if problems:
            raise located(problems)
        return self


class RankingQuestion(QuestionBase):
    """Order the `top` most important options; `required` means all `top` places."""

    type: Literal["ranking"]
    options: list[Option]
    top: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _check_top(self) -> RankingQuestion:
        problems: list[tuple[Loc, str]] = []
        if len(self.options) < 2:
            problems.append((("options",), "must list at least 2 options"))
        elif self.top > len(self.options):
            problems.append(
                (("top",), f"cannot exceed the number of options ({len(self.options)})")
            )
        values = [o.value for o in self.options]
        problems += [
            (("options", i, "value"), f"duplicate option value '{v}'")
            for i, v in enumerate(values)
            if v in values[:i]
        ]
        if problems:
            raise located(problems)
        return self

    def option_values(self) -> list[str]:
        """Values that may be ranked."""
        return [o.value for o in self.options]


class NumberQuestion(QuestionBase):
    """A number, whole unless `integer: false`, optionally within `min`..`max`."""

    type: Literal["number"]
    integer: bool = True
    min: float | None = None
    max: float | None = None
    #: Shown after the input box, e.g. `years`; translatable like every text.
    unit: Text | None = None

    @model_validator(mode="after")
    def _check_bounds(self) -> NumberQuestion:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise located([(("max",), f"must not be less than min ({self.min:g})")])
        return self


class ShortTextQuestion(QuestionBase):
    """One line of text."""

    type: Literal["short_text"]
    #: Up to the long-text limit: an imported form keeps the length it allowed.
    max_length: int = Field(default=200, ge=1, le=20000)


class LongTextQuestion(QuestionBase):
    """A paragraph of text."""

    type: Literal["long_text"]
    max_length: int = Field(default=4000, ge=1, le=20000)


class DateQuestion(QuestionBase):
    """A calendar date, optionally within `min`..`max`."""

    type: Literal["date"]
    min: dt.date | None = None
    max: dt.date | None = None

    @model_validator(mode="after")
    def _check_bounds(self) -> DateQuestion:
        if self.min and self.max and self.min > self.max:
            raise located([(("max",), f"must not be before min ({self.min})")])
        return self


class CountryQuestion(QuestionBase):
    """A country from the ISO 3166-1 list, stored as its alpha-2 code."""

    type: Literal["country"]


Question = Annotated[
    SingleChoiceQuestion
    | MultiChoiceQuestion
    | ScaleQuestion
    | MatrixQuestion
    | RankingQuestion
    | NumberQuestion
    | ShortTextQuestion
    | LongTextQuestion
    | DateQuestion
    | CountryQuestion,
    Field(discriminator="type"),
]
QUESTION_CLASSES: tuple[type[QuestionBase], ...] = (
    SingleChoiceQuestion,
    MultiChoiceQuestion,
    ScaleQuestion,
    MatrixQuestion,
    RankingQuestion,
    NumberQuestion,
    ShortTextQuestion,
    LongTextQuestion,
    DateQuestion,
    CountryQuestion,
)
QUESTION_TYPES: tuple[str, ...] = tuple(
    c.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]
    for c in QUESTION_CLASSES
)
