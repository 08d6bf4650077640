"""Optional follow-up reminders: the opt-in on the thank-you page, a table kept apart from
answers, sending through a real local SMTP server, and exports that never include it."""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import io
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import inspect, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, ParticipantLink, ReminderAddress, Training
from survey_app.reminders import mail_languages
from survey_app.trainings import delete_responses
from tests.conftest import (
    CODE,
    add_account,
    link_token,
    log_in,
    needs_assessment_answers,
    open_training,
    post_training_answers,
    submit,
)

FOLLOWUP = "untoc-follow-up"
WITH_REMINDERS = {"followup_questionnaire_id": FOLLOWUP, "reminders": "y"}


def free_port() -> int:
    """A local port nothing listens on (bound once by the OS, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.mails: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a thread of this process, and its port."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def addresses(app: Any, training_id: int) -> list[str]:
    with app.app_context():
        stmt = select(ReminderAddress.email).where(ReminderAddress.training_id == training_id)
        return sorted(db.session.scalars(stmt))


def remind(app: Any, training_id: int, address: str, phase: str = "post") -> Any:
    token = link_token(app, training_id, phase)
    return app.test_client().post(f"/t/{token}/remind", data={"email": address})


def test_thank_you_page_offers_the_form_and_keeps_an_address_once(app, logged_in):
    """After the post phase, an address is kept once (case and repeats folded)."""
    training_id = open_training(logged_in, **WITH_REMINDERS)
    thanks = submit(app, training_id, "post", {**post_training_answers(), **CODE})
    page = app.test_client().get(thanks).get_data(as_text=True)
    assert "Want a reminder when the follow-up opens?" in page
    token = link_token(app, training_id, "post")
    assert f'action="/t/{token}/remind"' in page
    first = remind(app, training_id, "Ana.Silva@Example.ORG")
    assert first.status_code == 303
    assert "reminder=1" in first.headers["Location"]
    assert remind(app, training_id, " ana.silva@example.org ").status_code == 303
    assert addresses(app, training_id) == ["ana.silva@example.org"]
    kept = app.test_client().get(first.headers["Location"]).get_data(as_text=True)
    assert "we will send one reminder to your address" in kept
    # The pre phase offers it too.
    assert remind(app, training_id, "bo@example.org", phase="pre").status_code == 303
    assert addresses(app, training_id) == ["ana.silva@example.org", "bo@example.org"]


def test_an_invalid_address_is_refused_with_a_clear_error(app, logged_in):
    """A malformed address: 422, the typed text back, a message, nothing stored."""
    training_id = open_training(logged_in, **WITH_REMINDERS)
    response = remind(app, training_id, "ana.silva@")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Please enter a whole email address" in text
    assert 'value="ana.silva@"' in text
    assert addresses(app, training_id) == []


def test_not_offered_when_switched_off_nor_after_the_followup(app, logged_in):
    """Off by default: no form, and a post is 404; the follow-up's own page never offers it."""
    plain = open_training(logged_in, followup_questionnaire_id=FOLLOWUP)
    thanks = submit(app, plain, "post", {**post_training_answers(), **CODE})
    assert "Want a reminder" not in app.test_client().get(thanks).get_data(as_text=True)
    assert remind(app, plain, "ana@example.org").status_code == 404
    on = open_training(logged_in, **WITH_REMINDERS)
    followup_thanks = f"/t/{link_token(app, on, 'followup')}/thanks"
    assert "Want a reminder" not in app.test_client().get(followup_thanks).get_data(as_text=True)
    assert remind(app, on, "ana@example.org", phase="followup").status_code == 404
    assert addresses(app, plain) == addresses(app, on) == []


def test_reminder_posts_count_against_the_submission_limits(make_app, fast_password_hashing):
    """Like answers, reminder posts from one address are limited: 429, nothing stored."""
    app = make_app(submission_limit_per_address=2)
    staff = log_in(app.test_client(), add_account(app, "officer@example.org", "staff"))
    training_id = open_training(staff, **WITH_REMINDERS)
    assert remind(app, training_id, "ana@example.org").status_code == 303
    assert remind(app, training_id, "bo@example.org").status_code == 303
    limited = remind(app, training_id, "cy@example.org")
    assert limited.status_code == 429
    assert "Too many requests from your network" in limited.get_data(as_text=True)
    assert addresses(app, training_id) == ["ana@example.org", "bo@example.org"]


def test_a_post_without_csrf_token_is_refused(make_app, fast_password_hashing):
    """With CSRF protection on, a cross-site post stores nothing."""
    protected = make_app(csrf_enabled=True)
    with protected.app_context():
        training = Training(
            title="T",
            place="P",
            starts_on=dt.date(2027, 1, 1),
            ends_on=dt.date(2027, 1, 2),
            organiser="O",
            post_questionnaire_id="untoc-post-training",
            followup_questionnaire_id=FOLLOWUP,
            reminders=True,
            status="open",
            pairing_secret="x" * 64,
        )
        training.links.append(ParticipantLink(phase="post", token="t" * 32))
        db.session.add(training)
        db.session.commit()
        training_id = training.id
    client = protected.test_client()
    page = client.get(f"/t/{'t' * 32}/thanks").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    response = client.post(f"/t/{'t' * 32}/remind", data={"email": "ana@example.org"})
    assert response.status_code == 400
    assert addresses(protected, training_id) == []


def test_the_table_cannot_be_joined_to_responses(app):
    """No column refers to a response, code or link; the id is random; the date has no time."""
    with app.app_context():
        columns = {c["name"]: c for c in inspect(db.engine).get_columns("reminder_addresses")}
        keys = inspect(db.engine).get_foreign_keys("reminder_addresses")
    assert set(columns) == {"id", "training_id", "email", "created_on"}
    assert [k["referred_table"] for k in keys] == ["trainings"]
    assert "DATE" in str(columns["created_on"]["type"]).upper()
    assert "TIME" not in str(columns["created_on"]["type"]).upper()


def test_ids_are_random_and_created_on_is_a_date(app, logged_in):
    training_id = open_training(logged_in, **WITH_REMINDERS)
    remind(app, training_id, "ana@example.org")
    with app.app_context():
        (row,) = db.session.scalars(select(ReminderAddress)).all()
        assert uuid.UUID(row.id).version == 4
        assert type(row.created_on) is dt.date


def test_exports_never_include_the_addresses(app, logged_in):
    """A training with kept addresses exports answers only."""
    training_id = open_training(logged_in, **WITH_REMINDERS)
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})
    submit(app, training_id, "post", {**post_training_answers(), **CODE})
    remind(app, training_id, "ana.silva@example.org")
    assert addresses(app, training_id) == ["ana.silva@example.org"]
    for shape in ("long", "wide", "pre", "post"):
        response = logged_in.post(
            f"/staff/trainings/{training_id}/export.csv", data={"phase": shape}
        )
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert list(csv.reader(io.StringIO(text)))
        assert "ana.silva" not in text.lower()
        assert "example.org" not in text.lower()


def sender_app(make_app: Any, port: int) -> Any:
    return make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_from="survey@example.org")


def test_sending_mails_each_address_the_followup_link_then_deletes_them(
    make_app, fast_password_hashing, smtp_server
):
    """One mail per address with the follow-up link; then no address remains; audit: count."""
    inbox, port = smtp_server
    app = sender_app(make_app, port)
    staff = log_in(app.test_client(), add_account(app, "officer@example.org", "staff"))
    editor = log_in(app.test_client(), add_account(app, "editor@example.org", "editor"))
    training_id = open_training(staff, **WITH_REMINDERS)
    for address in ("ana@example.org", "bo@example.net"):
        assert remind(app, training_id, address).status_code == 303
    page = editor.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert "Send follow-up reminders" in page
    assert "<strong>2</strong>" in page
    assert "ana@example.org" not in page
    confirm = editor.get(f"/staff/trainings/{training_id}/reminders").get_data(as_text=True)
    assert "ana@example.org" not in confirm
    assert "deleted" in confirm
    unconfirmed = editor.post(f"/staff/trainings/{training_id}/reminders", data={})
    assert unconfirmed.status_code == 422
    assert inbox.mails == []
    sent = editor.post(f"/staff/trainings/{training_id}/reminders", data={"confirm": "y"})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    followup = link_token(app, training_id, "followup")
    assert sorted(m.rcpt_tos[0] for m in inbox.mails) == ["ana@example.org", "bo@example.net"]
    for mail in inbox.mails:
        body = email.message_from_bytes(mail.content, policy=email.policy.default)
        # In each language of the follow-up questionnaire (en, fr): the address was kept
        # without the language its owner answered in.
        assert (
            body["Subject"]
            == "Follow-up: Regional workshop, Putrajaya / Suivi : Regional workshop, Putrajaya"
        )
        text = body.get_content()
        assert text.count(f"/t/{followup}") == 2
        assert "Merci d'y répondre ici" in text
        assert "Votre adresse vient d'être supprimée" in text
        assert mail.mail_from == "survey@example.org"
    assert addresses(app, training_id) == []
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "reminders_sent")
        ).all()
        assert event.detail == f"#{training_id} 2 reminders"
        assert "example" not in event.detail
    after = editor.get(f"/staff/trainings/{training_id}", follow_redirects=True)
    assert "their addresses are deleted" in after.get_data(as_text=True)


@pytest.mark.parametrize("configured", [True, False], ids=["refused", "not-configured"])
def test_smtp_failure_keeps_the_addresses_and_says_so(make_app, fast_password_hashing, configured):
    """Nothing listening, or no server configured: an error page and every address kept."""
    app = sender_app(make_app, free_port()) if configured else make_app()
    admin = log_in(app.test_client(), add_account(app, "admin@example.org", "admin"))
    training_id = open_training(admin, **WITH_REMINDERS)
    remind(app, training_id, "ana@example.org")
    response = admin.post(f"/staff/trainings/{training_id}/reminders", data={"confirm": "y"})
    assert response.status_code == 502
    text = response.get_data(as_text=True)
    assert "Nothing was sent and no address was deleted" in text
    assert ("could not send" in text) if configured else ("No SMTP server is configured" in text)
    assert addresses(app, training_id) == ["ana@example.org"]


class RefusesAfterOne(Inbox):
    """Takes the first message, then answers every later one with a permanent failure."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.mails:
            return "554 Transaction failed"
        return await super().handle_DATA(server, session, envelope)


def test_a_failure_midway_deletes_only_the_mailed_addresses(make_app, fast_password_hashing):
    """The server fails after one mail: that address is deleted (so a retry mails nobody
    twice), the other is kept, and the page says how many went."""
    inbox = RefusesAfterOne()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = sender_app(make_app, port)
        admin = log_in(app.test_client(), add_account(app, "admin@example.org", "admin"))
        training_id = open_training(admin, **WITH_REMINDERS)
        for address in ("ana@example.org", "bo@example.net"):
            remind(app, training_id, address)
        response = admin.post(f"/staff/trainings/{training_id}/reminders", data={"confirm": "y"})
    finally:
        controller.stop()
    assert response.status_code == 502
    text = response.get_data(as_text=True)
    assert "1 reminders were sent and their addresses deleted" in text
    assert "the other 1 addresses are kept" in text
    [mailed] = [m.rcpt_tos[0] for m in inbox.mails]
    assert addresses(app, training_id) == sorted({"ana@example.org", "bo@example.net"} - {mailed})


def test_the_staff_role_cannot_send(app, logged_in):
    """Sending is for editors and admins; staff see the count but no button."""
    training_id = open_training(logged_in, **WITH_REMINDERS)
    remind(app, training_id, "ana@example.org")
    page = logged_in.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert "<strong>1</strong>" in page
    assert "Send follow-up reminders" not in page
    assert logged_in.get(f"/staff/trainings/{training_id}/reminders").status_code == 403
    refused = logged_in.post(f"/staff/trainings/{training_id}/reminders", data={"confirm": "y"})
    assert refused.status_code == 403
    assert addresses(app, training_id) == ["ana@example.org"]


def test_deleting_responses_deletes_the_addresses(app, logged_in):
    """At retention time, the training's addresses go with its responses."""
    training_id = open_training(logged_in, **WITH_REMINDERS)
    remind(app, training_id, "ana@example.org")
    with app.app_context():
        delete_responses(db.session(), db.session.get(Training, training_id))
        db.session.commit()
    assert addresses(app, training_id) == []


def test_reminders_are_written_in_the_catalog_languages_of_the_questionnaire():
    """A language without a catalog falls back to English, once; regional variants to
    their language; none at all gives English."""
    assert mail_languages(["fr-CA", "ar", "en", "es"]) == ["fr", "en", "es"]
    assert mail_languages([]) == ["en"]
