"""Every question type has its three parts: a spec, a form-field factory and storage."""

from __future__ import annotations

import pytest

from survey_app.forms import FIELD_KINDS
from survey_app.questionnaire.schema import QUESTION_CLASSES, QUESTION_TYPES


def test_every_question_type_has_a_spec_class():
    assert len(QUESTION_TYPES) == len(QUESTION_CLASSES) == 10


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_every_question_type_has_a_field_kind(qtype):
    assert qtype in FIELD_KINDS


def test_no_field_kind_without_a_question_type():
    assert set(FIELD_KINDS) == set(QUESTION_TYPES)
