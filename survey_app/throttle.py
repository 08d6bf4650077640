"""Submission limits per client address and per form, counted in the shared database.

Why the database and not Flask-Limiter: the limits must hold across every gunicorn worker
and host, the database is the one store every deployment shares, and Flask-Limiter has no
SQL storage. Only stored submissions count: a participant fixing a mistyped answer or
pressing Submit twice uses up nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from .models import SubmissionAttempt, utcnow


@dataclass(frozen=True)
class Limits:
    """How many submissions a client address and a form may store within `window`; 0 = any."""

    per_address: int
    per_form: int
    window: dt.timedelta


@dataclass(frozen=True)
class Keys:
    """Whom a submission is counted against: the keyed client address and the form."""

    client: str
    form: str


class TooManySubmissions(Exception):
    """A limit is reached; `wait` is how long until a submission would be taken again."""

    def __init__(self, wait: dt.timedelta) -> None:
        super().__init__(f"submission limit reached; retry in {wait}")
        self.wait = wait

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, rounded up (at least 1)."""
        return max(1, math.ceil(self.wait.total_seconds() / 60))


def client_key(address: str, secret: str) -> str:
    """HMAC-SHA256 of the address, keyed with the app's secret: never the address itself.

    Why keyed: there are only 2^32 IPv4 addresses, so a plain hash is reversed in minutes.
    Why /64: one IPv6 subscriber holds at least a /64 and could send from any address in it.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        normalised = address
    else:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if isinstance(ip, ipaddress.IPv6Address):
            normalised = str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
        else:
            normalised = str(ip)
    message = b"submission-limit\0" + normalised.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def admit(session: Session, keys: Keys, limits: Limits, now: dt.datetime | None = None) -> None:
    """Count one more stored submission, or raise TooManySubmissions (flush only).

    Call it in the transaction that stores the response, so that a refusal rolls both back.
    Concurrent transactions on PostgreSQL may each see the count before the other's row, so
    a limit can be passed by at most the number of requests in flight at that moment.
    """
    if not (limits.per_address or limits.per_form):
        return
    now = now or utcnow()
    since = now - limits.window
    waits = [
        _wait(session, column, key, limit, since, limits.window, now)
        for column, key, limit in (
            (SubmissionAttempt.client_key, keys.client, limits.per_address),
            (SubmissionAttempt.form_key, keys.form, limits.per_form),
        )
        if limit
    ]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        raise TooManySubmissions(wait)
    session.execute(delete(SubmissionAttempt).where(SubmissionAttempt.at < since))
    session.add(SubmissionAttempt(at=now, client_key=keys.client, form_key=keys.form))
    session.flush()


def _wait(
    session: Session,
    column: InstrumentedAttribute[str],
    key: str,
    limit: int,
    since: dt.datetime,
    window: dt.timedelta,
    now: dt.datetime,
) -> dt.timedelta | None:
    """None while under the limit; else how long until the count falls below it."""
    recent = select(SubmissionAttempt.at).where(column == key, SubmissionAttempt.at >= since)
    count = session.scalar(select(func.count()).select_from(recent.subquery())) or 0
    if count < limit:
        return None
    # The count falls below the limit when the (count - limit + 1)-th oldest row ages out.
    frees_at = session.scalar(recent.order_by(SubmissionAttempt.at).offset(count - limit))
    if frees_at is None:
        return window
    if frees_at.tzinfo is None:  # SQLite gives back naive UTC
        frees_at = frees_at.replace(tzinfo=dt.UTC)
    return max(frees_at + window - now, dt.timedelta(seconds=1))
