"""The staff password policy: length, the shipped common-password list, regularity."""

from __future__ import annotations

import gzip

import pytest

from survey_app.passwords import COMMON_PASSWORDS_FILE, common_passwords, password_problem


def test_the_common_password_list_ships_with_the_package():
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert 19_000 <= len(common_passwords()) <= 100_000
    assert all(line == line.lower() for line in lines)
    assert {"password", "qwerty123456", "iloveyou"} <= common_passwords()


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "at least 12 characters"),
        ("x" * 1025, "at most 1024 characters"),
        ("qwerty123456", "common or breached"),
        ("QWERTY123456", "common or breached"),
        ("1q2w3e4r5t6y", "common or breached"),
        ("password1234", "common or breached"),
        ("Password2024!", "common or breached"),
        ("!!iloveyou!!!", "common or breached"),
        ("aaaaaaaaaaaaaaa", "too regular"),
        ("121212121212", "too regular"),
        ("passwordpassword", "too regular"),
        ("abcdeabcdeabcde", "too regular"),
        ("officer.secret.99", "email address"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, problem):
    assert problem in (password_problem(password, "officer@example.org") or "")


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Tr0ub4dor&3 horse",
        "velvet-lantern-orbit-92",
        "x" * 4 + "yzabc" + "def",
    ],
)
def test_long_uncommon_passwords_are_accepted(password):
    assert password_problem(password, "officer@example.org") is None
