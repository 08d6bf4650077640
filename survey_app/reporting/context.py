"""What every block computation receives: the session, the report and its questionnaires."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from ..questionnaire.schema import QuestionBase, Questionnaire
from .schema import Report
from .scope import Scope
from .training import ReportTraining

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class ReportContext:
    """Inputs shared by the blocks of one report build."""

    session: Session
    report: Report
    questionnaires: Mapping[str, Questionnaire]
    #: The training the report is filtered to: only responses collected through it count.
    training: ReportTraining | None = None
    #: Results of `aggregate`, for this build only: a context lives for one build.
    _results: dict[Hashable, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def k(self) -> int:
        """The minimum cell size."""
        return self.report.k

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
        return Scope(
            qid,
            self.report.filter.submitted_from,
            self.report.filter.submitted_to,
            training_id=training.id if training else None,
            phase=(phase or training.phase_of(qid)) if training else None,
        )

    def aggregate(
        self, query: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`query(session, *args, **kwargs)`, run once per build for the same arguments.

        Why: blocks ask for the same figures (two rules on one ranking, a rule on a share
        a question block also printed), and one build reads one state of the data. The
        arguments must be plain values (strings, numbers, scopes); callers must not change
        the result, which they may share.
        """
        key = (query, args, tuple(sorted(kwargs.items())))
        if key not in self._results:
            self._results[key] = query(self.session, *args, **kwargs)
        result: T = self._results[key]
        return result

    def question(self, question_id: str, questionnaire_id: str | None = None) -> QuestionBase:
        """A question the report schema has already checked exists."""
        questionnaire = self.questionnaires[questionnaire_id or self.report.questionnaire]
        question = questionnaire.question(question_id)
        if question is None:  # pragma: no cover - ruled out at load time
            raise KeyError(question_id)
        return question
