"""Aggregates a build derives from counts it already has equal the SQL they replace."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from survey_app.models import Answer
from survey_app.questionnaire import Choice
from survey_app.reporting.derived import from_counts
from survey_app.reporting.derived_needs import importance_points_from_pairs, share_of_points
from survey_app.reporting.measures import (
    count_answering,
    discrepancy_counts,
    paired_row_cells,
    paired_row_means,
    ranking_counts,
    top_box_counts,
    value_condition,
)
from survey_app.reporting.scope import Scope
from survey_app.reporting.sql import (
    grouped_counts,
    grouped_rows,
    grouped_rows_with_ungrouped,
    means,
)

from .question_data import (
    EVERY_TYPE,
    QID,
    add_response,
    question_db,  # noqa: F401 -- the `db` fixture
    scope,
    seed,
)
from .seeding import NEEDS, add_responses, sample_questionnaires
from .test_gap import seeded_answers as gap_answers

QUESTIONNAIRES = {QID: EVERY_TYPE}


def direct(session) -> Any:
    """A runner without a cache: every derived count is read from the database."""

    def run(query, *args, **kwargs):
        return query(session, *args, **kwargs)

    return run


@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_matrix_row_means_from_point_counts_equal_sql_means(db, by):
    seed(db)
    kwargs = {"keys": ("row",), "by": by}
    derived = from_counts(direct(db), QUESTIONNAIRES, means, (scope(), "liking_each"), kwargs)
    assert derived is not None
    assert derived == means(db, scope(), "liking_each", **kwargs)


def test_matrix_row_respondents_from_point_counts_equal_sql_count(db):
    seed(db)
    for row in ("apple", "pear", "plum"):
        args = (scope(), "liking_each", row)
        derived = from_counts(direct(db), QUESTIONNAIRES, count_answering, args, {})
        assert derived == count_answering(db, *args)


def test_fractional_points_conditions_and_other_types_run_the_sql(db):
    seed(db)
    run = direct(db)
    row_means = {"keys": ("row",)}
    assert from_counts(run, QUESTIONNAIRES, means, (scope(), "fruit"), row_means) is None
    condition = {"condition": Answer.number_value <= 2}
    args = (scope(), "liking_each", "apple")
    assert from_counts(run, QUESTIONNAIRES, count_answering, args, condition) is None
    answer = db.scalars(select(Answer).where(Answer.question_id == "liking_each").limit(1)).one()
    answer.number_value = 2.5
    db.flush()
    assert from_counts(run, QUESTIONNAIRES, means, (scope(), "liking_each"), row_means) is None
    top_box = (scope(), "liking_each", 4)
    assert from_counts(run, QUESTIONNAIRES, top_box_counts, top_box, {}) is None
    assert (
        share_of_points(run, QUESTIONNAIRES, scope(), "liking_each", "apple", None, 4, None) is None
    )


def test_gap_means_and_spread_from_pair_counts_equal_the_sql(app, session):
    qs = sample_questionnaires(app)
    add_responses(session, qs[NEEDS], gap_answers())
    args = (Scope(NEEDS), "capacity_importance", "confidence")
    run = direct(session)
    for query in (paired_row_means, discrepancy_counts):
        derived = from_counts(run, qs, query, args, {})
        assert derived is not None
        assert derived == query(session, *args)
    # The spread is not a trivial one: rows differ and some pairs are missing.
    assert len({n for n, _, _ in paired_row_means(session, *args).values()}) > 1


def test_importance_counts_from_the_gap_pairs_equal_the_sql(app, session):
    qs = sample_questionnaires(app)
    add_responses(session, qs[NEEDS], gap_answers())
    args = (Scope(NEEDS), "capacity_importance")
    kwargs = {"keys": ("row", "number_value")}
    gaps = {"capacity_importance": "confidence"}
    calls: list[Any] = []

    def run(query, *args, **kwargs):
        calls.append(query)
        return query(session, *args, **kwargs)

    derived = from_counts(run, qs, grouped_counts, args, kwargs, gaps=gaps)
    assert derived == grouped_counts(session, *args, **kwargs)
    assert calls == [paired_row_cells]
    # Importance rated where capacity was not: those count here, not in the pairs.
    pairs = paired_row_cells(session, Scope(NEEDS), "capacity_importance", "confidence")
    assert any(capacity is None for row in pairs.values() for _, capacity in row)
    # A block breaking the matrix down reads it in its own one pass instead.
    breakdowns = {"capacity_importance": "stakeholder_type"}
    found = importance_points_from_pairs(run, qs, grouped_counts, args, kwargs, gaps, breakdowns)
    assert found is None


def test_ranking_counts_from_the_question_counts_equal_the_sql(db):
    seed(db)
    args = (scope(), "fruit_rank")
    derived = from_counts(direct(db), QUESTIONNAIRES, ranking_counts, args, {})
    assert derived is not None
    assert derived == ranking_counts(db, *args)
    placed = select(Answer).where(Answer.question_id == "fruit_rank").limit(1)
    db.scalars(placed).one().rank = None  # a row without a place: ranked is not answered
    db.flush()
    assert from_counts(direct(db), QUESTIONNAIRES, ranking_counts, args, {}) is None


@pytest.mark.parametrize("question", ["liking_each", "liking"])
@pytest.mark.parametrize("threshold", [1, 4, 4.5, 6])
def test_top_box_from_point_counts_equals_the_sql(db, question, threshold):
    seed(db)
    args = (scope(), question, threshold)
    derived = from_counts(direct(db), QUESTIONNAIRES, top_box_counts, args, {})
    assert derived is not None
    assert derived == top_box_counts(db, *args)


@pytest.mark.parametrize(
    ("values", "at_least", "at_most"),
    [(None, None, 2), (None, 4, None), (None, 2, 3), ([1.0, 5.0], None, None), ([5.0], None, 2)],
)
def test_share_of_points_equals_the_sql_count(db, values, at_least, at_most):
    seed(db)
    run = direct(db)
    condition = value_condition(Answer.number_value, values, at_least, at_most)
    for question, row in [("liking_each", "apple"), ("liking_each", "plum"), ("liking", None)]:
        found = share_of_points(
            run, QUESTIONNAIRES, scope(), question, row, values, at_least, at_most
        )
        assert found == count_answering(db, scope(), question, row, condition)
        assert found
    # Anyone rating any row of a matrix: people count once however many rows they rated.
    whole = share_of_points(run, QUESTIONNAIRES, scope(), "liking_each", None, None, 4, None)
    assert whole is None


@pytest.mark.parametrize(
    ("question", "keys", "by"),
    [
        ("liking_each", ("row", "number_value"), None),
        ("liking_each", ("row", "number_value"), "fruit"),
        ("liking_each", ("row", "number_value"), "fruits"),
        ("fruits", ("option_value",), "home"),
        ("fruit_rank", ("option_value", "rank"), None),
        ("liking", ("number_value",), "fruit"),
        ("home", ("option_value",), None),
    ],
)
def test_row_counts_stand_in_for_respondent_counts_where_equal(db, question, keys, by):
    seed(db)
    kwargs = {"keys": keys, "by": by}
    derived = from_counts(direct(db), QUESTIONNAIRES, grouped_counts, (scope(), question), kwargs)
    assert derived is not None
    assert derived == grouped_counts(db, scope(), question, **kwargs)


@pytest.mark.parametrize(
    ("question", "keys", "by"),
    [
        ("liking_each", ("number_value",), None),  # several rows per person in a cell
        ("fruits", ("text_value",), None),
        ("liking", ("number_value",), "liking_each"),  # not a grouping question
    ],
)
def test_cells_a_person_may_fill_twice_count_respondents(db, question, keys, by):
    seed(db)
    run = direct(db)
    kwargs = {"keys": keys, "by": by}
    assert from_counts(run, QUESTIONNAIRES, grouped_counts, (scope(), question), kwargs) is None
    rows = grouped_rows(db, scope(), question, **kwargs)
    assert rows != grouped_counts(db, scope(), question, **kwargs)  # why they must not stand in


@pytest.mark.parametrize(
    ("question", "keys", "by"),
    [
        ("liking_each", ("row", "number_value"), "fruit"),
        ("liking", ("number_value",), "home"),
        ("fruits", ("option_value",), "fruit"),
    ],
)
def test_counts_with_and_without_the_planned_breakdown_come_from_one_pass(db, question, keys, by):
    seed(db)
    # One person answered the question but not the breakdown question.
    add_response(db, {"liking": 2, "liking_each": {"apple": 1}, "fruits": Choice(("plum",))})
    assert None in {key[0] for key in grouped_rows_with_ungrouped(db, scope(), question, keys, by)}
    calls: list[Any] = []

    def run(query, *args, **kwargs):
        calls.append(query)
        return query(db, *args, **kwargs)

    plan = {question: by}
    for group in (by, None):
        kwargs = {"keys": keys, "by": group}
        args = (scope(), question)
        derived = from_counts(run, QUESTIONNAIRES, grouped_counts, args, kwargs, plan)
        assert derived == grouped_counts(db, scope(), question, **kwargs)
    assert calls == [grouped_rows_with_ungrouped, grouped_rows_with_ungrouped]
