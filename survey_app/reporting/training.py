"""The training a report is filtered to, as plain values for the cover and the scopes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..models import Training


@dataclass(frozen=True)
class ReportTraining:
    """A training's facts for a report; the ORM object itself never reaches a template."""

    id: int
    title: str
    place: str
    starts_on: dt.date
    ends_on: dt.date
    pre_questionnaire_id: str | None
    post_questionnaire_id: str | None
    #: The training's group minimums (k, k_text), frozen when its collection opened.
    min_group_size: int = 5
    min_text_group_size: int = 10
    followup_questionnaire_id: str | None = None
    programme_id: int | None = None

    @property
    def questionnaire_ids(self) -> frozenset[str]:
        """The questionnaires the training's participants answer, in any phase."""
        return frozenset(qid for _, qid in self._phases() if qid)

    def covers(self, questionnaire_ids: Iterable[str]) -> bool:
        """Whether every one of these questionnaires is the training's pre or post one."""
        return set(questionnaire_ids) <= self.questionnaire_ids

    def phase_of(self, questionnaire_id: str) -> str | None:
        """ "pre" or "post" when the questionnaire is answered in exactly one phase, else None.

        Why None when both phases use it: the report then counts the training's responses
        of both phases, as the questionnaire's own blocks cannot tell them apart.
        """
        phases = [phase for phase, qid in self._phases() if qid == questionnaire_id]
        return phases[0] if len(phases) == 1 else None

    def questionnaire_for(self, phase: str) -> str | None:
        """The questionnaire answered in `phase` ("pre", "post" or "followup")."""
        return dict(self._phases()).get(phase)

    def _phases(self) -> tuple[tuple[str, str | None], ...]:
        return (
            ("pre", self.pre_questionnaire_id),
            ("post", self.post_questionnaire_id),
            ("followup", self.followup_questionnaire_id),
        )

    def is_pre_post(self, pre: str, post: str) -> bool:
        """Whether `pre` and `post` are this training's pre and post questionnaires."""
        return pre == self.pre_questionnaire_id and post == self.post_questionnaire_id


def load_report_training(session: Session, training_id: int) -> ReportTraining | None:
    """The training with this id as plain values, or None when there is none."""
    training = session.get(Training, training_id)
    if training is None:
        return None
    return ReportTraining(
        id=training.id,
        title=training.title,
        place=training.place,
        starts_on=training.starts_on,
        ends_on=training.ends_on,
        pre_questionnaire_id=training.pre_questionnaire_id,
        post_questionnaire_id=training.post_questionnaire_id,
        min_group_size=training.min_group_size,
        min_text_group_size=training.min_text_group_size,
        followup_questionnaire_id=training.followup_questionnaire_id,
        programme_id=training.programme_id,
    )
