"""The numbers behind the demo answers: how important, how confident, how likely.

Means are on a 1-5 scale before each respondent's style and noise are added; weights are
relative; probabilities are per option of a multi-choice question.
"""

from __future__ import annotations

from ..questionnaire.questions import OTHER_VALUE

SKILLS = (
    "engaging_government",
    "review_mechanism",
    "advocacy",
    "data_collection",
    "victim_support",
    "digital_literacy",
)


def _by_skill(*values: float) -> dict[str, float]:
    return dict(zip(SKILLS, values, strict=True))


IMPORTANCE = {
    "ngo": _by_skill(4.5, 4.4, 4.2, 3.5, 4.0, 3.3),
    "academia": _by_skill(3.6, 3.8, 3.4, 4.5, 3.0, 3.5),
    "private": _by_skill(3.8, 3.0, 3.0, 3.5, 2.6, 4.4),
    "other": _by_skill(4.0, 3.8, 4.0, 3.5, 3.6, 3.5),
}
CONFIDENCE = {
    "ngo": _by_skill(2.1, 1.7, 3.2, 2.7, 3.3, 2.6),
    "academia": _by_skill(2.6, 2.3, 2.8, 3.9, 2.4, 3.0),
    "private": _by_skill(3.0, 1.9, 2.6, 3.1, 2.0, 3.8),
    "other": _by_skill(2.6, 2.2, 3.0, 2.8, 2.8, 2.8),
}
#: What the training adds to confidence, per skill.
UPLIFT = _by_skill(1.0, 1.4, 0.6, 0.3, 0.2, 0.2)
USEFULNESS = {
    "untoc_basics": 4.0,
    "review_mechanism": 4.2,
    "engagement_strategies": 4.2,
    "case_studies": 4.4,
    "action_planning": 3.6,
}
CRIME_AREAS = {
    "ngo": {"trafficking": 9, "smuggling": 4, "cybercrime": 5, "corruption": 4},
    "academia": {"trafficking": 6, "smuggling": 4, "cybercrime": 5, "corruption": 6},
    "private": {"trafficking": 3, "smuggling": 2, "cybercrime": 8, "corruption": 5},
    "other": {"trafficking": 6, "smuggling": 4, "cybercrime": 4, "corruption": 5},
}
CRIME_AREA_DEFAULTS = {"illicit_tobacco": 1, "organised_fraud": 3, "wildlife": 2}
#: Where a crime area weighs more than elsewhere.
CRIME_AREA_BOOST = {
    "KH": {"organised_fraud": 3.0, "cybercrime": 2.0},
    "MM": {"organised_fraud": 2.5, "trafficking": 1.5},
    "LA": {"wildlife": 3.0, "organised_fraud": 2.0},
    "VN": {"wildlife": 2.5},
    "ID": {"wildlife": 2.0, "corruption": 1.5},
    "PH": {"cybercrime": 1.8},
    "SG": {"organised_fraud": 2.0, "cybercrime": 1.5},
    "BD": {"trafficking": 1.5, "smuggling": 1.5},
    "NP": {"trafficking": 1.8},
    "MY": {"smuggling": 2.0},
    "PK": {"smuggling": 1.8, "corruption": 1.5},
}
CHANNELS = {
    "national_consultation": 0.55,
    "written_submission": 0.45,
    "country_dialogue": 0.25,
    "shadow_report": 0.2,
    OTHER_VALUE: 0.05,
}
FORMATS = {
    "in_person_workshop": 0.55,
    "online_live": 0.45,
    "self_paced": 0.35,
    "peer_exchange": 0.5,
    "mentoring": 0.3,
    "study_visit": 0.2,
    OTHER_VALUE: 0.03,
}
FOLLOW_UP = {
    "contact_focal_point": 0.5,
    "written_submission": 0.3,
    "share_colleagues": 0.75,
    "join_network": 0.45,
    "nothing_planned": 0.05,
    OTHER_VALUE: 0.03,
}
GENDER = {"woman": 52, "man": 42, "other": 2, "undisclosed": 4}
SESSION_LENGTH = {"short": 35, "medium": 45, "long": 20}
PACE_NEWCOMER = {"too_slow": 5, "about_right": 55, "too_fast": 40}
PACE_FAMILIAR = {"too_slow": 13, "about_right": 72, "too_fast": 15}
#: Chance that an optional question is answered, when not the default for its type.
ANSWER_RATES = {
    "gender": 0.85,
    "years_experience": 0.93,
    "comments": 0.2,
    "improvements": 0.6,
    "first_action_date": 0.7,
}
TEXT_ANSWER_RATE = 0.25
DEFAULT_ANSWER_RATE = 0.92
