"""The follow-up reminder form on a thank-you page, in Chromium: no axe violation, a clear
error for a malformed address, and the confirmation once kept."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import ParticipantLink, ReminderAddress, Training

from .test_accessibility import axe_violations

pytestmark = pytest.mark.browser


def test_reminder_form_is_accessible_and_says_what_went_wrong(app, new_phone_page, live_server):
    with app.app_context():
        training = Training(
            title="Regional workshop",
            place="Putrajaya",
            starts_on=dt.date(2027, 1, 15),
            ends_on=dt.date(2027, 1, 17),
            organiser="UNODC",
            post_questionnaire_id="untoc-post-training",
            followup_questionnaire_id="untoc-follow-up",
            reminders=True,
            status="open",
            pairing_secret="x" * 64,
        )
        training.links.append(ParticipantLink(phase="post", token="p" * 32))
        db.session.add(training)
        db.session.commit()
    page = new_phone_page(bypass_csp=True)  # lets axe-core in past the app's CSP
    page.goto(f"{live_server}/t/{'p' * 32}/thanks")
    expect(
        page.get_by_role("heading", name="Want a reminder when the follow-up opens?")
    ).to_be_visible()
    assert axe_violations(page) == []
    # novalidate is not set: skip the browser's own check to reach the server's message.
    page.eval_on_selector("form[action$='/remind']", "f => f.noValidate = true")
    page.get_by_label("Email address").fill("ana@")
    page.get_by_role("button", name="Remind me").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a whole email address")
    expect(page.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []
    page.get_by_label("Email address").fill("ana@example.org")
    page.get_by_role("button", name="Remind me").click()
    expect(page.get_by_role("status").last).to_contain_text("we will send one reminder")
    with app.app_context():
        assert db.session.scalars(select(ReminderAddress.email)).all() == ["ana@example.org"]
