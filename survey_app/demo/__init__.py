"""Realistic synthetic responses for the sample questionnaires (`flask survey demo`)."""

from .answers import Plan
from .generate import (
    FOLLOW_UP,
    NEEDS_ASSESSMENT,
    POST_TRAINING,
    PROFILES,
    TOKEN_PREFIX,
    Profile,
    count_responses,
    demo_counts,
    generate_demo,
    generate_responses,
    remove_demo,
)
from .population import Respondent, draw_respondent

__all__ = [
    "FOLLOW_UP",
    "NEEDS_ASSESSMENT",
    "POST_TRAINING",
    "PROFILES",
    "TOKEN_PREFIX",
    "Plan",
    "Profile",
    "Respondent",
    "count_responses",
    "demo_counts",
    "draw_respondent",
    "generate_demo",
    "generate_responses",
    "remove_demo",
]
