"""What every block computation receives: the session, the report and its questionnaires."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from ..questionnaire.questions import CountryQuestion, QuestionBase, SingleChoiceQuestion
from ..questionnaire.schema import Questionnaire
from .derived import call_key, from_counts
from .disclosure import Disclosure, Hidden, Population
from .minimums import report_minimums
from .schema import GapBlock, OverviewBlock, PrePostBlock, QuestionBlock, Report
from .scope import Scope, version_ranges
from .shared import SharedResults
from .sql import count_respondents
from .training import ReportTraining

P = ParamSpec("P")
#: The stakeholder question an overview uses when it names none.
DEFAULT_STAKEHOLDER = "stakeholder_type"
T = TypeVar("T")


class Stopped(Exception):
    """A stopped pass asked for a result nobody has computed yet."""


@dataclass(frozen=True)
class ReportContext:
    """Inputs shared by the blocks of one report build."""

    session: Session
    report: Report
    questionnaires: Mapping[str, Questionnaire]
    #: The training the report is filtered to: only responses collected through it count.
    training: ReportTraining | None = None
    #: What may be printed, and what has been: one per build.
    disclosure: Disclosure = field(init=False)
    #: Phases whose figures count only the paired respondents (see `__post_init__`).
    paired_only: frozenset[str] = field(init=False)
    #: Results of `aggregate`, for this build only (shared with a look-ahead pass, see
    #: lookahead.py, whose context reads the same snapshot).
    results: SharedResults = field(default_factory=SharedResults, repr=False, compare=False)
    #: Set when this context's pass should ask for nothing more (a look-ahead pass's).
    stop: threading.Event | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        minimums = report_minimums(self.session, self.report, self.training)
        disclosure = Disclosure(
            minimums.k,
            minimums.k_text,
            dimensions=self._dimensions(),
            k_source=minimums.source,
        )
        object.__setattr__(self, "disclosure", disclosure)
        object.__setattr__(self, "paired_only", self._plan_phases())

    @property
    def k(self) -> int:
        """The minimum group size (the report's, or its trainings' when larger)."""
        return self.disclosure.k

    @property
    def questionnaire(self) -> Questionnaire:
        """The report's main questionnaire."""
        return self.questionnaires[self.report.questionnaire]

    def scope(self, questionnaire_id: str | None = None, phase: str | None = None) -> Scope:
        """Responses counted for the main (or the named) questionnaire, filters applied.

        With a training, only its responses count, and only those of `phase` (by default
        the phase the questionnaire is answered in; both when it is used in both).
        """
        qid = questionnaire_id or self.report.questionnaire
        training = self.training
        chosen = (phase or training.phase_of(qid)) if training else None
        return Scope(
            qid,
            self.report.filter.submitted_from,
            self.report.filter.submitted_to,
            training_id=training.id if training else None,
            phase=chosen,
            paired=chosen in self.paired_only,
        )

    def population(self, scope: Scope, label: str | None = None) -> Population | Hidden:
        """Everyone a scope counts, as a population (shown only when k or more)."""
        size = self.aggregate(count_respondents, scope)
        name = label or self.scope_label(scope)
        # Respondents of some versions only are within everyone in scope: the two must not
        # differ by 1 to k-1 people (see `Disclosure.population`).
        within = self.population(replace(scope, versions=None)) if scope.versions else None
        return self.disclosure.population(scope.population(), name, size, within=within)

    def scope_label(self, scope: Scope) -> str:
        """How a scope's respondents are named in tables and on the disclosure page."""
        if scope.versions is not None:
            plain = self.scope_label(replace(scope, versions=None))
            return f"{plain} (versions {version_ranges(scope.versions)})"
        if scope.paired:
            return f"Paired {scope.phase}-training respondents"
        if scope.phase:
            return f"All {scope.phase}-training respondents"
        return "All respondents"

    def stakeholder_question(self, block: OverviewBlock) -> QuestionBase | None:
        """The overview's stakeholder question: named, or `stakeholder_type` if there is one."""
        if block.stakeholder is not None:
            return self.question(block.stakeholder)
        found = self.questionnaire.question(DEFAULT_STAKEHOLDER)
        repeated = self.questionnaire.repeated_ids()
        usable = isinstance(found, SingleChoiceQuestion) and found.id not in repeated
        return found if usable else None

    def country_question(self, block: OverviewBlock) -> QuestionBase | None:
        """The overview's country question: named, or the questionnaire's first one."""
        if block.country is not None:
            return self.question(block.country)
        questions = self.questionnaire.questions()
        repeated = self.questionnaire.repeated_ids()
        return next(
            (q for q in questions if isinstance(q, CountryQuestion) and q.id not in repeated),
            None,
        )

    def _breakdowns(self) -> dict[str, str]:
        """Question -> the `by` its first broken-down question block uses."""
        out: dict[str, str] = {}
        for block in self.report.blocks:
            if isinstance(block, QuestionBlock) and block.by is not None:
                out.setdefault(block.question, block.by)
        return out

    def _gaps(self) -> dict[str, str]:
        """Importance matrix -> the capacity matrix its first gap block pairs it with."""
        out: dict[str, str] = {}
        for block in self.report.blocks:
            if isinstance(block, GapBlock):
                out.setdefault(block.importance, block.capacity)
        return out

    def _dimensions(self) -> frozenset[str]:
        """Questions whose answers define groups anywhere in the report."""
        found: set[str] = set()
        for block in self.report.blocks:
            by = getattr(block, "by", None)
            if by:
                found.add(by)
            if isinstance(block, OverviewBlock):
                for question in (self.stakeholder_question(block), self.country_question(block)):
                    if question is not None:
                        found.add(question.id)
        return frozenset(found)

    def _plan_phases(self) -> frozenset[str]:
        """The phases whose figures describe only the paired respondents.

        Why: a report with a paired comparison prints figures of the paired set; if it
        also printed those of everyone in that phase and the two differed by 1 to k-1
        people, subtracting one from the other would give those people's answers. Then
        every figure of that phase describes the paired set, and the disclosure page says so.
        """
        training = self.training
        if training is None or not any(isinstance(b, PrePostBlock) for b in self.report.blocks):
            return frozenset()
        out: set[str] = set()
        for phase in ("pre", "post"):
            qid = training.questionnaire_for(phase)
            if qid is None:
                continue
            dates = (self.report.filter.submitted_from, self.report.filter.submitted_to)
            whole = Scope(qid, *dates, training_id=training.id, phase=phase)
            everyone = self.aggregate(count_respondents, whole)
            paired = self.aggregate(count_respondents, replace(whole, paired=True))
            # Fewer than k pairs print no paired figure: nothing to subtract from.
            if paired >= self.k and 0 < everyone - paired < self.k:
                out.add(phase)
                self.disclosure.hide_note(
                    f"{everyone - paired} {phase}-training responses that could not be paired "
                    f"are left out of every figure: fewer than {self.k} people, whose answers "
                    "would otherwise be the difference between all and the paired figures."
                )
        return frozenset(out)

    def aggregate(
        self, query: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`query(session, *args, **kwargs)`, run once per build for the same arguments.

        Why: blocks ask for the same figures (two rules on one ranking, a rule on a share
        a question block also printed), and one build reads one state of the data. The
        arguments must be plain values (strings, numbers, scopes); callers must not change
        the result, which they may share.
        """
        key = call_key(query, args, kwargs)

        def compute() -> T:
            if self.stop is not None and self.stop.is_set():
                raise Stopped
            found = from_counts(
                self.aggregate,
                self.questionnaires,
                query,
                args,
                kwargs,
                self._breakdowns(),
                self._gaps(),
            )
            return query(self.session, *args, **kwargs) if found is None else found

        return self.results.get(key, compute)

    def question(self, question_id: str, questionnaire_id: str | None = None) -> QuestionBase:
        """A question the report schema has already checked exists."""
        questionnaire = self.questionnaires[questionnaire_id or self.report.questionnaire]
        question = questionnaire.question(question_id)
        if question is None:  # pragma: no cover - ruled out at load time
            raise KeyError(question_id)
        return question
