"""Staff accounts as a service: argon2 hashes, login throttling, session tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from survey_app import auth
from survey_app.auth import (
    LOCKOUT_WINDOW,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    AccountError,
    authenticate,
    create_user,
    end_sessions,
    user_for_session,
)
from survey_app.models import LoginFailure, User, utcnow

PASSWORD = "correct horse battery staple"
EMAIL = "officer@example.org"
KEY = b"test key"
HERE = "192.0.2.10"
ELSEWHERE = "198.51.100.7"
WRONG = "The email or password is not right."
LOCKED = "Too many failed attempts. Wait 15 minutes and try again."


@pytest.fixture
def user(session, fast_password_hashing):
    created = create_user(session, EMAIL, PASSWORD, "staff")
    session.commit()
    return created


def failures(session, **where):
    stmt = select(func.count(LoginFailure.id)).filter_by(**where)
    return session.scalar(stmt)


def fail(session, times, email=EMAIL, address=HERE):
    for _ in range(times):
        assert authenticate(session, email, "wrong password!", address, key=KEY).user is None


def test_password_is_stored_as_argon2id_never_in_plain_text(session):
    """With the production hasher: argon2id at argon2-cffi's recommended cost."""
    created = create_user(session, EMAIL, PASSWORD, "admin")
    session.commit()
    stored = session.scalar(select(User.password_hash).where(User.id == created.id))
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in stored
    assert auth.HASHER.verify(stored, PASSWORD)


def test_two_accounts_with_one_password_get_different_hashes(session, user):
    other = create_user(session, "second@example.org", PASSWORD, "staff")
    assert other.password_hash != user.password_hash


@pytest.mark.parametrize(
    ("email", "password", "role", "message"),
    [
        ("not-an-email", PASSWORD, "staff", "is not an email address"),
        ("a@example.org", "short", "staff", "at least 12 characters"),
        ("a@example.org", PASSWORD, "root", "role must be one of: admin, editor, staff"),
        (" OFFICER@example.org ", PASSWORD, "staff", "already an account for officer@example.org"),
    ],
)
def test_create_user_refuses_bad_accounts(session, user, email, password, role, message):
    with pytest.raises(AccountError, match=message):
        create_user(session, email, password, role)


def test_right_password_logs_in_whatever_the_email_case(session, user):
    assert authenticate(session, "  Officer@Example.ORG ", PASSWORD, HERE, key=KEY).user == user


def test_wrong_password_and_unknown_email_fail_alike_and_both_count(session, user):
    wrong_password = authenticate(session, EMAIL, "wrong password!", HERE, key=KEY)
    unknown_email = authenticate(session, "nobody@example.org", PASSWORD, HERE, key=KEY)
    assert (wrong_password.user, wrong_password.message) == (None, WRONG)
    assert (unknown_email.user, unknown_email.message) == (None, WRONG)
    assert (wrong_password.account, unknown_email.account) == (user, None)
    assert failures(session, email=EMAIL) == 1
    assert failures(session, email=auth.unknown_email_key("nobody@example.org", KEY)) == 1
    assert failures(session, address=HERE) == 2


def test_five_failures_lock_the_account_even_with_the_right_password(session, user):
    fail(session, MAX_FAILURES_PER_ACCOUNT - 1)
    fail(session, 1, address=ELSEWHERE)
    result = authenticate(session, EMAIL, PASSWORD, "203.0.113.99", key=KEY)
    assert (result.user, result.message) == (None, LOCKED)


def test_four_failures_do_not_lock_the_account(session, user):
    fail(session, MAX_FAILURES_PER_ACCOUNT - 1)
    assert authenticate(session, EMAIL, PASSWORD, HERE, key=KEY).user == user


def test_twenty_failures_from_one_address_lock_every_account_from_it(session, user):
    for i in range(MAX_FAILURES_PER_ADDRESS):
        fail(session, 1, email=f"guess{i}@example.org")
    assert authenticate(session, EMAIL, PASSWORD, HERE, key=KEY).message == LOCKED
    assert authenticate(session, EMAIL, PASSWORD, ELSEWHERE, key=KEY).user == user


def test_a_locked_out_attempt_is_not_checked_and_not_counted(session, user):
    fail(session, MAX_FAILURES_PER_ACCOUNT)
    authenticate(session, EMAIL, "another guess!!", HERE, key=KEY)
    assert failures(session, email=EMAIL) == MAX_FAILURES_PER_ACCOUNT


def test_lockout_ends_when_the_window_has_passed(session, user, monkeypatch):
    fail(session, MAX_FAILURES_PER_ACCOUNT)
    assert authenticate(session, EMAIL, PASSWORD, HERE, key=KEY).message == LOCKED
    later = utcnow() + LOCKOUT_WINDOW + dt.timedelta(seconds=1)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    assert authenticate(session, EMAIL, PASSWORD, HERE, key=KEY).user == user


def test_failures_older_than_the_window_do_not_count(session, user):
    old = utcnow() - LOCKOUT_WINDOW - dt.timedelta(minutes=1)
    session.add_all(
        [LoginFailure(email=EMAIL, address=HERE, at=old) for _ in range(MAX_FAILURES_PER_ADDRESS)]
    )
    session.flush()
    assert authenticate(session, EMAIL, PASSWORD, HERE, key=KEY).user == user


def test_successful_login_clears_the_accounts_failures(session, user):
    fail(session, MAX_FAILURES_PER_ACCOUNT - 1)
    assert authenticate(session, EMAIL, PASSWORD, HERE, key=KEY).user == user
    assert failures(session, email=EMAIL) == 0
    fail(session, MAX_FAILURES_PER_ACCOUNT - 1)
    assert authenticate(session, EMAIL, PASSWORD, HERE, key=KEY).user == user


def test_deactivated_user_cannot_log_in_and_is_told_nothing_more(session, user):
    user.active = False
    session.flush()
    assert authenticate(session, EMAIL, PASSWORD, HERE, key=KEY).message == WRONG
    assert failures(session, email=EMAIL) == 1


def test_outdated_hash_is_upgraded_at_login(session, user):
    weak = auth.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    user.password_hash = weak.hash(PASSWORD)
    session.flush()
    assert authenticate(session, EMAIL, PASSWORD, HERE, key=KEY).user == user
    assert not auth.HASHER.check_needs_rehash(user.password_hash)


def test_session_token_names_the_user_until_sessions_are_ended(session, user):
    token = user.get_id()
    assert token == user.session_token
    assert str(user.id) != token
    assert len(token) >= 43  # 256 bits, URL-safe base64
    assert user_for_session(session, token) == user
    end_sessions(session, user)
    assert user.get_id() != token
    assert user_for_session(session, token) is None
    assert user_for_session(session, user.get_id()) == user


def test_deactivated_user_has_no_session(session, user):
    user.active = False
    session.flush()
    assert user_for_session(session, user.get_id()) is None


def test_an_email_of_no_account_is_never_stored_as_typed(session, user):
    """Someone typing their password into the email field must not find it in the table."""
    typed = "My Secret Passphrase 2027"
    authenticate(session, typed, "x", HERE, key=KEY)
    stored = session.scalars(select(LoginFailure.email)).all()
    assert stored == [auth.unknown_email_key(typed.lower(), KEY)]
    assert typed.lower() not in stored[0]
    assert auth.unknown_email_key(typed.lower(), b"another key") != stored[0]


def test_failures_of_one_unknown_email_still_lock_it_alone(session, user):
    fail(session, MAX_FAILURES_PER_ACCOUNT, email="nobody@example.org")
    assert authenticate(session, "nobody@example.org", "x", HERE, key=KEY).message == LOCKED
    assert authenticate(session, "someone@example.org", "x", HERE, key=KEY).message == WRONG
