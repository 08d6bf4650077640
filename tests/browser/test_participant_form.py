"""The participant form in a real browser on a 360-px phone: fill, skip logic, errors, no JS."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import request
from playwright.sync_api import Locator, Page, expect

from survey_app.models import Response
from tests.conftest import NEEDS

PHONE_WIDTH = 360
MATRIX_ROWS = [
    ("engaging_government", "Engaging with government"),
    ("review_mechanism", "Taking part in the UNTOC review mechanism"),
    ("advocacy", "Advocacy and policy dialogue"),
    ("data_collection", "Data collection and research"),
    ("victim_support", "Victim and witness support"),
    ("digital_literacy", "Digital literacy and online safety"),
]
IMPORTANCE = {row: 5 - i % 3 for i, (row, _) in enumerate(MATRIX_ROWS)}
CONFIDENCE = {row: 1 + i % 4 for i, (row, _) in enumerate(MATRIX_ROWS)}
COMMENT = "Please share the slides.\nAnd the reading list — in French if possible."

#: What `fill_needs_assessment` stores, in the shape `stored_answers` reads it back.
EXPECTED = {
    "stakeholder_type": {"ngo"},
    "country": {"MY"},
    "years_experience": 7,
    "gender": {"undisclosed"},
    "familiarity_untoc": 3,
    "familiarity_review": 2,
    "engaged_before": {"yes"},
    "engagement_channels": {"written_submission", "shadow_report", ("_other", "Side event")},
    "kt_protocols": {"trafficking_protocol", "firearms_protocol"},
    "kt_review_body": {"cop"},
    "kt_civil_society_role": {"constructive_dialogues"},
    "crime_areas": {1: "cybercrime", 2: "trafficking", 3: "wildlife"},
    "capacity_importance": IMPORTANCE,
    "confidence": CONFIDENCE,
    "preferred_formats": {"online_live", "mentoring"},
    "session_length": {"medium"},
    "comments": COMMENT,
}


# --- helpers -------------------------------------------------------------------------


def group(scope: Page | Locator, name: str) -> Locator:
    """A fieldset found by its legend, as assistive technology announces it."""
    return scope.get_by_role("group", name=name)


def point(scope: Locator, value: int) -> Locator:
    """The radio of one scale point; end points are labelled e.g. "5 – Essential"."""
    return scope.get_by_role("radio", name=re.compile(rf"^{value}(\s|$)"))


def rate_matrix(page: Page, prompt: str, ratings: dict[str, int]) -> None:
    matrix = group(page, prompt)
    for row, label in MATRIX_ROWS:
        point(group(matrix, label), ratings[row]).check()


def open_form(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/q/{NEEDS}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Needs assessment")


def fill_needs_assessment(page: Page, *, skip: frozenset[str] = frozenset()) -> None:
    """Answer every question of the sample the way EXPECTED says, except those in `skip`."""
    steps: dict[str, Callable[[], Any]] = {
        "stakeholder_type": lambda: page.get_by_label("Non-governmental organisation").check(),
        "country": lambda: page.get_by_label(
            "In which country is your organisation based?"
        ).select_option(label="Malaysia"),
        "years_experience": lambda: page.get_by_label("How many years have you worked").fill("7"),
        "gender": lambda: group(page, "Gender").get_by_label("Prefer not to say").check(),
        "familiarity_untoc": lambda: point(
            group(page, "familiar are you with the UN Convention"), 3
        ).check(),
        "familiarity_review": lambda: point(
            group(page, "familiar are you with the UNTOC review"), 2
        ).check(),
        "engaged_before": lambda: (
            group(page, "Has your organisation ever contributed")
            .get_by_label("Yes", exact=True)
            .check()
        ),
        "engagement_channels": lambda: fill_engagement_channels(page),
        "kt_protocols": lambda: (
            page.get_by_label("Trafficking in Persons Protocol").check(),
            page.get_by_label("Firearms Protocol").check(),
        ),
        "kt_review_body": lambda: page.get_by_label("The Conference of the Parties").check(),
        "kt_civil_society_role": lambda: page.get_by_label(
            "Through constructive dialogues"
        ).check(),
        "crime_areas": lambda: (
            page.get_by_label("Place 1").select_option(label="Cybercrime"),
            page.get_by_label("Place 2").select_option(label="Trafficking in persons"),
            page.get_by_label("Place 3").select_option(label="Wildlife and forest crime"),
        ),
        "capacity_importance": lambda: rate_matrix(page, "How important is each", IMPORTANCE),
        "confidence": lambda: rate_matrix(page, "How confident are you today", CONFIDENCE),
        "preferred_formats": lambda: (
            page.get_by_label("Live online sessions").check(),
            page.get_by_label("Mentoring by an expert").check(),
        ),
        "session_length": lambda: page.get_by_label("1 to 2 hours").check(),
        "comments": lambda: page.get_by_label("Is there anything else we should know").fill(
            COMMENT
        ),
    }
    assert set(steps) == set(EXPECTED)
    for question_id, step in steps.items():
        if question_id not in skip:
            step()


def fill_engagement_channels(page: Page) -> None:
    channels = group(page, "How did your organisation contribute?")
    channels.get_by_label("Written submission").check()
    channels.get_by_label("Shadow or parallel report").check()
    channels.get_by_label("Other, please specify").fill("Side event")


def submit(page: Page) -> None:
    page.get_by_role("button", name="Submit").click()


def expect_thanks(page: Page, base_url: str) -> None:
    expect(page).to_have_url(f"{base_url}/q/{NEEDS}/thanks")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()


def stored_answers(response: Response) -> dict[str, Any]:
    """Answer rows folded back per question: option sets, {rank|row: value}, numbers, text."""
    out: dict[str, Any] = {}
    for a in response.answers:
        if a.rank is not None:
            out.setdefault(a.question_id, {})[a.rank] = a.option_value
        elif a.row is not None:
            out.setdefault(a.question_id, {})[a.row] = a.number_value
        elif a.option_value is not None:
            value = a.option_value if a.text_value is None else (a.option_value, a.text_value)
            out.setdefault(a.question_id, set()).add(value)
        elif a.number_value is not None:
            out[a.question_id] = a.number_value
        else:
            out[a.question_id] = a.text_value
    return out


def overflowing_elements(page: Page) -> list[str]:
    """Elements whose right edge passes the viewport, to say what broke the layout."""
    return page.evaluate(
        """(width) => Array.from(document.querySelectorAll('body *'))
            .filter(el => el.getBoundingClientRect().right > width + 0.5)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                 + ' ' + Math.round(el.getBoundingClientRect().right))
            .slice(0, 10)""",
        PHONE_WIDTH,
    )


def assert_no_horizontal_scroll(page: Page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE_WIDTH, overflowing_elements(page)


# --- tests ---------------------------------------------------------------------------


def test_whole_questionnaire_filled_on_a_phone_is_stored_once(page, live_server, stored):
    open_form(page, live_server)
    fill_needs_assessment(page)
    submit(page)
    expect_thanks(page, live_server)
    [response] = stored()
    assert response.questionnaire_id == NEEDS
    assert stored_answers(response) == EXPECTED


def test_engagement_channels_show_only_after_yes_and_a_hidden_answer_is_not_sent(
    page, live_server, stored
):
    open_form(page, live_server)
    channels = group(page, "How did your organisation contribute?")
    engaged = group(page, "Has your organisation ever contributed")
    expect(channels).to_be_hidden()

    engaged.get_by_label("Yes", exact=True).check()
    expect(channels).to_be_visible()
    fill_engagement_channels(page)

    engaged.get_by_label("No", exact=True).check()
    expect(channels).to_be_hidden()
    engaged.get_by_label("Not sure").check()
    expect(channels).to_be_hidden()
    engaged.get_by_label("Yes", exact=True).check()
    expect(channels).to_be_visible()
    expect(channels.get_by_label("Other, please specify")).to_have_value("Side event")
    engaged.get_by_label("No", exact=True).check()
    expect(channels).to_be_hidden()

    fill_needs_assessment(page, skip=frozenset({"engaged_before", "engagement_channels"}))
    with page.expect_request(lambda r: r.method == "POST") as posted:
        submit(page)
    expect_thanks(page, live_server)
    assert "q_engagement_channels" not in (posted.value.post_data or "")
    [response] = stored()
    answers = stored_answers(response)
    assert answers["engaged_before"] == {"no"}
    assert "engagement_channels" not in answers


def test_session_length_shows_only_for_online_formats(page, live_server):
    open_form(page, live_server)
    length = group(page, "For online sessions, what length works best?")
    expect(length).to_be_hidden()

    page.get_by_label("In-person workshop").check()
    expect(length).to_be_hidden()
    page.get_by_label("Live online sessions").check()
    expect(length).to_be_visible()
    page.get_by_label("Live online sessions").uncheck()
    expect(length).to_be_hidden()
    page.get_by_label("Self-paced online course").check()
    expect(length).to_be_visible()
    page.get_by_label("Self-paced online course").uncheck()
    expect(length).to_be_hidden()


def test_missing_country_shows_errors_keeps_answers_and_stores_once_fixed(
    page, live_server, stored
):
    open_form(page, live_server)
    fill_needs_assessment(page, skip=frozenset({"country"}))
    submit(page)

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(summary).to_be_in_viewport()
    summary_above_questions = (
        "document.querySelector('#error-summary').compareDocumentPosition("
        "document.querySelector('[data-question]')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert page.evaluate(summary_above_questions)

    country = page.get_by_label("In which country is your organisation based?")
    expect(country).to_have_attribute("aria-invalid", "true")
    expect(country).to_have_accessible_description(re.compile("Please answer this question"))
    expect(page.locator('[data-question="country"] .error-message')).to_be_visible()
    summary.get_by_role("link", name=re.compile("In which country")).click()
    expect(country).to_be_focused()
    expect(country).to_be_in_viewport()
    expect(page.locator('label[for="q_country"]')).to_be_in_viewport()
    expect(page).to_have_url(f"{live_server}/q/{NEEDS}")  # no #fragment to carry along

    # Everything else came back as it was typed, chosen or ticked.
    expect(page.get_by_label("Non-governmental organisation")).to_be_checked()
    expect(page.get_by_label("How many years have you worked")).to_have_value("7")
    expect(point(group(page, "familiar are you with the UN Convention"), 3)).to_be_checked()
    expect(group(page, "How did your organisation contribute?")).to_be_visible()
    expect(page.get_by_label("Written submission")).to_be_checked()
    expect(page.get_by_label("Firearms Protocol")).to_be_checked()
    expect(page.get_by_label("Place 1")).to_have_value("cybercrime")
    expect(page.get_by_label("Place 3")).to_have_value("wildlife")
    confidence = group(page, "How confident are you today")
    expect(point(group(confidence, "Advocacy and policy dialogue"), 3)).to_be_checked()
    expect(page.get_by_label("1 to 2 hours")).to_be_checked()
    expect(page.get_by_label("Is there anything else we should know")).to_have_value(COMMENT)
    assert stored() == []

    country.select_option(label="Malaysia")
    submit(page)
    expect_thanks(page, live_server)
    [response] = stored()
    assert stored_answers(response) == EXPECTED


def test_without_javascript_every_question_shows_with_its_condition_and_submits(
    new_phone_page, live_server, stored
):
    page = new_phone_page(java_script_enabled=False)
    open_form(page, live_server)
    for prompt, condition in [
        ("How did your organisation contribute?", "Answer only if you answered “Yes” to"),
        ("For online sessions, what length works best?", "Answer only if you answered"),
    ]:
        question = group(page, prompt)
        expect(question).to_be_visible()
        expect(question.get_by_text(condition)).to_be_visible()
        expect(question).to_have_accessible_description(re.compile(condition))

    fill_needs_assessment(page)
    submit(page)
    expect_thanks(page, live_server)
    [response] = stored()
    assert stored_answers(response) == EXPECTED


def test_without_javascript_answers_to_questions_that_do_not_apply_are_dropped(
    new_phone_page, live_server, stored
):
    page = new_phone_page(java_script_enabled=False)
    open_form(page, live_server)
    fill_needs_assessment(page, skip=frozenset({"engaged_before", "preferred_formats"}))
    group(page, "Has your organisation ever contributed").get_by_label("No", exact=True).check()
    page.get_by_label("In-person workshop").check()
    with page.expect_request(lambda r: r.method == "POST") as posted:
        submit(page)
    expect_thanks(page, live_server)
    sent = posted.value.post_data or ""
    assert "q_engagement_channels=" in sent  # the browser sent them ...
    assert "q_session_length=medium" in sent
    [response] = stored()
    answers = stored_answers(response)  # ... and the server did not keep them
    assert answers["engaged_before"] == {"no"}
    assert answers["preferred_formats"] == {"in_person_workshop"}
    assert "engagement_channels" not in answers
    assert "session_length" not in answers


def test_double_click_and_resubmit_after_back_store_one_response(page, live_server, stored):
    """Back shows the restored answers under the same submission token: sending is a repeat."""
    open_form(page, live_server)
    fill_needs_assessment(page)
    page.get_by_role("button", name="Submit").dblclick()
    expect_thanks(page, live_server)
    assert len(stored()) == 1

    page.go_back()
    expect(page).to_have_url(f"{live_server}/q/{NEEDS}")
    # The browser put the answers back; the follow-up question they open shows again.
    expect(page.get_by_label("Is there anything else we should know")).to_have_value(COMMENT)
    expect(group(page, "How did your organisation contribute?")).to_be_visible()
    expect(page.get_by_label("Written submission")).to_be_checked()
    submit(page)
    expect_thanks(page, live_server)
    [response] = stored()
    assert stored_answers(response) == EXPECTED


def test_second_tap_on_a_slow_network_sends_twice_but_stores_once(page, app, live_server, stored):
    posts: list[str] = []

    @app.before_request
    def count_posts() -> None:
        if request.method == "POST":
            posts.append(request.path)

    open_form(page, live_server)
    fill_needs_assessment(page)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1000, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    # The second tap lands while the first answer is still on its way back.
    page.get_by_role("button", name="Submit").evaluate(
        "button => { button.click(); setTimeout(() => button.click(), 300); }"
    )
    expect_thanks(page, live_server)
    assert posts == [f"/q/{NEEDS}", f"/q/{NEEDS}"]
    [response] = stored()
    assert stored_answers(response) == EXPECTED


def test_phone_page_never_scrolls_sideways(page, new_phone_page, live_server):
    without_js = new_phone_page(java_script_enabled=False)
    open_form(without_js, live_server)  # every question and condition hint showing
    assert_no_horizontal_scroll(without_js)

    open_form(page, live_server)
    assert_no_horizontal_scroll(page)
    fill_needs_assessment(page, skip=frozenset({"country", "crime_areas"}))
    page.get_by_label("Place 1").select_option(label="Illicit tobacco trade")
    assert_no_horizontal_scroll(page)
    submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    assert_no_horizontal_scroll(page)
