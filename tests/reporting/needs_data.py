"""Plain-Python reference helpers and a 6-person training for the needs-assessment block tests.

Nothing here calls the reporting code: the tests compare its printed figures with these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Choice, Questionnaire
from survey_app.reporting.training import ReportTraining, load_report_training
from survey_app.trainings import TrainingFields, create_training

from .seeding import NEEDS, POST, START, add_response

ROWS = [
    "engaging_government",
    "review_mechanism",
    "advocacy",
    "data_collection",
    "victim_support",
    "digital_literacy",
]
AREAS = [
    "trafficking",
    "smuggling",
    "cybercrime",
    "corruption",
    "illicit_tobacco",
    "organised_fraud",
    "wildlife",
]


def half_up(value: float, digits: int) -> float:
    """Round as printed: half up, from the shortest decimal form of the float."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def ranks(scores: Sequence[Any]) -> list[int]:
    """Competition ranks, high to low (1, 2, 2, 4)."""
    return [1 + sum(1 for other in scores if other > score) for score in scores]


def median(values: Sequence[float]) -> float:
    """The median, the mean of the middle two for an even count."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def borda(rankings: Sequence[Sequence[str]], top: int = 3) -> dict[str, float]:
    """Borda score per option: top + 1 − place points, summed, per respondent who ranked."""
    points = dict.fromkeys(AREAS, 0.0)
    for ranking in rankings:
        for place, option in enumerate(ranking, start=1):
            points[option] += top + 1 - place
    return {option: total / len(rankings) for option, total in points.items()}


#: Six needs assessments in which everyone answers every question the blocks use.
KINDS = ["ngo", "ngo", "academia", "ngo", "private", "academia"]
FAMILIARITY = [2, 3, 1, 4, 2, 3]
ENGAGED = ["no", "no", "unsure", "yes", "no", "yes"]
RANKINGS = [
    ("trafficking", "cybercrime", "corruption"),
    ("cybercrime", "trafficking", "smuggling"),
    ("trafficking", "smuggling", "wildlife"),
    ("corruption", "trafficking", "cybercrime"),
    ("trafficking", "corruption", "cybercrime"),
    ("smuggling", "trafficking", "organised_fraud"),
]
IMPORTANCE = [(5, 5, 4, 4, 3, 2), (4, 5, 4, 5, 3, 3), (4, 4, 5, 4, 2, 3)]
IMPORTANCE += [(5, 5, 3, 3, 4, 2), (3, 4, 4, 5, 3, 4), (5, 4, 4, 4, 4, 3)]
CONFIDENCE = [(2, 1, 3, 2, 3, 2), (3, 2, 3, 1, 4, 3), (2, 2, 4, 2, 2, 4)]
CONFIDENCE += [(4, 1, 2, 3, 3, 2), (3, 2, 3, 2, 2, 3), (2, 3, 3, 3, 3, 3)]
SIX: list[dict[str, AnswerValue]] = [
    {
        "stakeholder_type": Choice((KINDS[i],)),
        "familiarity_untoc": FAMILIARITY[i],
        "engaged_before": Choice((ENGAGED[i],)),
        "crime_areas": RANKINGS[i],
        "capacity_importance": dict(zip(ROWS, IMPORTANCE[i], strict=True)),
        "confidence": dict(zip(ROWS, CONFIDENCE[i], strict=True)),
    }
    for i in range(6)
]


def six_person_training(session: Session, qs: dict[str, Questionnaire]) -> ReportTraining:
    """A training with 6 pre (the answers in SIX) and 6 post responses, all paired by code."""
    fields = TrainingFields(
        title="Small workshop",
        place="Vienna, Austria",
        starts_on=dt.date(2027, 3, 1),
        ends_on=dt.date(2027, 3, 2),
        organiser="UNODC",
        pre_questionnaire_id=NEEDS,
        post_questionnaire_id=POST,
    )
    training = create_training(session, fields)
    for i, answers in enumerate(SIX):
        code = f"{i:064x}"
        add_response(
            session,
            qs[NEEDS],
            answers,
            START + dt.timedelta(minutes=i),
            training_id=training.id,
            phase="pre",
            code_hash=code,
        )
        add_response(
            session,
            qs[POST],
            {},
            START + dt.timedelta(days=2, minutes=i),
            training_id=training.id,
            phase="post",
            code_hash=code,
        )
    session.flush()
    found = load_report_training(session, training.id)
    assert found is not None
    return found
