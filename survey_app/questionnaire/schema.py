"""Strict pydantic models for questionnaire files (format v1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    ModelWrapValidatorHandler,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .calculations import parsed
from .expressions import ExpressionError
from .expressions import references as expression_references
from .pipes import references
from .texts import DEFAULT_LANGUAGES, Text, declared_languages

SLUG = r"^[a-z][a-z0-9_]*$"
Slug = Annotated[str, Field(pattern=SLUG, max_length=64)]
#: A stored choice value: any code without spaces, so an organisation's own codebook
#: (`1`, `Male`, `père`, from an XLSForm) is kept as it is.
CODE = r"^[^\s]+$"
Code = Annotated[str, Field(pattern=CODE, max_length=64)]
#: The value stored when a participant picks "Other, please specify"; a choice question
#: that offers "Other" may not use it as an option value.
OTHER_VALUE = "_other"
COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries)

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


#: An option attribute's value, compared with earlier answers by a `choice_filter`.
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


class Calculation(Strict):
    """A value computed from the answers when a response is submitted, and stored with it."""

    id: Slug
    #: XLSForm syntax, e.g. `${adults} + ${children}` or `if(${age} >= 18, 'adult', 'minor')`.
    expression: Annotated[str, Field(min_length=1, max_length=2000)]

    @model_validator(mode="after")
    def _supported(self) -> Calculation:
        try:
            parsed(self.expression)
        except ExpressionError as exc:
            raise located([(("expression",), str(exc))]) from None
        return self

    def references(self) -> list[str]:
        """Ids the expression names, each once."""
        return list(dict.fromkeys(r.name for r in expression_references(parsed(self.expression))))


#: The most items a repeat may allow: each item is a block of inputs on one page.
REPEAT_MAX = 50
#: Question types a repeat may hold. Why not matrix and ranking: their answers already take
#: one stored row per matrix row or rank, and their wide export columns per item would be
#: unreadable; no imported XLSForm needs them.
REPEATABLE_TYPES = frozenset(
    {"single_choice", "multi_choice", "scale", "number", "short_text", "long_text", "date"}
    | {"country"}
)


class Repeat(Strict):
    """Answer the section's questions once per item ("Add another"), `min` to `max` items."""

    #: Items the participant must give; the form shows at least one item.
    min: int = Field(default=0, ge=0, le=REPEAT_MAX)
    max: int = Field(default=10, ge=1, le=REPEAT_MAX)
    #: The button that adds an item, e.g. "Add another household member".
    add_label: Text | None = None
    #: What one item is called, numbered on the page: "Household member 2".
    item_label: Text | None = None

    @model_validator(mode="after")
    def _check_bounds(self) -> Repeat:
        if self.min > self.max:
            raise located([(("min",), f"must not exceed max ({self.max})")])
        return self

    @property
    def shown(self) -> int:
        """How many items a fresh form shows."""
        return max(self.min, 1)


class Section(Strict):
    """A group of questions shown as one fieldset, or repeated once per item."""

    id: Slug
    title: Text
    intro: Text | None = None
    show_if: Condition | None = None
    repeat: Repeat | None = None
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _repeatable(self) -> Section:
        if self.repeat is None:
            return self
        problems: list[tuple[Loc, str]] = [
            (("questions", i, "type"), f"a {q.type} question cannot be inside a repeat")
            for i, q in enumerate(self.questions)
            if q.type not in REPEATABLE_TYPES
        ]
        # Knowledge scores count people who answered correctly, once each.
        problems += [
            (("questions", i, "correct"), "an answer key cannot be inside a repeat")
            for i, q in enumerate(self.questions)
            if isinstance(q, ChoiceQuestionBase) and q.correct
        ]
        if problems:
            raise located(problems)
        return self


class Questionnaire(Strict):
    """A whole questionnaire file."""

    schema_version: Literal[1]
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=100)]
    title: Text
    intro: Text | None = None
    #: BCP 47 codes; the first is the default, used wherever a text is not translated.
    languages: list[Language] = Field(default_factory=lambda: list(DEFAULT_LANGUAGES), min_length=1)
    #: `public`: anyone may answer at /q/<id> and the index lists it. `training-only` (the
    #: default, so a new questionnaire is never open to the world by accident): reachable only
    #: through a training's participant links.
    visibility: Literal["public", "training-only"] = "training-only"
    sections: list[Section] = Field(min_length=1)
    #: Values computed on submission from the answers (and earlier calculations), in order.
    calculations: list[Calculation] = Field(default_factory=list)

    @model_validator(mode="wrap")
    @classmethod
    def _texts_in_declared_languages(
        cls, data: Any, handler: ModelWrapValidatorHandler[Questionnaire]
    ) -> Questionnaire:
        """Texts are checked against this file's `languages` while it validates."""
        languages = data.get("languages") if isinstance(data, dict) else None
        declared = DEFAULT_LANGUAGES
        if isinstance(languages, list) and languages and all(isinstance(x, str) for x in languages):
            declared = tuple(languages)
        token = declared_languages.set(declared)
        try:
            return handler(data)
        finally:
            declared_languages.reset(token)

    @property
    def language(self) -> str:
        """The default language."""
        return self.languages[0]

    @model_validator(mode="after")
    def _check_references(self) -> Questionnaire:
        problems: list[tuple[Loc, str]] = [
            (("languages", i), f"'{code}' is declared twice")
            for i, code in enumerate(self.languages)
            if code in self.languages[:i]
        ]
        calcs = calculation_inputs(self)
        earlier: dict[str, QuestionBase] = {}
        section_ids: set[str] = set()
        repeated = self.repeated_ids()
        question_ids: set[str] = set()
        for s, section in enumerate(self.sections):
            if section.id in section_ids:
                problems.append((("sections", s, "id"), f"duplicate section id '{section.id}'"))
            section_ids.add(section.id)
            scope = Scope(earlier, calcs, f"section '{section.id}'", set(earlier))
            if section.show_if is not None:
                problems += _condition_problems(section.show_if, scope, ("sections", s, "show_if"))
            problems += _pipe_problems(section, ("title", "intro"), scope, ("sections", s))
            in_section: dict[str, QuestionBase] = {}
            for i, question in enumerate(section.questions):
                loc: Loc = ("sections", s, "questions", i)
                if question.id in question_ids:
                    problems.append(((*loc, "id"), f"duplicate question id '{question.id}'"))
                question_ids.add(question.id)
                visible = earlier | in_section
                before = Scope(
                    visible, calcs, f"question '{question.id}'", set(visible), f"'{question.id}'"
                )
                if question.show_if is not None:
                    problems += _condition_problems(question.show_if, before, (*loc, "show_if"))
                problems += _pipe_problems(question, ("prompt", "help"), before, loc)
                # The constraint (and its message) is checked once this question is answered.
                itself = Scope(
                    visible | {question.id: question},
                    calcs,
                    f"question '{question.id}'",
                    set(visible) | {question.id},
                    f"'{question.id}'",
                )
                problems += _pipe_problems(question, ("constraint_message",), itself, loc)
                if question.constraint is not None and section.repeat is not None:
                    # One answer per item: the rule would not know which item to read.
                    problems.append(
                        (
                            (*loc, "constraint"),
                            "a question inside a repeat cannot have a constraint",
                        )
                    )
                elif question.constraint is not None:
                    problems += _condition_problems(
                        question.constraint, itself, (*loc, "constraint")
                    )
                if isinstance(question, ChoiceQuestionBase):
                    problems += [
                        (
                            (*loc, "choice_filter", f, "question"),
                            f"'{rule.question}' is not a question before '{question.id}'",
                        )
                        for f, rule in enumerate(question.choice_filter or [])
                        if rule.question not in earlier | in_section
                    ]
                if section.repeat is None:
                    in_section.setdefault(question.id, question)
            for qid, q in in_section.items():
                earlier.setdefault(qid, q)
        problems = [_repeated_reference(p, repeated) for p in problems]
        calculated: set[str] = set()
        for c, calculation in enumerate(self.calculations):
            if calculation.id in question_ids or calculation.id in calculated | section_ids:
                problems.append((("calculations", c, "id"), f"duplicate id '{calculation.id}'"))
            problems += [
                (
                    ("calculations", c, "expression"),
                    f"'${{{name}}}' is not a question or an earlier calculation",
                )
                for name in calculation.references()
                if name not in earlier and name not in calculated | set(repeated)
            ]
            problems += [
                (("calculations", c, "expression"), _REPEATED_MESSAGE.format(name, repeated[name]))
                for name in calculation.references()
                if name in repeated
            ]
            calculated.add(calculation.id)
        if problems:
            raise located(problems)
        return self

    def questions(self) -> Iterator[QuestionBase]:
        """Every question in document order."""
        for section in self.sections:
            yield from section.questions

    def question(self, question_id: str) -> QuestionBase | None:
        """The question with this id, if any."""
        return next((q for q in self.questions() if q.id == question_id), None)

    def repeated_ids(self) -> dict[str, str]:
        """Id of each question answered once per item -> the id of its repeat section."""
        return {q.id: s.id for s in self.sections if s.repeat is not None for q in s.questions}


_REPEATED_MESSAGE = (
    "'{}' is asked once per item of the repeat '{}'; only questions outside a repeat "
    "can be referred to"
)


def _repeated_reference(problem: tuple[Loc, str], repeated: dict[str, str]) -> tuple[Loc, str]:
    """A reference to a repeated question explained as such, not as a missing question.

    Why: a question inside a repeat has one answer per item, so a condition, pipe, filter
    or calculation naming it would not know which item to read.
    """
    loc, message = problem
    for qid, section_id in repeated.items():
        if message.startswith((f"'{qid}' is not a question", f"'${{{qid}}}' is not a question")):
            return loc, _REPEATED_MESSAGE.format(qid, section_id)
    return problem


def calculation_inputs(questionnaire: Questionnaire) -> dict[str, frozenset[str]]:
    """Each calculation id -> the questions it is computed from, through earlier
    calculations too (names that are neither are left out: the schema reports them)."""
    inputs: dict[str, frozenset[str]] = {}
    questions = {q.id for q in questionnaire.questions()}
    for calculation in questionnaire.calculations:
        found: set[str] = set()
        for name in calculation.references():
            if name in inputs:
                found |= inputs[name]
            elif name in questions:
                found.add(name)
        inputs.setdefault(calculation.id, frozenset(found))
    return inputs


@dataclass(frozen=True)
class Scope:
    """What a condition or text of `owner` may refer to: `questions`, and the calculations
    computed only from the questions in `answered` (answers given by then)."""

    questions: dict[str, QuestionBase]
    calcs: dict[str, frozenset[str]]
    owner: str
    answered: set[str]
    #: How a text's reference problem names the owner (`'q'` for a question).
    text_owner: str = ""

    def calculation_problem(self, name: str) -> str | None:
        """Why the calculation `name` cannot be used here, or None when it can."""
        missing = sorted(self.calcs[name] - self.answered)
        if not missing:
            return None
        own = self.text_owner.strip("'")  # a question's id; "" for a section
        if own and own in missing:
            return f"calculation '{name}' is computed from {self.owner} itself (a cycle)"
        return (
            f"calculation '{name}' uses '{missing[0]}', which is not answered before {self.owner}"
        )


def _condition_problems(condition: Condition, scope: Scope, loc: Loc) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for comparison, rel in comparisons(condition):
        where = (*loc, *rel, "question")
        name = comparison.question
        if name in scope.calcs and name not in scope.questions:
            problem = scope.calculation_problem(name)
            if problem:
                problems.append((where, problem))
            continue
        target = scope.questions.get(name)
        if target is None:
            problems.append((where, f"'{name}' is not a question before {scope.owner}"))
            continue
        if comparison.ordered() is not None:
            if not isinstance(target, NumberQuestion | ScaleQuestion):
                problems.append(
                    (
                        (*loc, *rel),
                        f"'{target.id}' is a {getattr(target, 'type', '')} question; "
                        "ordered tests need a number, a scale or a calculation",
                    )
                )
            continue
        for i, value in enumerate(comparison.values()):
            error = _value_problem(target, value)
            if error:
                key: Loc = ("equals",) if comparison.equals is not None else ("in", i)
                problems.append(((*loc, *rel, *key), error))
    return problems


def _pipe_problems(
    model: BaseModel, keys: tuple[str, ...], scope: Scope, loc: Loc
) -> list[tuple[Loc, str]]:
    """`${id}` references in the model's texts that name neither an earlier question nor
    a calculation computed from earlier answers."""
    problems: list[tuple[Loc, str]] = []
    for key in keys:
        text = getattr(model, key)
        for name in references(text) if text else ():
            if name in scope.calcs and name not in scope.questions:
                problem = scope.calculation_problem(name)
                if problem:
                    problems.append(((*loc, key), problem))
            elif name not in scope.questions:
                problems.append(
                    (
                        (*loc, key),
                        f"'${{{name}}}' is not a question before {scope.text_owner or scope.owner}",
                    )
                )
    return problems


def _value_problem(target: QuestionBase, value: str | int | float) -> str | None:
    """Why `value` can never be an answer to `target`, or None when it can."""
    if isinstance(target, ChoiceQuestionBase | RankingQuestion):
        allowed = target.option_values()
        if value not in allowed:
            return f"'{value}' is not an option of '{target.id}' (options: {', '.join(allowed)})"
    elif isinstance(target, ScaleQuestion):
        if value not in target.scale.points():
            return f"{value!r} is not on the scale of '{target.id}'"
    elif isinstance(target, NumberQuestion):
        if isinstance(value, str):
            return f"'{target.id}' is a number question; compare it with a number"
    elif isinstance(target, CountryQuestion):
        if value not in COUNTRY_CODES:
            return f"'{value}' is not an ISO 3166-1 alpha-2 country code"
    else:
        return f"'{target.id}' is a {getattr(target, 'type', '')} question; use 'answered: true'"
    return None


AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
Section.model_rebuild()
Questionnaire.model_rebuild()
