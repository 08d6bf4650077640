"""Strict pydantic models for report definitions (reports/*.yaml), checked against questionnaires.

Validate with `context={"questionnaires": {id: Questionnaire}}` so references to
questionnaires and questions are checked at load time with `file:line:col` errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, model_validator

from ..questionnaire.questions import (
    ChoiceQuestionBase,
    CountryQuestion,
    DateQuestion,
    LongTextQuestion,
    MatrixQuestion,
    NumberQuestion,
    QuestionBase,
    RankingQuestion,
    ScaleQuestion,
    ShortTextQuestion,
    SingleChoiceQuestion,
)
from ..questionnaire.schema import Questionnaire
from ..questionnaire.strict import Language, Loc, Slug, Strict, located

QuestionnaireId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=100)]
ChartKind = Literal["bar", "diverging", "histogram", "box", "mean_rank", "borda", "none"]

#: Which charts fit which question type; the first is the default.
CHARTS_FOR_TYPE: dict[str, tuple[ChartKind, ...]] = {
    "single_choice": ("bar",),
    "multi_choice": ("bar",),
    "country": ("bar",),
    "scale": ("diverging", "bar"),
    "matrix": ("diverging",),
    "ranking": ("borda", "mean_rank"),
    # No box plot: its whiskers and quartiles are single people's answers.
    "number": ("histogram",),
    "date": ("bar",),
    "short_text": ("none",),
    "long_text": ("none",),
}
#: Question types a breakdown (`by:`) may use: each respondent falls in one group.
GROUPING_TYPES = (SingleChoiceQuestion, CountryQuestion)


class ReportFilter(Strict):
    """Which responses a report covers."""

    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None

    @model_validator(mode="after")
    def _check_range(self) -> ReportFilter:
        if self.submitted_from and self.submitted_to and self.submitted_from > self.submitted_to:
            raise located([(("submitted_to",), "must not be before submitted_from")])
        return self


class BlockBase(Strict):
    """Fields every block has."""

    title: str | None = None
    #: Printed under the block heading.
    intro: str | None = None


class OverviewBlock(BlockBase):
    """Number of responses, countries, stakeholder mix, collection dates."""

    type: Literal["overview"]
    stakeholder: Slug | None = None
    country: Slug | None = None


class QuestionBlock(BlockBase):
    """One question's distribution, optionally broken down by a choice question."""

    type: Literal["question"]
    question: Slug
    chart: ChartKind | None = None
    by: Slug | None = None

    def chart_kind(self, question: QuestionBase) -> ChartKind:
        """The chart asked for, or the default for the question type."""
        return self.chart or CHARTS_FOR_TYPE[question_type(question)][0]


class PrioritySource(Strict):
    """A question whose options or rows compete in a priorities ranking."""

    question: Slug
    #: Only these matrix rows or ranking options; all when omitted.
    only: list[Slug] | None = Field(default=None, min_length=1)


class PrioritiesBlock(BlockBase):
    """Needs ranked across questions or matrix rows by one measure."""

    type: Literal["priorities"]
    #: mean: mean rating; top_box: share rating at least `top_box_min`; borda: Borda score
    #: (points per respondent, as everywhere in the report: reporting/measures.py).
    measure: Literal["mean", "top_box", "borda"]
    top_box_min: int | None = None
    sources: list[PrioritySource] = Field(min_length=1)


class GapBlock(BlockBase):
    """Importance vs current capacity on the same matrix rows: Borich MWDS and the RDM."""

    type: Literal["gap"]
    importance: Slug
    capacity: Slug


class PrePostBlock(BlockBase):
    """Before/after comparison on shared questions and knowledge-test scores."""

    type: Literal["pre_post"]
    pre: QuestionnaireId
    post: QuestionnaireId
    #: Shared scale, matrix or choice questions to compare; knowledge items come from answer keys.
    questions: list[Slug] = Field(default_factory=list)
    knowledge: bool = True


class RetentionBlock(BlockBase):
    """Pre, post and follow-up means of the same people (the report's questionnaire is the
    follow-up one), for scale or matrix questions asked in all three waves."""

    type: Literal["retention"]
    pre: QuestionnaireId
    post: QuestionnaireId
    #: Scale or matrix questions with the same id in all three questionnaires.
    questions: list[Slug] = Field(min_length=1)


class ShareMeasure(Strict):
    """Share of respondents whose answer is in `in`, or within `at_least`..`at_most`."""

    question: Slug
    row: Slug | None = None
    in_: list[str] | None = Field(default=None, alias="in", min_length=1)
    at_least: float | None = None
    at_most: float | None = None


class MeanMeasure(Strict):
    """Mean rating of a scale, number or one matrix row."""

    question: Slug
    row: Slug | None = None


class RankMeasure(Strict):
    """Position (1 = top) of an option among all options of a ranking, by Borda score."""

    question: Slug
    option: Slug


class Rule(Strict):
    """Print `text` when the measure lies within `at_least`..`at_most`."""

    id: Slug
    text: str = Field(min_length=1)
    share: ShareMeasure | None = None
    mean: MeanMeasure | None = None
    rank: RankMeasure | None = None
    at_least: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _one_measure_and_a_threshold(self) -> Rule:
        problems: list[tuple[Loc, str]] = []
        if sum(m is not None for m in (self.share, self.mean, self.rank)) != 1:
            problems.append(((), "give exactly one of 'share', 'mean' or 'rank'"))
        if self.at_least is None and self.at_most is None:
            problems.append(((), "give 'at_least' or 'at_most' (or both)"))
        if problems:
            raise located(problems)
        return self

    def measure(self) -> ShareMeasure | MeanMeasure | RankMeasure:
        """The one measure this rule tests."""
        measure = self.share or self.mean or self.rank
        assert measure is not None  # noqa: S101 -- guaranteed by the validator
        return measure


class RecommendationsBlock(BlockBase):
    """Rules on aggregates; those that hold are printed with the figure that triggered them."""

    type: Literal["recommendations"]
    rules: list[Rule] = Field(min_length=1)


class CommentsBlock(BlockBase):
    """Free-text answers, printed only because the block asks, for k_text writers or more."""

    type: Literal["comments"]
    question: Slug
    #: Not allowed (a located error says why); kept so that old reports get that message.
    by: Slug | None = None
    limit: int = Field(default=50, ge=1, le=500)


Block = Annotated[
    OverviewBlock
    | QuestionBlock
    | PrioritiesBlock
    | GapBlock
    | PrePostBlock
    | RetentionBlock
    | RecommendationsBlock
    | CommentsBlock,
    Field(discriminator="type"),
]
BLOCK_TYPES: tuple[str, ...] = (
    "overview",
    "question",
    "priorities",
    "gap",
    "pre_post",
    "retention",
    "recommendations",
    "comments",
)


class Report(Strict):
    """A whole report definition file."""

    schema_version: Literal[1]
    id: QuestionnaireId
    title: str = Field(min_length=1)
    subtitle: str | None = None
    intro: str | None = None
    #: The questionnaire whose responses the blocks describe (pre_post names its own two).
    questionnaire: QuestionnaireId
    filter: ReportFilter = Field(default_factory=ReportFilter)
    #: Language of the question and option labels printed (default: each questionnaire's own).
    language: Language | None = None
    #: Minimum group size: a population of fewer people shows nothing (see disclosure.py).
    k: int = Field(default=5, ge=3, le=100)
    #: Free-text answers are printed only for populations of at least this many people.
    k_text: int = Field(default=10, ge=3, le=1000)
    blocks: list[Block] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Report:
        known = (info.context or {}).get("questionnaires")
        if known is None:
            return self
        problems = reference_problems(self, known)
        if problems:
            raise located(problems)
        return self


def question_type(question: QuestionBase) -> str:
    """The `type` tag of a question."""
    qtype: str = getattr(question, "type", "")
    return qtype


def reference_problems(report: Report, known: Mapping[str, Questionnaire]) -> list[tuple[Loc, str]]:
    """Every reference in the report that does not fit the questionnaires it names."""
    main = known.get(report.questionnaire)
    if main is None:
        return [(("questionnaire",), _unknown_questionnaire(report.questionnaire, known))]
    checker = _Checker(main)
    if report.language is not None and report.language not in main.languages:
        offered = ", ".join(main.languages)
        checker.problems.append(
            (("language",), f"'{report.language}' is not a language of '{main.id}' ({offered})")
        )
    for i, block in enumerate(report.blocks):
        checker.block(block, ("blocks", i), known)
    return checker.problems


def _unknown_questionnaire(qid: str, known: Mapping[str, Any]) -> str:
    return f"'{qid}' is not a questionnaire (known: {', '.join(sorted(known)) or 'none'})"


class _Checker:
    """Collects located reference problems block by block."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.q = questionnaire
        self.problems: list[tuple[Loc, str]] = []

    def find(
        self,
        qid: str | None,
        loc: Loc,
        kinds: tuple[type, ...] = (),
        what: str = "",
        q: Questionnaire | None = None,
    ) -> QuestionBase | None:
        source = q or self.q
        if qid is None:
            return None
        question = source.question(qid)
        if question is None:
            self.problems.append((loc, f"'{qid}' is not a question in '{source.id}'"))
            return None
        repeat = source.repeated_ids().get(qid)
        if repeat is not None:
            # Figures over items are not over people, and k counts people.
            self.problems.append(
                (
                    loc,
                    f"'{qid}' is asked once per item of the repeat '{repeat}'; reports count "
                    "people, so repeated questions are not reported (find them in the exports)",
                )
            )
            return None
        if kinds and not isinstance(question, kinds):
            self.problems.append((loc, f"'{qid}' is a {question_type(question)} question; {what}"))
            return None
        return question

    def block(self, block: Block, loc: Loc, known: Mapping[str, Questionnaire]) -> None:
        if isinstance(block, OverviewBlock):
            self.find(
                block.stakeholder,
                (*loc, "stakeholder"),
                (SingleChoiceQuestion,),
                "expected single_choice",
            )
            self.find(block.country, (*loc, "country"), (CountryQuestion,), "expected country")
        elif isinstance(block, QuestionBlock):
            question = self.find(block.question, (*loc, "question"))
            if question is not None and block.chart is not None:
                fits = CHARTS_FOR_TYPE[question_type(question)]
                if block.chart not in fits:
                    self.problems.append(
                        (
                            (*loc, "chart"),
                            f"a {block.chart} chart does not fit a "
                            f"{question_type(question)} question (use: {', '.join(fits)})",
                        )
                    )
            self.find(
                block.by,
                (*loc, "by"),
                GROUPING_TYPES,
                "a breakdown needs a single_choice or country question",
            )
        elif isinstance(block, PrioritiesBlock):
            self._priorities(block, loc)
        elif isinstance(block, GapBlock):
            self._gap(block, loc)
        elif isinstance(block, PrePostBlock):
            self._pre_post(block, loc, known)
        elif isinstance(block, RetentionBlock):
            self._retention(block, loc, known)
        elif isinstance(block, RecommendationsBlock):
            for r, rule in enumerate(block.rules):
                self._rule(rule, (*loc, "rules", r))
        else:
            self.find(
                block.question,
                (*loc, "question"),
                (ShortTextQuestion, LongTextQuestion),
                "comments need a text question",
            )
            if block.by is not None:
                self.problems.append(
                    (
                        (*loc, "by"),
                        "comments are never printed per group: a small group's comments "
                        "would point at its members (remove `by`)",
                    )
                )

    def _priorities(self, block: PrioritiesBlock, loc: Loc) -> None:
        kinds: tuple[type, ...] = (
            (RankingQuestion,) if block.measure == "borda" else (ScaleQuestion, MatrixQuestion)
        )
        what = (
            "borda needs ranking questions"
            if block.measure == "borda"
            else f"{block.measure} needs scale or matrix questions"
        )
        for s, source in enumerate(block.sources):
            question = self.find(source.question, (*loc, "sources", s, "question"), kinds, what)
            if isinstance(question, MatrixQuestion | RankingQuestion) and source.only:
                values = [
                    o.value
                    for o in (
                        question.rows if isinstance(question, MatrixQuestion) else question.options
                    )
                ]
                for i, value in enumerate(source.only):
                    if value not in values:
                        self.problems.append(
                            (
                                (*loc, "sources", s, "only", i),
                                f"'{value}' is not a row or option of '{question.id}'",
                            )
                        )

    def _gap(self, block: GapBlock, loc: Loc) -> None:
        what = "a gap compares two matrix questions"
        imp = self.find(block.importance, (*loc, "importance"), (MatrixQuestion,), what)
        cap = self.find(block.capacity, (*loc, "capacity"), (MatrixQuestion,), what)
        if isinstance(imp, MatrixQuestion) and isinstance(cap, MatrixQuestion):
            if [r.value for r in imp.rows] != [r.value for r in cap.rows]:
                self.problems.append(
                    ((*loc, "capacity"), f"'{cap.id}' must have the same rows as '{imp.id}'")
                )
            elif imp.scale.points() != cap.scale.points():
                self.problems.append(
                    ((*loc, "capacity"), f"'{cap.id}' must use the same scale as '{imp.id}'")
                )

    def _retention(
        self, block: RetentionBlock, loc: Loc, known: Mapping[str, Questionnaire]
    ) -> None:
        waves = [known.get(block.pre), known.get(block.post)]
        for key, wave, qid in (("pre", waves[0], block.pre), ("post", waves[1], block.post)):
            if wave is None:
                self.problems.append(((*loc, key), _unknown_questionnaire(qid, known)))
        what = "retention compares scale or matrix questions asked in all three waves"
        for i, qid in enumerate(block.questions):
            where = (*loc, "questions", i)
            asked = [
                self.find(qid, where, (ScaleQuestion, MatrixQuestion), what, wave)
                for wave in (*waves, self.q)
                if wave is not None
            ]
            types = {question_type(question) for question in asked if question is not None}
            if None not in asked and len(types) > 1:
                self.problems.append((where, f"'{qid}' must be of one type in all three waves"))

    def _pre_post(self, block: PrePostBlock, loc: Loc, known: Mapping[str, Questionnaire]) -> None:
        pre, post = known.get(block.pre), known.get(block.post)
        for key, found, qid in (("pre", pre, block.pre), ("post", post, block.post)):
            if found is None:
                self.problems.append(((*loc, key), _unknown_questionnaire(qid, known)))
        if pre is None or post is None:
            return
        comparable = (ScaleQuestion, MatrixQuestion, ChoiceQuestionBase, NumberQuestion)
        for i, qid in enumerate(block.questions):
            where = (*loc, "questions", i)
            a = self.find(
                qid,
                where,
                comparable,
                "pre/post compares scale, matrix, choice or number questions",
                pre,
            )
            b = self.find(
                qid,
                where,
                comparable,
                "pre/post compares scale, matrix, choice or number questions",
                post,
            )
            if a is not None and b is not None and question_type(a) != question_type(b):
                self.problems.append(
                    (
                        where,
                        f"'{qid}' is a {question_type(a)} question before "
                        f"and a {question_type(b)} question after",
                    )
                )

    def _rule(self, rule: Rule, loc: Loc) -> None:
        measure = rule.measure()
        key = "share" if rule.share else "mean" if rule.mean else "rank"
        mloc = (*loc, key)
        if isinstance(measure, RankMeasure):
            question = self.find(
                measure.question,
                (*mloc, "question"),
                (RankingQuestion,),
                "rank needs a ranking question",
            )
            if (
                isinstance(question, RankingQuestion)
                and measure.option not in question.option_values()
            ):
                self.problems.append(
                    ((*mloc, "option"), f"'{measure.option}' is not an option of '{question.id}'")
                )
            return
        allowed: tuple[type, ...] = (ScaleQuestion, MatrixQuestion, NumberQuestion)
        if isinstance(measure, ShareMeasure):
            allowed = (*allowed, ChoiceQuestionBase, CountryQuestion, DateQuestion)
        question = self.find(
            measure.question, (*mloc, "question"), allowed, f"{key} does not apply to it"
        )
        if question is None:
            return
        if isinstance(question, MatrixQuestion):
            if measure.row is None:
                self.problems.append(((*mloc,), f"'{question.id}' is a matrix: name a 'row'"))
            elif measure.row not in [r.value for r in question.rows]:
                self.problems.append(
                    ((*mloc, "row"), f"'{measure.row}' is not a row of '{question.id}'")
                )
        elif measure.row is not None:
            self.problems.append(((*mloc, "row"), f"'{question.id}' has no rows"))
        if isinstance(measure, ShareMeasure):
            if isinstance(question, ChoiceQuestionBase):
                if measure.in_ is None:
                    self.problems.append(
                        ((*mloc,), f"'{question.id}' is a choice question: give 'in: [...]'")
                    )
                for i, value in enumerate(measure.in_ or []):
                    if value not in question.option_values():
                        self.problems.append(
                            ((*mloc, "in", i), f"'{value}' is not an option of '{question.id}'")
                        )
            elif measure.in_ is None and measure.at_least is None and measure.at_most is None:
                self.problems.append(
                    ((*mloc,), "give 'at_least' or 'at_most' to say which answers count")
                )


Report.model_rebuild()
