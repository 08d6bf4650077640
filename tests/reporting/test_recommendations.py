"""Recommendations block: exactly the expected rules fire, with the figures that triggered them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Choice, Questionnaire
from survey_app.reporting.blocks import recommendations
from survey_app.reporting.blocks.recommendations import RecommendationsResult

from .seeding import NEEDS, add_responses, context, render_first_block, sample_questionnaires

K = 5
N = 40
STAKEHOLDERS = ["ngo", "ngo", "academia", "private"]
#: Every option of the sample's crime_areas ranking, in questionnaire order.
AREAS = [
    "trafficking",
    "smuggling",
    "cybercrime",
    "corruption",
    "illicit_tobacco",
    "organised_fraud",
    "wildlife",
]
RANKINGS = [
    ("cybercrime", "trafficking", "corruption"),
    ("trafficking", "cybercrime"),
    ("corruption",),
]

RULES: list[dict[str, Any]] = [
    {
        "id": "review_confidence_low",
        "text": "Build a module on the UNTOC review mechanism.",
        "share": {"question": "confidence", "row": "review_mechanism", "at_most": 2},
        "at_least": 0.4,
    },
    {
        "id": "private_sector_many",
        "text": "Add a private-sector track.",
        "share": {"question": "stakeholder_type", "in": ["private"]},
        "at_least": 0.3,
    },
    {
        "id": "review_unfamiliar",
        "text": "Start with an introduction to the review mechanism.",
        "mean": {"question": "familiarity_review"},
        "at_most": 2.5,
    },
    {
        "id": "cybercrime_top_two",
        "text": "Invite a cybercrime expert.",
        "rank": {"question": "crime_areas", "option": "cybercrime"},
        "at_most": 2,
    },
    {
        "id": "corruption_first",
        "text": "Pair NGOs with anti-corruption focal points.",
        "rank": {"question": "crime_areas", "option": "corruption"},
        "at_most": 1,
    },
    {
        "id": "experienced",
        "text": "Offer an advanced track.",
        "share": {"question": "years_experience", "at_least": 10},
        "at_least": 0.5,
    },
    {
        "id": "few_engaged",
        "text": "Pair NGOs with government focal points.",
        "share": {"question": "engaged_before", "in": ["yes"]},
        "at_most": 0.1,
    },
    {
        "id": "advocacy_important",
        "text": "Keep the advocacy session.",
        "mean": {"question": "capacity_importance", "row": "advocacy"},
        "at_least": 4,
        "at_most": 5,
    },
    {
        "id": "untoc_familiar",
        "text": "Skip the UNTOC basics.",
        "share": {"question": "familiarity_untoc", "in": ["4", "5"]},
        "at_least": 0.5,
    },
]


def seeded_answers() -> list[dict[str, AnswerValue]]:
    """40 needs assessments built so every rule's figure is known by construction."""
    out: list[dict[str, AnswerValue]] = []
    for i in range(N):
        answers: dict[str, AnswerValue] = {
            "stakeholder_type": Choice((STAKEHOLDERS[i % 4],)),
            "confidence": {"review_mechanism": 1 if i < 9 else 2 if i < 17 else 3 + i % 3},
            "familiarity_review": 1 + i % 4,
            "familiarity_untoc": 1 + i % 5,
            "crime_areas": RANKINGS[i % 3],
            "engaged_before": Choice(("yes" if i < 3 else "no",)),
            "capacity_importance": {"advocacy": 4 + i % 2},
        }
        if i < 3:
            answers["years_experience"] = 12
        out.append(answers)
    return out


def reference_figures(raw: list[dict[str, Any]]) -> dict[str, float | None]:
    """Every rule's figure computed over the raw answers (None: fewer than k answered)."""
    borda: dict[str, float] = {}
    for a in raw:
        m = len(a["crime_areas"])
        for place, option in enumerate(a["crime_areas"], start=1):
            borda[option] = borda.get(option, 0.0) + (m - place + 1) / (m * (m + 1) / 2)
    scores = [borda.get(o, 0.0) for o in AREAS]
    place = {o: 1 + sum(s > borda.get(o, 0.0) for s in scores) for o in AREAS}
    years = [a["years_experience"] for a in raw if "years_experience" in a]
    return {
        "review_confidence_low": sum(a["confidence"]["review_mechanism"] <= 2 for a in raw) / N,
        "private_sector_many": sum(a["stakeholder_type"].values == ("private",) for a in raw) / N,
        "review_unfamiliar": sum(a["familiarity_review"] for a in raw) / N,
        "cybercrime_top_two": place["cybercrime"],
        "corruption_first": place["corruption"],
        "experienced": None if len(years) < K else sum(y >= 10 for y in years) / len(years),
        "few_engaged": sum(a["engaged_before"].values == ("yes",) for a in raw) / N,
        "advocacy_important": sum(a["capacity_importance"]["advocacy"] for a in raw) / N,
        "untoc_familiar": sum(a["familiarity_untoc"] in (4, 5) for a in raw) / N,
    }


@pytest.fixture
def qs(app: Flask) -> dict[str, Questionnaire]:
    return sample_questionnaires(app)


def compute(session: Session, qs: dict[str, Questionnaire]) -> RecommendationsResult:
    ctx = context(session, qs, [{"type": "recommendations", "rules": RULES}], k=K)
    result = recommendations.compute(ctx, ctx.report.blocks[0])
    assert isinstance(result, RecommendationsResult)
    return result


def test_exactly_the_expected_rules_fire(session: Session, qs: dict[str, Questionnaire]) -> None:
    raw = seeded_answers()
    add_responses(session, qs[NEEDS], raw)
    result = compute(session, qs)
    figures = reference_figures(raw)
    expected_fired = set()
    for rule in RULES:
        figure = figures[rule["id"]]
        low, high = rule.get("at_least"), rule.get("at_most")
        if (
            figure is not None
            and (low is None or figure >= low)
            and (high is None or figure <= high)
        ):
            expected_fired.add(rule["id"])
    fired = {f.rule_id for f in result.fired}
    assert fired == expected_fired
    assert fired == {
        "review_confidence_low",
        "review_unfamiliar",
        "corruption_first",
        "few_engaged",
        "advocacy_important",
    }
    assert {f.rule_id for f in result.not_fired} == {
        "private_sector_many",
        "cybercrime_top_two",
        "untoc_familiar",
    }
    assert {f.rule_id for f in result.not_evaluated} == {"experienced"}
    # Fired rules keep the order of the definition.
    order = [rule["id"] for rule in RULES]
    assert [f.rule_id for f in result.fired] == sorted(fired, key=order.index)


def test_figures_equal_the_plain_python_computation(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    raw = seeded_answers()
    add_responses(session, qs[NEEDS], raw)
    result = compute(session, qs)
    figures = reference_figures(raw)
    for finding in (*result.fired, *result.not_fired, *result.not_evaluated):
        expected = figures[finding.rule_id]
        if expected is None:
            assert finding.figure is None
        else:
            assert finding.figure == pytest.approx(expected), finding.rule_id


def test_two_rules_on_one_ranking_run_its_borda_query_once_per_build(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    borda: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "count(*) AS m" in statement:  # the ranked-options subquery of borda_scores
            borda.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        compute(session, qs)
        once = len(borda)
        compute(session, qs)  # a new build: nothing is kept from the last one
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert once == 2  # the respondents count and the points, for both rank rules
    assert len(borda) == 2 * once


def test_evidence_sentences_state_figure_base_and_threshold(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    result = compute(session, qs)
    findings = {f.rule_id: f for f in (*result.fired, *result.not_fired)}
    assert findings["review_confidence_low"].evidence == (
        "42% of respondents (n = 40) rated “Taking part in the UNTOC review mechanism” at 2 "
        "or below (“How confident are you today in each of these?”) (threshold: at least 40%)."
    )
    assert findings["review_unfamiliar"].evidence == (
        "The mean answer to “How familiar are you with the UNTOC review mechanism?” is 2.5 "
        "(n = 40; threshold: at most 2.5)."
    )
    assert findings["corruption_first"].evidence.startswith(
        "“Corruption” is in place 1 of 7 by Borda score in"
    )
    assert findings["private_sector_many"].evidence == (
        "25% of respondents (n = 40) chose “Private sector” in answer to “Which kind of "
        "organisation do you work for?” (threshold: at least 30%)."
    )


def test_a_figure_from_fewer_than_k_respondents_is_not_printed(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    [engaged] = [f for f in compute(session, qs).fired if f.rule_id == "few_engaged"]
    assert engaged.evidence.startswith("Fewer than 5 of 40 respondents chose “Yes”")
    assert "7.5%" not in engaged.evidence
    assert "8%" not in engaged.evidence


def test_rules_are_not_evaluated_when_fewer_than_k_answered(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers()[:4])
    result = compute(session, qs)
    assert result.fired == result.not_fired == ()
    assert len(result.not_evaluated) == len(RULES)
    assert all(f.figure is None for f in result.not_evaluated)
    assert not result.empty


def test_rendered_block_prints_fired_rules_and_an_appendix_of_the_rest(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    ctx = context(session, qs, [{"type": "recommendations", "rules": RULES}], k=K)
    html = render_first_block(ctx)
    recommendations_part, appendix = html.split("Appendix: rules tested")
    assert "Build a module on the UNTOC review mechanism." in recommendations_part
    assert "Pair NGOs with government focal points." in recommendations_part
    assert "Invite a cybercrime expert." not in recommendations_part
    assert "Invite a cybercrime expert." in appendix
    assert "Offer an advanced track." in appendix
    assert "Not evaluated" in appendix
    assert "42% of respondents (n = 40)" in recommendations_part
