"""Aggregates a build derives from counts it already has equal the SQL they replace."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from survey_app.models import Answer
from survey_app.reporting.derived import from_counts
from survey_app.reporting.measures import count_answering
from survey_app.reporting.sql import means

from .question_data import (
    EVERY_TYPE,
    QID,
    question_db,  # noqa: F401 -- the `db` fixture
    scope,
    seed,
)

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
