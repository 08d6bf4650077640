"""One-time password reset links an admin makes for another account (write side)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .auth import HASHER, AccountError, end_sessions
from .models import PasswordReset, User, utcnow
from .passwords import password_problem

RESET_LIFETIME = dt.timedelta(hours=24)


def token_hash(token: str) -> str:
    """What is stored of a link's token (256 random bits need no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_reset(session: Session, user: User) -> tuple[str, PasswordReset]:
    """A new link's token for the user; earlier unused links stop working (flush only)."""
    now = utcnow()
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(
        user_id=user.id, token_hash=token_hash(token), expires_at=now + RESET_LIFETIME
    )
    session.add(reset)
    session.flush()
    return token, reset


def valid_reset(session: Session, token: str) -> PasswordReset | None:
    """The unused, unexpired link with this token, if any."""
    if not 20 <= len(token) <= 64:
        return None
    reset = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    )
    if reset is None or reset.used_at is not None or _aware(reset.expires_at) <= utcnow():
        return None
    return reset


def redeem_reset(session: Session, token: str, new_password: str) -> User:
    """Set the password through a link and use the link up; every session of the account
    ends (flush only). Raises AccountError saying what is wrong."""
    reset = valid_reset(session, token)
    user = session.get(User, reset.user_id) if reset else None
    if reset is None or user is None:
        raise AccountError("This link has expired or has been used. Ask an admin for a new one.")
    problem = password_problem(new_password, user.email)
    if problem:
        raise AccountError(problem)
    # Used up first, in the same flush: two concurrent posts of one link cannot both win.
    used = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if getattr(used, "rowcount", 1) != 1:
        raise AccountError("This link has expired or has been used. Ask an admin for a new one.")
    user.password_hash = HASHER.hash(new_password)
    end_sessions(session, user)
    return user


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite gives back naive datetimes stored as UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
