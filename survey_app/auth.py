"""Staff accounts: argon2 password hashes, login throttling, role decorators."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import CONTENT_ROLES, ROLES, LoginFailure, User, new_session_token, utcnow
from .passwords import password_problem

HASHER = PasswordHasher()
#: Verified when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = HASHER.hash("not a password of anyone")
LOCKOUT_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20

F = TypeVar("F", bound=Callable[..., Any])


class AccountError(ValueError):
    """A user could not be created; the message says why."""


@dataclass(frozen=True)
class LoginResult:
    """The user on success; otherwise why not, in words fit to show, and the account the
    email names, if any (for the audit log: never what was typed)."""

    user: User | None
    message: str = ""
    account: User | None = None


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding space."""
    return email.strip().lower()


def create_user(session: Session, email: str, password: str, role: str) -> User:
    """Add a staff account (flush only)."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"'{email}' is not an email address")
    if role not in ROLES:
        raise AccountError(f"role must be one of: {', '.join(ROLES)}")
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"there is already an account for {email}")
    user = User(email=email, password_hash=HASHER.hash(password), role=role)
    session.add(user)
    session.flush()
    return user


def authenticate(
    session: Session, email: str, password: str, address: str, *, key: bytes
) -> LoginResult:
    """Check a login, refusing while the account or the address is locked out (flush only).

    `key` keys the record of a failure whose email names no account: what was typed there
    may be a password, and is never stored as typed.
    """
    email = normalise_email(email)
    account = session.scalar(select(User).where(User.email == email))
    failure_email = account.email if account else unknown_email_key(email, key)
    _serialise_attempts(session, failure_email, address)
    since = utcnow() - LOCKOUT_WINDOW
    if _failures(session, LoginFailure.email == failure_email, since) >= (
        MAX_FAILURES_PER_ACCOUNT
    ) or (_failures(session, LoginFailure.address == address, since) >= MAX_FAILURES_PER_ADDRESS):
        minutes = int(LOCKOUT_WINDOW.total_seconds() // 60)
        message = f"Too many failed attempts. Wait {minutes} minutes and try again."
        return LoginResult(None, message, account)
    if not _verify(account.password_hash if account else _DUMMY_HASH, password) or not (
        account and account.active
    ):
        session.add(LoginFailure(email=failure_email, address=address))
        session.flush()
        return LoginResult(None, "The email or password is not right.", account)
    session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    account.last_login_at = utcnow()
    if HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = HASHER.hash(password)
    return LoginResult(account, account=account)


def unknown_email_key(email: str, key: bytes) -> str:
    """What a failure with an email of no account is counted under: a keyed hash of it."""
    return "unknown:" + hmac.new(key, email.encode(), hashlib.sha256).hexdigest()


def _serialise_attempts(session: Session, *names: str) -> None:
    """Make concurrent logins for one account or from one address take turns.

    Why: counting the failures, checking the password and recording a failure are three
    statements; on PostgreSQL twelve parallel attempts all counted before any recorded, so
    eleven were checked against a limit of five. A transaction-scoped advisory lock per
    account and per address (taken in one order, so two logins cannot deadlock) makes the
    count-check-record atomic. SQLite needs none: every transaction there begins IMMEDIATE.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in sorted(set(names)):
        lock_id = int.from_bytes(hashlib.sha256(f"login:{name}".encode()).digest()[:8], "big")
        session.execute(select(func.pg_advisory_xact_lock(lock_id - 2**63)))


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace the user's password once the current one is proven; other sessions end
    (flush only). Raises AccountError saying what is wrong."""
    if not _verify(user.password_hash, current):
        raise AccountError("The current password is not right.")
    problem = password_problem(new, user.email)
    if problem:
        raise AccountError(problem)
    if _verify(user.password_hash, new):
        raise AccountError("The new password must differ from the current one.")
    user.password_hash = HASHER.hash(new)
    # A changed password is often a suspected leak: copies of old session cookies stop here.
    end_sessions(session, user)


def user_for_session(session: Session, token: str) -> User | None:
    """The active user a session cookie names; None once logged out or deactivated."""
    user = session.scalar(select(User).where(User.session_token == token))
    return user if user is not None and user.active else None


def end_sessions(session: Session, user: User) -> None:
    """Make every session cookie of the user stop working, copies included (flush only).

    Why: Flask's sessions are signed cookies that the server does not store, so clearing
    the session at logout cannot stop someone replaying a copy of the old cookie. The
    cookie names the user by this token instead of the row id; a new token orphans it.
    """
    user.session_token = new_session_token()
    session.flush()


def all_users(session: Session) -> list[User]:
    """Every staff account, by email."""
    return list(session.scalars(select(User).order_by(User.email)))


def set_user_active(session: Session, user: User, active: bool) -> None:
    """Deactivate (sessions end at once) or reactivate an account (flush only)."""
    user.active = active
    if not active:
        end_sessions(session, user)
    session.flush()


def _failures(session: Session, condition: Any, since: dt.datetime) -> int:
    stmt = select(func.count(LoginFailure.id)).where(condition, LoginFailure.at >= since)
    return int(session.scalar(stmt) or 0)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def staff_required(view: F) -> F:
    """Any logged-in staff member (admins included)."""
    return login_required(view)  # type: ignore[no-any-return]


def admin_required(view: F) -> F:
    """Logged in with the admin role; others get 403."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.role != "admin":
            abort(403, description="Only administrators can open this page.")
        return view(*args, **kwargs)

    return login_required(wrapped)  # type: ignore[no-any-return]


def editor_required(view: F) -> F:
    """Logged in as an editor or an admin: who may upload, publish and retire content."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.role not in CONTENT_ROLES:
            abort(403, description="Only editors and administrators can open this page.")
        return view(*args, **kwargs)

    return login_required(wrapped)  # type: ignore[no-any-return]
