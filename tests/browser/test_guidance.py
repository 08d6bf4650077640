"""Guidance while answering: progress per section, mistakes shown as they are made, Enter
held in one-line fields, the language switch at the top and Back after it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.conftest import NEEDS

from .test_participant_form import (
    EXPECTED,
    fill_needs_assessment,
    group,
    open_form,
    stored_answers,
)

FORMATS = "Which training formats suit you best?"


def posts(page: Page) -> list[str]:
    """The URLs the page posts to from now on."""
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    return sent


def test_each_section_says_how_much_of_it_is_answered(page, live_server):
    open_form(page, live_server)
    progress = group(page, "How you learn best").locator("[data-progress]")
    # Session length applies only once an online format is chosen.
    expect(progress).to_have_text("0 of 1 answered")
    page.get_by_label("Live online sessions").check()
    expect(progress).to_have_text("1 of 2 answered")
    page.get_by_label("1 to 2 hours").check()
    expect(progress).to_have_text("2 of 2 answered")
    expect(progress).to_have_class(re.compile(r"\bcomplete\b"))


def test_too_many_picks_are_flagged_as_they_are_made(page, live_server):
    open_form(page, live_server)
    formats = group(page, FORMATS)
    for label in ("In-person workshop", "Live online sessions", "Self-paced online course"):
        formats.get_by_label(label).check()
    message = page.locator('[data-question="preferred_formats"] .live-check')
    expect(message).to_be_empty()
    formats.get_by_label("Peer exchange with other organisations").check()
    expect(message).to_have_text("Choose at most 3.")
    expect(message).to_have_attribute("aria-live", "polite")
    expect(formats.get_by_label("In-person workshop")).to_have_attribute("aria-invalid", "true")
    outline = formats.locator(".choices").evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"  # outlined, not only messaged
    formats.get_by_label("In-person workshop").uncheck()
    expect(message).to_be_empty()
    expect(formats.get_by_label("Live online sessions")).not_to_have_attribute(
        "aria-invalid", "true"
    )


def test_an_item_ranked_twice_is_flagged_as_it_is_chosen(page, live_server):
    open_form(page, live_server)
    page.get_by_label("Place 1").select_option(label="Cybercrime")
    message = page.locator('[data-question="crime_areas"] .live-check')
    expect(message).to_be_empty()
    page.get_by_label("Place 2").select_option(label="Cybercrime")
    expect(message).to_have_text("Each item can be ranked only once.")
    expect(page.get_by_label("Place 2")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Place 2").select_option(label="Trafficking in persons")
    expect(message).to_be_empty()


def test_enter_in_a_text_field_does_not_send_the_form(page, live_server, stored):
    open_form(page, live_server)
    sent = posts(page)
    years = page.get_by_label("How many years have you worked")
    years.fill("7")
    years.press("Enter")
    page.wait_for_timeout(500)
    assert sent == []
    expect(page.locator("#error-summary")).to_have_count(0)
    expect(years).to_have_value("7")
    assert stored() == []


def test_language_switch_comes_before_the_questionnaire(page, live_server):
    open_form(page, live_server)
    switch = page.get_by_role("group", name="Language")
    heading = page.get_by_role("heading", level=1)
    assert switch.evaluate(
        "(el, h1) => !!(el.compareDocumentPosition(h1) & Node.DOCUMENT_POSITION_FOLLOWING)",
        heading.element_handle(),
    )


def test_back_after_a_language_switch_and_a_submit_shows_the_form_again(page, live_server, stored):
    """The switch is a GET with the script: Back never lands on a page that was a post."""
    open_form(page, live_server)
    fill_needs_assessment(page)
    page.get_by_role("button", name="Français").click()
    expect(page).to_have_url(f"{live_server}/q/{NEEDS}?lang=fr")
    expect(page.get_by_label("Organisation non gouvernementale")).to_be_checked()
    page.get_by_role("button", name="Envoyer").click()
    expect(page).to_have_url(f"{live_server}/q/{NEEDS}/thanks?lang=fr")

    page.go_back()
    expect(page).to_have_url(f"{live_server}/q/{NEEDS}?lang=fr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Évaluation des besoins")
    page.go_back()
    expect(page).to_have_url(f"{live_server}/q/{NEEDS}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Needs assessment")
    [response] = stored()
    assert stored_answers(response) == EXPECTED


def test_without_javascript_the_switch_still_posts_and_keeps_the_answers(
    new_phone_page, live_server, stored
):
    page = new_phone_page(java_script_enabled=False)
    open_form(page, live_server)
    fill_needs_assessment(page)
    page.get_by_role("button", name="Français").click()
    expect(page.get_by_label("Organisation non gouvernementale")).to_be_checked()
    page.get_by_role("button", name="Envoyer").click()
    expect(page).to_have_url(f"{live_server}/q/{NEEDS}/thanks?lang=fr")
    assert len(stored()) == 1
