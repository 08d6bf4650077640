"""Recommendations block: exactly the expected rules fire, with the figures that triggered them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Choice, Questionnaire
from survey_app.reporting.blocks import priorities, recommendations
from survey_app.reporting.blocks.priorities import PrioritiesResult
from survey_app.reporting.blocks.recommendations import RecommendationsResult

from .needs_data import borda, half_up, ranks
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
    """Every rule's figure as printed, from the raw answers (None: fewer than k answered).

    Shares are whole percentages (as fractions), means have one decimal, places follow
    the Borda scores printed with two decimals.
    """
    scores = borda([a["crime_areas"] for a in raw])
    printed = [half_up(scores[o], 2) for o in AREAS]
    place = dict(zip(AREAS, ranks(printed), strict=True))
    years = [a["years_experience"] for a in raw if "years_experience" in a]

    def share(count: int, base: int = N) -> float:
        return half_up(100 * count / base, 0) / 100

    def mean(values: list[int]) -> float:
        return half_up(sum(values) / len(values), 1)

    low = sum(a["confidence"]["review_mechanism"] <= 2 for a in raw)
    private = sum(a["stakeholder_type"].values == ("private",) for a in raw)
    engaged = sum(a["engaged_before"].values == ("yes",) for a in raw)
    return {
        "review_confidence_low": share(low),
        "private_sector_many": share(private),
        "review_unfamiliar": mean([a["familiarity_review"] for a in raw]),
        "cybercrime_top_two": place["cybercrime"],
        "corruption_first": place["corruption"],
        "experienced": None if len(years) < K else share(sum(y >= 10 for y in years), len(years)),
        "few_engaged": share(engaged),
        "advocacy_important": mean([a["capacity_importance"]["advocacy"] for a in raw]),
        "untoc_familiar": share(sum(a["familiarity_untoc"] in (4, 5) for a in raw)),
    }


@pytest.fixture
def qs(app: Flask) -> dict[str, Questionnaire]:
    return sample_questionnaires(app)


def compute(
    session: Session, qs: dict[str, Questionnaire], rules: list[dict[str, Any]] = RULES
) -> RecommendationsResult:
    ctx = context(session, qs, [{"type": "recommendations", "rules": rules}], k=K)
    result = recommendations.compute(ctx, ctx.report.blocks[0])
    assert isinstance(result, RecommendationsResult)
    return result


def test_exactly_the_expected_rules_fire_on_the_printed_figures(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
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
        "cybercrime_top_two",
        "few_engaged",
        "advocacy_important",
    }
    assert {f.rule_id for f in result.not_fired} == {
        "private_sector_many",
        "corruption_first",
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
        assert finding.figure == figures[finding.rule_id], finding.rule_id


def test_two_rules_on_one_ranking_run_its_queries_once_per_build(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    ranking: list[tuple[str, str]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        values = parameters.values() if isinstance(parameters, dict) else parameters
        if "crime_areas" in values:  # the ranking both rules are on
            ranking.append((statement, repr(parameters)))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        compute(session, qs)
        once = list(ranking)
        compute(session, qs)  # a new build: nothing is kept from the last one
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert once, "the rules read the ranking"
    assert len(set(once)) == len(once)  # no query on it twice in one build
    assert ranking == 2 * once


def test_evidence_sentences_quote_the_printed_figure_base_and_threshold(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    result = compute(session, qs)
    findings = {f.rule_id: f for f in (*result.fired, *result.not_fired)}
    # 17 of 40 is 42.5%: printed half up as 43%, and tested as printed.
    assert findings["review_confidence_low"].evidence == (
        "43% of 40 respondents rated “Taking part in the UNTOC review mechanism” at 2 "
        "or below (“How confident are you today in each of these?”) (threshold: at least 40%)."
    )
    assert findings["review_unfamiliar"].evidence == (
        "The mean answer to “How familiar are you with the UNTOC review mechanism?” is 2.5 "
        "(n = 40; threshold: at most 2.5)."
    )
    assert findings["cybercrime_top_two"].evidence.startswith(
        "“Cybercrime” is in place 1 of 7 by Borda score (1.70) in"
    )
    assert findings["private_sector_many"].evidence == (
        "25% of 40 respondents chose “Private sector” in answer to “Which kind of "
        "organisation do you work for?” (threshold: at least 30%)."
    )


def test_no_sentence_reveals_a_count_through_a_threshold(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    result = compute(session, qs)
    [engaged] = [f for f in result.fired if f.rule_id == "few_engaged"]
    # 3 of 40: the population of those who answered (40) shows, so its share shows too.
    assert engaged.evidence.startswith("8% of 40 respondents chose “Yes”")
    every = [f.evidence for f in (*result.fired, *result.not_fired, *result.not_evaluated)]
    assert not any("Fewer than" in e or "All but" in e for e in every)


def test_a_rule_that_holds_at_its_threshold_prints_the_share_itself(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    answers: list[dict[str, AnswerValue]] = [
        {"confidence": {"review_mechanism": 1 if i < 4 else 4}} for i in range(10)
    ]
    add_responses(session, qs[NEEDS], answers)
    [finding] = compute(session, qs, RULES[:1]).fired
    assert finding.evidence.startswith("40% of 10 respondents rated")
    assert "fewer than" not in finding.evidence.lower()


def test_rules_are_not_evaluated_when_fewer_than_k_answered(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers()[:4])
    result = compute(session, qs)
    assert result.fired == result.not_fired == ()
    assert len(result.not_evaluated) == len(RULES)
    assert all(f.figure is None and f.n is None for f in result.not_evaluated)
    assert not result.empty
    assert result.summary.startswith("No rule could be evaluated")
    html = render_first_block(context(session, qs, [{"type": "recommendations", "rules": RULES}]))
    assert "None of the rules" not in html
    assert "No rule could be evaluated" in html
    # Nothing about the 4 respondents is printed: no share, mean, place or n.
    assert not re.search(r"\d+(\.\d+)?%? of \d+ respondents|n = \d", html)


def test_does_not_hold_is_told_apart_from_not_evaluated(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    rules = [r for r in RULES if r["id"] in ("private_sector_many", "experienced")]
    result = compute(session, qs, rules)
    assert [f.rule_id for f in result.not_fired] == ["private_sector_many"]
    assert [f.rule_id for f in result.not_evaluated] == ["experienced"]
    assert result.summary.startswith("None of the rules that could be evaluated holds")
    html = render_first_block(context(session, qs, [{"type": "recommendations", "rules": rules}]))
    assert "Does not hold." in html
    assert "Not evaluated (too few responses)." in html


def test_every_quoted_figure_is_a_released_figure(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    ctx = context(session, qs, [{"type": "recommendations", "rules": RULES}], k=K)
    result = recommendations.compute(ctx, ctx.report.blocks[0])
    assert isinstance(result, RecommendationsResult)
    released = {(f.population, f.statistic): f.value for f in ctx.disclosure.figures}
    values = {f.value for f in ctx.disclosure.figures}
    patterns = (
        r"^(\d+)% of (\d+) respondents",
        r" is (\d+\.\d) \(n = (\d+);",
        r"in place (\d+) of \d+ by Borda score \((\d+\.\d\d)\) .* \(n = (\d+);",
    )
    for finding in (*result.fired, *result.not_fired):
        [quoted] = [m.groups() for p in patterns if (m := re.search(p, finding.evidence))]
        assert all(float(number) in values for number in quoted), finding.rule_id
    sizes = {key: v for key, v in released.items() if key[1] == "size"}
    assert sorted(sizes.values()) == [40] * len(sizes)
    assert not any("years_experience" in population for population, _ in released)


def test_a_rank_rule_quotes_the_score_and_place_the_priorities_block_prints(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    blocks = [
        {"type": "priorities", "measure": "borda", "sources": [{"question": "crime_areas"}]},
        {"type": "recommendations", "rules": RULES},
    ]
    ctx = context(session, qs, blocks, k=K)
    table = priorities.compute(ctx, ctx.report.blocks[0])
    result = recommendations.compute(ctx, ctx.report.blocks[1])
    assert isinstance(table, PrioritiesResult)
    assert isinstance(result, RecommendationsResult)
    items = {item.value: item for item in table.items}
    findings = {f.rule_id: f for f in (*result.fired, *result.not_fired)}
    for rule_id, option in (
        ("cybercrime_top_two", "cybercrime"),
        ("corruption_first", "corruption"),
    ):
        assert findings[rule_id].figure == items[option].rank
        assert f"({items[option].score:.2f})" in findings[rule_id].evidence


def test_rendered_block_prints_fired_rules_and_an_appendix_of_the_rest(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    ctx = context(session, qs, [{"type": "recommendations", "rules": RULES}], k=K)
    html = render_first_block(ctx)
    recommendations_part, appendix = html.split("Appendix: rules tested")
    assert "Build a module on the UNTOC review mechanism." in recommendations_part
    assert "Pair NGOs with government focal points." in recommendations_part
    assert "Invite a cybercrime expert." in recommendations_part
    assert "Pair NGOs with anti-corruption focal points." not in recommendations_part
    assert "Pair NGOs with anti-corruption focal points." in appendix
    assert "Offer an advanced track." in appendix
    assert "Not evaluated (too few responses)" in appendix
    assert "43% of 40 respondents" in recommendations_part
