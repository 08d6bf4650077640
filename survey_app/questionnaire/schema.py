"""Strict pydantic models for questionnaire files (format v1): the questionnaire, its
sections, repeats and calculations, and the checks across them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    ModelWrapValidatorHandler,
    model_validator,
)

from .calculations import parsed
from .conditions import AllOf, AnyOf, Condition, NotOf, comparisons
from .expressions import ExpressionError
from .expressions import references as expression_references
from .pipes import references
from .questions import (
    COUNTRY_CODES,
    ChoiceQuestionBase,
    CountryQuestion,
    NumberQuestion,
    Question,
    QuestionBase,
    RankingQuestion,
    ScaleQuestion,
)
from .strict import Language, Loc, Slug, Strict, located
from .texts import DEFAULT_LANGUAGES, Text, declared_languages


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
