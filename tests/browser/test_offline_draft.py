"""Answers survive a reload, a dropped connection and a database outage, and are stored once."""

from __future__ import annotations

import html
import json
from typing import Any

from playwright.sync_api import Locator, Page, Route, expect

from tests.conftest import NEEDS, needs_assessment_answers
from tests.views.test_db_outage import database_down

from .test_participant_form import (
    COMMENT,
    EXPECTED,
    expect_thanks,
    fill_needs_assessment,
    group,
    open_form,
    point,
    stored_answers,
    submit,
)

DRAFT_KEY = f"survey:draft:/q/{NEEDS}"
RESTORED = "Your unsent answers were restored."
QUEUED = "Saved on this device: your answers will be sent by themselves"
#: Answered before the reload; the rest of the questionnaire is left for later.
FIRST_HALF = frozenset(
    {
        "stakeholder_type",
        "country",
        "years_experience",
        "engaged_before",
        "engagement_channels",
        "kt_protocols",
        "crime_areas",
        "confidence",
    }
)


def draft(page: Page) -> dict[str, Any] | None:
    """The draft the page keeps in localStorage for the needs assessment, if any."""
    raw = page.evaluate("key => localStorage.getItem(key)", DRAFT_KEY)
    return None if raw is None else json.loads(raw)


def live(page: Page) -> Locator:
    """The page's polite live regions, whose changes screen readers announce."""
    return page.locator("[aria-live=polite]")


def token_on(page: Page) -> str:
    return page.locator("input[name=submission_token]").input_value()


def expect_filled(page: Page) -> None:
    """The answers `fill_needs_assessment` gives, as a sample of every kind of field."""
    expect(page.get_by_label("Non-governmental organisation")).to_be_checked()
    expect(page.get_by_label("In which country is your organisation based?")).to_have_value("MY")
    expect(page.get_by_label("How many years have you worked")).to_have_value("7")
    channels = group(page, "How did your organisation contribute?")
    expect(channels).to_be_visible()  # show_if applied to the restored "Yes"
    expect(channels.get_by_label("Written submission")).to_be_checked()
    expect(channels.get_by_label("Other, please specify")).to_have_value("Side event")
    expect(page.get_by_label("Firearms Protocol")).to_be_checked()
    expect(page.get_by_label("Place 1")).to_have_value("cybercrime")
    expect(page.get_by_label("Place 3")).to_have_value("wildlife")
    confidence = group(page, "How confident are you today")
    expect(point(group(confidence, "Advocacy and policy dialogue"), 3)).to_be_checked()


def test_half_filled_form_comes_back_after_a_reload(page, live_server):
    open_form(page, live_server)
    expect(page.locator("#draft-notice")).to_be_empty()
    fill_needs_assessment(page, skip=frozenset(EXPECTED) - FIRST_HALF)
    token = token_on(page)
    csrf = page.locator("input[name=csrf_token]").input_value()

    page.reload()

    expect(live(page).filter(has_text=RESTORED)).to_be_visible()
    expect_filled(page)
    expect(page.get_by_label("Is there anything else we should know")).to_have_value("")
    expect(page.get_by_label("Live online sessions")).not_to_be_checked()
    expect(group(page, "For online sessions, what length works best?")).to_be_hidden()
    assert token_on(page) == token  # a retry of a lost send stays one response
    kept = draft(page)
    assert kept is not None
    assert kept["token"] == token
    assert all(name.startswith("q_") for name in kept["answers"])
    assert csrf not in json.dumps(kept)


def test_offline_submit_waits_on_the_device_and_is_sent_once_back_online(page, live_server, stored):
    open_form(page, live_server)
    fill_needs_assessment(page)

    page.context.set_offline(True)
    submit(page)
    expect(live(page).filter(has_text=QUEUED)).to_be_visible()
    expect(page).to_have_url(f"{live_server}/q/{NEEDS}")
    expect_filled(page)
    expect(page.get_by_label("Is there anything else we should know")).to_have_value(COMMENT)
    assert draft(page) is not None  # a failed send is not an acknowledgement
    assert stored() == []

    page.context.set_offline(False)  # no tap needed: the outbox sends it
    expect_thanks(page, live_server)
    [response] = stored()
    assert stored_answers(response) == EXPECTED
    assert draft(page) is None


def test_lost_acknowledgement_then_reload_and_resend_stores_one_response(page, live_server, stored):
    """The server stored the answers but its answer never arrived; the draft keeps the token."""
    dropped: list[int] = []

    def drop_the_answer(route: Route) -> None:
        if route.request.method != "POST" or dropped:
            route.continue_()
            return
        dropped.append(route.fetch(max_redirects=0).status)
        route.abort("connectionreset")

    open_form(page, live_server)
    fill_needs_assessment(page)
    page.route(f"{live_server}/q/{NEEDS}", drop_the_answer)
    submit(page)
    expect(live(page).filter(has_text=QUEUED)).to_be_visible()
    assert dropped == [303]
    assert len(stored()) == 1

    # The server renders a new token; the draft brings the sent one back, and the outbox
    # sends the waiting submit again under it.
    page.reload()
    expect_thanks(page, live_server)
    [response] = stored()
    assert stored_answers(response) == EXPECTED
    assert draft(page) is None


def test_database_outage_shows_the_servers_page_and_keeps_the_draft(
    page, app, live_server, stored, tmp_path
):
    open_form(page, live_server)
    fill_needs_assessment(page)
    with database_down(app, tmp_path):
        submit(page)
        notice = page.get_by_role("alert").filter(has_text="kept on this device")
        expect(notice).to_be_visible()
        expect(notice).to_be_focused()
    expect(page).to_have_url(f"{live_server}/q/{NEEDS}")
    expect_filled(page)  # as the server showed them back
    assert draft(page) is not None

    submit(page)
    expect_thanks(page, live_server)
    [response] = stored()
    assert stored_answers(response) == EXPECTED
    assert draft(page) is None


def test_answers_the_server_shows_back_win_over_the_draft(page, live_server, stored):
    open_form(page, live_server)
    fill_needs_assessment(page, skip=frozenset({"country"}))
    page.evaluate(
        """key => {
            const kept = JSON.parse(localStorage.getItem(key));
            kept.answers.q_comments = ["An older draft"];
            localStorage.setItem(key, JSON.stringify(kept));
        }""",
        DRAFT_KEY,
    )
    # A plain post (no submit event, so no script): the server shows the answers back.
    page.evaluate("document.querySelector('form.survey').submit()")
    expect(page.locator("#error-summary")).to_be_visible()

    expect(page.get_by_label("Is there anything else we should know")).to_have_value(COMMENT)
    expect(page.locator("#draft-notice")).to_be_empty()
    kept = draft(page)
    assert kept is not None
    assert kept["answers"]["q_comments"] == [COMMENT]
    assert stored() == []


def test_cross_site_post_does_not_replace_the_draft(page, live_server, stored):
    """M1: a forged post (no valid CSRF token) with an attacker's answers and submission
    token lands on a fresh form; the participant's own draft comes back and is what they send."""
    open_form(page, live_server)
    fill_needs_assessment(page)
    own_token = token_on(page)
    attacker_token = "A" * 43
    fields = {
        **{k: v for k, v in needs_assessment_answers().items() if isinstance(v, str)},
        "q_comments": "ATTACKER ANSWER",
        "submission_token": attacker_token,
        "csrf_token": "forged",
    }
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    evil = (
        f'<form id="f" method="post" action="{live_server}/q/{NEEDS}">{inputs}</form>'
        '<script>document.getElementById("f").submit()</script>'
    )
    page.route(
        "http://attacker.example/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=evil),
    )
    page.goto("http://attacker.example/")
    expect(page).to_have_url(f"{live_server}/q/{NEEDS}")
    comment = page.get_by_label("Is there anything else we should know")
    expect(comment).to_have_value(COMMENT)
    expect(page.locator("#notice")).to_contain_text("this page had expired")
    kept = draft(page)
    assert kept is not None
    assert kept["token"] == own_token
    assert "ATTACKER ANSWER" not in json.dumps(kept)
    submit(page)
    expect_thanks(page, live_server)
    [response] = stored()
    assert stored_answers(response) == EXPECTED
    assert response.submission_token == own_token
