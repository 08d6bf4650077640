"""What they answer: one draw per question, from the respondent's traits.

Needs correlate as a programme officer would expect: NGOs rate engaging government and the
review mechanism as important and feel least confident there, academia is strongest on
data collection, familiarity follows prior engagement, and after the training confidence
and knowledge-test scores are higher. Questions without a special draw (another
questionnaire, a new question) get plausible answers by type; a special draw that finds
its question changed (another type) falls back to that too.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence

from ..questionnaire import AnswerValue, Choice, Questionnaire
from ..questionnaire.answers import visible_questions
from ..questionnaire.questions import (
    OTHER_VALUE,
    ChoiceQuestionBase,
    CountryQuestion,
    DateQuestion,
    LongTextQuestion,
    MatrixQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    QuestionBase,
    RankingQuestion,
    ScaleQuestion,
    ShortTextQuestion,
    SingleChoiceQuestion,
)
from . import texts
from .population import Respondent, Weighted, clamp, on_scale
from .weights import (
    ANSWER_RATES,
    CHANNELS,
    CONFIDENCE,
    CRIME_AREA_BOOST,
    CRIME_AREA_DEFAULTS,
    CRIME_AREAS,
    DEFAULT_ANSWER_RATE,
    FOLLOW_UP,
    FORMATS,
    GENDER,
    IMPORTANCE,
    PACE_FAMILIAR,
    PACE_NEWCOMER,
    SESSION_LENGTH,
    TEXT_ANSWER_RATE,
    UPLIFT,
    USEFULNESS,
)

Draw = Callable[[Respondent, random.Random], AnswerValue | None]
#: Makes a question's draw, or returns None when the question is not as expected.
Factory = Callable[[QuestionBase], Draw | None]


def _stakeholder(q: QuestionBase) -> Draw | None:
    if not isinstance(q, SingleChoiceQuestion):
        return None
    options, orgs = set(q.option_values()), texts.OTHER_ORGANISATIONS
    fallback = _generic(q)

    def draw(r: Respondent, rng: random.Random) -> AnswerValue | None:
        if r.stakeholder in options:
            return Choice((r.stakeholder,))
        if q.other:
            return Choice((OTHER_VALUE,), orgs[rng.randrange(len(orgs))])
        return fallback(r, rng)

    return draw


def _years(q: QuestionBase) -> Draw | None:
    if not isinstance(q, NumberQuestion):
        return None
    low, high = q.min if q.min is not None else 0, q.max if q.max is not None else 60
    return lambda r, rng: int(clamp(r.years, low, high))


def _familiarity(shift: float) -> Factory:
    def factory(q: QuestionBase) -> Draw | None:
        if not isinstance(q, ScaleQuestion):
            return None
        return lambda r, rng: on_scale(r.familiarity + shift + rng.gauss(0, 0.5), q.scale)

    return factory


def _engaged(q: QuestionBase) -> Draw | None:
    if not isinstance(q, SingleChoiceQuestion):
        return None
    options, fallback = set(q.option_values()), _generic(q)
    return lambda r, rng: Choice((r.engaged,)) if r.engaged in options else fallback(r, rng)


def _single(weights: Callable[[Respondent], Mapping[str, float]]) -> Factory:
    def factory(q: QuestionBase) -> Draw | None:
        if not isinstance(q, SingleChoiceQuestion):
            return None
        # Keyed by identity: `weights` returns one of a few constant tables.
        cache: dict[int, Weighted] = {}

        def draw(r: Respondent, rng: random.Random) -> AnswerValue | None:
            table = weights(r)
            key = id(table)
            if key not in cache:
                cache[key] = Weighted(table, [o.value for o in q.options])
            return Choice((cache[key].pick(rng),))

        return draw

    return factory


def _multi(probabilities: Mapping[str, float], exclusive: str | None = None) -> Factory:
    def factory(q: QuestionBase) -> Draw | None:
        if not isinstance(q, MultiChoiceQuestion):
            return None
        return _multi_draw(q, probabilities, exclusive)

    return factory


def _multi_draw(
    q: MultiChoiceQuestion, probabilities: Mapping[str, float], exclusive: str | None = None
) -> Draw:
    values = q.option_values()
    low, high = q.min or 1, q.max or len(values)
    others = texts.OTHER_CHOICES.get(q.id, ("Something else",))

    def draw(r: Respondent, rng: random.Random) -> AnswerValue | None:
        picked = [v for v in values if rng.random() < probabilities.get(v, 0.3)]
        if exclusive in picked and len(picked) > 1:
            picked.remove(exclusive)
        if len(picked) < low:
            rest = [v for v in values if v not in picked and v != exclusive]
            picked += rng.sample(rest, min(low - len(picked), len(rest)))
        if len(picked) > high:
            picked = rng.sample(picked, high)
        picked.sort(key=values.index)
        other = others[rng.randrange(len(others))] if OTHER_VALUE in picked else None
        return Choice(tuple(picked), other)

    return draw


def _knowledge(q: ChoiceQuestionBase) -> Draw:
    """Knowledge-test answers: right with the respondent's `knows` chance."""
    correct = list(q.correct or ())
    wrong = [o.value for o in q.options if o.value not in correct]
    if isinstance(q, MultiChoiceQuestion):
        guess = dict.fromkeys(wrong, 0.0) | dict.fromkeys(correct, 1.0)
        values = [o.value for o in q.options]
        low, high = q.min or 1, q.max or len(values)

        def draw_multi(r: Respondent, rng: random.Random) -> AnswerValue | None:
            # Knowing means ticking the right ones and leaving the distractors alone.
            picked = [
                v for v in values if rng.random() < (r.knows if guess[v] else (1 - r.knows) / 2)
            ]
            if len(picked) < low:
                picked += rng.sample([v for v in values if v not in picked], low - len(picked))
            if len(picked) > high:
                picked = rng.sample(picked, high)
            picked.sort(key=values.index)
            return Choice(tuple(picked))

        return draw_multi

    def draw(r: Respondent, rng: random.Random) -> AnswerValue | None:
        pool = correct if rng.random() < r.knows or not wrong else wrong
        return Choice((pool[rng.randrange(len(pool))],))

    return draw


def _crime_areas(q: QuestionBase) -> Draw | None:
    if not isinstance(q, RankingQuestion):
        return None
    values = q.option_values()
    weights = {s: CRIME_AREA_DEFAULTS | table for s, table in CRIME_AREAS.items()}

    def draw(r: Respondent, rng: random.Random) -> AnswerValue | None:
        table, boost = weights.get(r.stakeholder, {}), CRIME_AREA_BOOST.get(r.country, {})
        return _weighted_order(
            rng, values, [table.get(v, 1.0) * boost.get(v, 1.0) for v in values], q.top
        )

    return draw


def _weighted_order(
    rng: random.Random, values: Sequence[str], weights: Sequence[float], top: int
) -> tuple[str, ...]:
    """`top` values without repeats, heavier ones earlier (Efraimidis-Spirakis keys)."""
    keys = sorted(
        ((rng.random() ** (1 / w), v) for v, w in zip(values, weights, strict=True)),
        reverse=True,
    )
    return tuple(v for _, v in keys[:top])


def _matrix(means: Callable[[Respondent], Mapping[str, float]], noise: float = 0.7) -> Factory:
    def factory(q: QuestionBase) -> Draw | None:
        if not isinstance(q, MatrixQuestion):
            return None
        rows, scale = [row.value for row in q.rows], q.scale

        def draw(r: Respondent, rng: random.Random) -> AnswerValue | None:
            m = means(r)
            return {row: on_scale(m.get(row, 3.0) + rng.gauss(0, noise), scale) for row in rows}

        return draw

    return factory


def _importance(r: Respondent) -> dict[str, float]:
    return {k: v + 0.5 * r.style for k, v in IMPORTANCE[r.stakeholder].items()}


def _confidence(r: Respondent) -> dict[str, float]:
    lift = r.style + 0.3 * (r.familiarity - 3)
    engaged = 0.4 if r.engaged == "yes" else 0.0
    out = {k: v + lift for k, v in CONFIDENCE[r.stakeholder].items()}
    out["engaging_government"] += engaged
    out["review_mechanism"] += engaged
    if r.trained:
        for k, v in UPLIFT.items():
            out[k] += v
    return out


def _usefulness(r: Respondent) -> dict[str, float]:
    out = {k: v + r.style for k, v in USEFULNESS.items()}
    if r.stakeholder == "ngo":
        out["review_mechanism"] += 0.3
        out["engagement_strategies"] += 0.3
    elif r.stakeholder == "private":
        out["review_mechanism"] -= 0.5
    return out


def _satisfaction(q: QuestionBase) -> Draw | None:
    if not isinstance(q, ScaleQuestion):
        return None
    return lambda r, rng: on_scale(4.0 + r.style + rng.gauss(0, 0.8), q.scale)


def _first_step(q: QuestionBase) -> Draw | None:
    if not isinstance(q, DateQuestion):
        return None

    def draw(r: Respondent, rng: random.Random) -> AnswerValue | None:
        day = r.submitted_at.date() + dt.timedelta(days=int(rng.triangular(3, 120, 21)))
        return _clamp_date(day, q)

    return draw


def _clamp_date(day: dt.date, q: DateQuestion) -> dt.date:
    if q.min and day < q.min:
        return q.min
    if q.max and day > q.max:
        return q.max
    return day


def _text(pool: Sequence[str], specials: Sequence[str] = ()) -> Factory:
    def factory(q: QuestionBase) -> Draw | None:
        if not isinstance(q, LongTextQuestion | ShortTextQuestion):
            return None
        queue = iter(specials)

        def draw(r: Respondent, rng: random.Random) -> AnswerValue | None:
            text = next(queue, None)
            local = texts.COMMENTS_BY_COUNTRY.get(r.country)
            if text is None:
                if local and rng.random() < 0.5:
                    text = local[rng.randrange(len(local))]
                else:
                    text = pool[rng.randrange(len(pool))]
            return text[: q.max_length].strip() or None

        return draw

    return factory


#: Question id -> factory of its realistic draw (None when the question is not as expected).
SPECIAL: dict[str, Factory] = {
    "stakeholder_type": _stakeholder,
    "years_experience": _years,
    "gender": _single(lambda r: GENDER),
    "familiarity_untoc": _familiarity(0.0),
    "familiarity_review": _familiarity(-0.8),
    "engaged_before": _engaged,
    "engagement_channels": _multi(CHANNELS),
    "crime_areas": _crime_areas,
    "capacity_importance": _matrix(_importance),
    "confidence": _matrix(_confidence),
    "preferred_formats": _multi(FORMATS),
    "session_length": _single(lambda r: SESSION_LENGTH),
    "comments": _text(texts.COMMENTS_EN, texts.SPECIAL_COMMENTS),
    "overall_satisfaction": _satisfaction,
    "session_usefulness": _matrix(_usefulness, noise=0.6),
    "pace": _single(lambda r: PACE_NEWCOMER if r.familiarity < 2.5 else PACE_FAMILIAR),
    "improvements": _text(texts.COMMENTS_IMPROVE),
    "follow_up_actions": _multi(FOLLOW_UP, exclusive="nothing_planned"),
    "first_action_date": _first_step,
}


def _generic(q: QuestionBase) -> Draw:
    """Plausible answers for a question this module knows nothing special about."""
    if isinstance(q, MultiChoiceQuestion):
        return _multi_draw(q, {OTHER_VALUE: 0.03})
    if isinstance(q, SingleChoiceQuestion):
        weights = dict.fromkeys((o.value for o in q.options), 1.0)
        return _single(lambda r: weights)(q) or _never
    if isinstance(q, ScaleQuestion):
        return lambda r, rng: on_scale(3.2 + r.style + rng.gauss(0, 1.0), q.scale)
    if isinstance(q, MatrixQuestion):
        return _matrix(lambda r: {}, noise=1.0)(q) or _never
    if isinstance(q, RankingQuestion):
        values, ones = q.option_values(), [1.0] * len(q.options)
        return lambda r, rng: _weighted_order(rng, values, ones, q.top)
    if isinstance(q, NumberQuestion):
        return _number(q)
    if isinstance(q, LongTextQuestion | ShortTextQuestion):
        return _text(texts.COMMENTS_EN)(q) or _never
    if isinstance(q, DateQuestion):
        return lambda r, rng: _clamp_date(
            r.submitted_at.date() + dt.timedelta(days=rng.randrange(-60, 61)), q
        )
    if isinstance(q, CountryQuestion):
        return lambda r, rng: r.country
    return _never


def _number(q: NumberQuestion) -> Draw:
    low = q.min if q.min is not None else 0.0
    high = q.max if q.max is not None else low + 100

    def draw(r: Respondent, rng: random.Random) -> AnswerValue | None:
        value = rng.triangular(low, high, low + (high - low) / 4)
        return int(clamp(round(value), low, high)) if q.integer else round(value, 2)

    return draw


def _never(r: Respondent, rng: random.Random) -> AnswerValue | None:
    return None


def _sometimes(draw: Draw, rate: float) -> Draw:
    return lambda r, rng: draw(r, rng) if rng.random() < rate else None


class Plan:
    """How to answer one questionnaire; stateful (special comments go first), so one per run."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.types = {q.id: str(getattr(q, "type", "")) for q in questionnaire.questions()}
        self.draws: list[tuple[str, Draw]] = []
        repeated = questionnaire.repeated_ids()
        for q in questionnaire.questions():
            if q.id in repeated:
                continue  # demo respondents give no items: reports never show repeats
            if isinstance(q, ChoiceQuestionBase) and q.correct:
                draw = _knowledge(q)
            else:
                special = SPECIAL.get(q.id)
                draw = (special(q) if special else None) or _generic(q)
            if not q.required:
                is_text = isinstance(q, LongTextQuestion | ShortTextQuestion)
                default = TEXT_ANSWER_RATE if is_text else DEFAULT_ANSWER_RATE
                draw = _sometimes(draw, ANSWER_RATES.get(q.id, default))
            self.draws.append((q.id, draw))

    def answers(self, respondent: Respondent, rng: random.Random) -> dict[str, AnswerValue]:
        """One respondent's answers to the questions they are shown."""
        drawn: dict[str, AnswerValue] = {}
        for question_id, draw in self.draws:
            value = draw(respondent, rng)
            if value is not None:
                drawn[question_id] = value
        shown = visible_questions(self.questionnaire, drawn)
        return {qid: value for qid, value in drawn.items() if qid in shown}
