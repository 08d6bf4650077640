"""Every question type has its three parts: a spec, a form-field factory and an aggregator."""

from __future__ import annotations

import pytest

from survey_app.forms import FIELD_KINDS
from survey_app.questionnaire.questions import QUESTION_CLASSES, QUESTION_TYPES
from survey_app.reporting.aggregate import AGGREGATORS
from survey_app.reporting.schema import CHARTS_FOR_TYPE


def test_every_question_type_has_a_spec_class():
    assert len(QUESTION_TYPES) == len(QUESTION_CLASSES) == 10


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_every_question_type_has_a_field_kind(qtype):
    assert qtype in FIELD_KINDS


def test_no_field_kind_without_a_question_type():
    assert set(FIELD_KINDS) == set(QUESTION_TYPES)


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_every_question_type_has_an_aggregator(qtype):
    assert callable(AGGREGATORS.get(qtype))


def test_no_aggregator_or_chart_list_without_a_question_type():
    assert set(AGGREGATORS) == set(QUESTION_TYPES)
    assert set(CHARTS_FOR_TYPE) == set(QUESTION_TYPES)
