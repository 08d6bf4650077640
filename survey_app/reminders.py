"""Optional follow-up reminders: addresses kept apart from answers, used once, then deleted.

Why apart: a reminder address row holds no response, code, link, time of day or order that
follows submission order, so nothing lines an address up with the answers it came with.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

import flask_babel
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .i18n import gettext, ui_language
from .models import ReminderAddress, Training


class ReminderError(Exception):
    """The address cannot be kept, or the reminders cannot be sent; `sent` were sent (and
    their addresses deleted) before it happened."""

    def __init__(self, message: str, sent: int = 0) -> None:
        super().__init__(message)
        self.sent = sent


@dataclass(frozen=True)
class Smtp:
    """Where and as whom reminders are sent."""

    host: str
    port: int
    user: str
    password: str
    sender: str


def offered(training: Training, phase: str) -> bool:
    """Whether the thank-you page of this phase offers the reminder form."""
    return training.reminders and bool(training.followup_questionnaire_id) and phase != "followup"


def normalise(email: str) -> str:
    """The address in its normal form, or ReminderError saying what is wrong."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ReminderError(str(error)) from error
    return checked.normalized.lower()


def add_address(session: Session, training: Training, email: str) -> None:
    """Keep one address for the training's reminder; a repeated address is kept once (flush)."""
    address = normalise(email)
    taken = select(ReminderAddress.id).where(
        ReminderAddress.training_id == training.id, ReminderAddress.email == address
    )
    if session.scalar(taken) is not None:
        return
    # A concurrent twin of the same address fails the unique constraint at commit.
    session.add(
        ReminderAddress(
            id=str(uuid.uuid4()), training_id=training.id, email=address, created_on=today()
        )
    )
    session.flush()


def today() -> dt.date:
    """The UTC date: a day, never a time that would match a response's submission time."""
    return dt.datetime.now(dt.UTC).date()


def address_count(session: Session, training_id: int) -> int:
    """How many addresses wait for the training's reminder."""
    stmt = select(func.count()).where(ReminderAddress.training_id == training_id)
    return session.scalar(stmt) or 0


def delete_addresses(session: Session, training_id: int) -> int:
    """Forget every address of the training; returns how many."""
    result = session.execute(
        delete(ReminderAddress).where(ReminderAddress.training_id == training_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def send_reminders(
    session: Session, training: Training, url: str, smtp: Smtp, languages: Sequence[str]
) -> int:
    """Mail each address the follow-up link in `languages` (`mail_languages`), deleting each
    address once its mail is sent (flush only).

    Raises ReminderError when SMTP is not configured or refuses; the addresses mailed before
    that are deleted all the same (its `sent`), so sending again mails nobody twice.
    """
    if not (smtp.host and smtp.sender):
        raise ReminderError("No SMTP server is configured (SURVEY_SMTP_HOST, SURVEY_SMTP_FROM).")
    rows = session.scalars(
        select(ReminderAddress).where(ReminderAddress.training_id == training.id)
    ).all()
    sent = 0
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as server:
            server.ehlo()
            if server.has_extn("starttls"):
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            elif smtp.user:
                raise ReminderError("The SMTP server offers no STARTTLS: no password sent.")
            if smtp.user:
                server.login(smtp.user, smtp.password)
            for row in rows:
                server.send_message(message(training, url, smtp.sender, row.email, languages))
                session.delete(row)
                sent += 1
    except (OSError, smtplib.SMTPException) as error:
        session.flush()
        raise ReminderError(
            f"The SMTP server could not send the reminders: {error}", sent
        ) from error
    session.flush()
    return sent


def mail_languages(questionnaire_languages: Sequence[str]) -> list[str]:
    """The languages a reminder is written in: those of the follow-up questionnaire that the
    app's catalogs have, in the questionnaire's order (English when none has one).

    Why all of them: the address is kept without the language its owner answered in, since
    a language shared by few participants would line the address up with their answers.
    """
    languages = dict.fromkeys(ui_language(language) for language in questionnaire_languages)
    return list(languages) or ["en"]


def message(
    training: Training, url: str, sender: str, to: str, languages: Sequence[str]
) -> EmailMessage:
    """One reminder, in each of `languages`: the follow-up link and nothing about the
    recipient's answers."""
    subjects, bodies = [], []
    for language in languages:
        with flask_babel.force_locale(language):
            subjects.append(gettext("Follow-up: %(title)s", title=training.title))
            bodies.append(
                gettext(
                    "You asked to be reminded when the follow-up of “%(title)s” opens.",
                    title=training.title,
                )
                + "\n\n"
                + gettext("Please answer it here: %(url)s", url=url)
                + "\n\n"
                + gettext(
                    "Your address has now been deleted; you will not hear from us again about it."
                )
                + "\n"
            )
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = " / ".join(subjects)
    mail.set_content("\n---\n\n".join(bodies))
    return mail
