"""Accessibility we can state (docs/accessibility.md): axe-core finds no WCAG 2.2 A/AA
violation on any participant page or the main staff pages, the focus ring has 3:1 contrast,
fields in error are outlined, matrix radios name their row, and a whole questionnaire can be
answered with the keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from survey_app.auth import create_user
from survey_app.extensions import db
from survey_app.settings import ROOT
from tests.conftest import NEEDS, needs_assessment_answers

from .test_participant_form import (
    expect_thanks,
    fill_needs_assessment,
    group,
    open_form,
    point,
    stored_answers,
    submit,
)
from .test_staff_flow import create_training

#: Installed by `make install` and .ci/run with `npm install --no-save axe-core`.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ADMIN = "admin@example.org"
PASSWORD = "correct horse battery staple"

RUN_AXE = """async tags => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
}"""


def axe_violations(page: Page) -> list[str]:
    """What axe-core reports against WCAG 2.0, 2.1 and 2.2, levels A and AA."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make install` (npm install --no-save axe-core)")
    page.add_script_tag(path=str(AXE))
    violations: list[str] = page.evaluate(RUN_AXE, WCAG_TAGS)
    return violations


@pytest.fixture
def axe_page(new_phone_page: Callable[..., Page]) -> Page:
    """A phone page that lets Playwright inject axe-core past the app's CSP."""
    return new_phone_page(bypass_csp=True)


def test_participant_pages_have_no_axe_violations(axe_page, live_server):
    page = axe_page
    checked: dict[str, list[str]] = {}
    page.goto(f"{live_server}/")
    checked["index"] = axe_violations(page)
    open_form(page, live_server)
    checked["form"] = axe_violations(page)
    submit(page)  # nothing answered: the error summary and every field in error
    expect(page.locator("#error-summary")).to_be_visible()
    checked["form with errors"] = axe_violations(page)
    page.goto(f"{live_server}/q/{NEEDS}?lang=fr")
    checked["form in French"] = axe_violations(page)
    page.goto(f"{live_server}/q/{NEEDS}")
    fill_needs_assessment(page)
    submit(page)
    expect_thanks(page, live_server)
    checked["thanks"] = axe_violations(page)
    page.goto(f"{live_server}/t/no-such-link")
    checked["link that does not work"] = axe_violations(page)
    assert {name: found for name, found in checked.items() if found} == {}


@pytest.fixture
def admin(app: Flask, fast_password_hashing: None) -> str:
    with app.app_context():
        create_user(db.session(), ADMIN, PASSWORD, "admin")
        db.session.commit()
    return ADMIN


def test_main_staff_pages_have_no_axe_violations(new_phone_page, live_server, admin):
    page = new_phone_page(bypass_csp=True, viewport={"width": 1280, "height": 900})
    checked: dict[str, list[str]] = {}
    page.goto(f"{live_server}/staff/login")
    checked["login"] = axe_violations(page)
    page.get_by_label("Email").fill(admin)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Trainings", level=1)).to_be_visible()
    checked["trainings"] = axe_violations(page)
    page.get_by_role("link", name="New training").click()
    checked["new training"] = axe_violations(page)
    page.go_back()
    create_training(page)
    checked["training"] = axe_violations(page)
    for name, path in (
        ("reports", "/reports/"),
        ("accounts", "/staff/users"),
        ("audit log", "/staff/audit"),
        ("password", "/staff/password"),
    ):
        page.goto(f"{live_server}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        checked[name] = axe_violations(page)
    assert {name: found for name, found in checked.items() if found} == {}


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two `rgb(r, g, b)` colours."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_focus_ring_has_at_least_3_to_1_contrast_with_the_page(page, live_server):
    open_form(page, live_server)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    ring: dict[str, Any] = page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {width: parseFloat(style.outlineWidth), style: style.outlineStyle,
                    colour: style.outlineColor,
                    page: getComputedStyle(document.body).backgroundColor};
        }"""
    )
    assert ring["style"] == "solid"
    assert ring["width"] >= 2
    assert contrast(ring["colour"], ring["page"]) >= 3
    # ... and against the green of the Submit button it surrounds.
    assert contrast(ring["colour"], "rgb(0, 112, 60)") >= 3


def test_fields_in_error_are_outlined_not_only_messaged(page, live_server):
    open_form(page, live_server)
    submit(page)
    country = page.get_by_label("In which country is your organisation based?")
    expect(country).to_have_attribute("aria-invalid", "true")
    assert country.evaluate("el => getComputedStyle(el).borderTopColor") == "rgb(177, 14, 30)"
    assert country.evaluate("el => parseFloat(getComputedStyle(el).borderTopWidth)") >= 3
    choices = page.locator('[data-question="stakeholder_type"] .choices')
    assert choices.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    assert choices.evaluate("el => getComputedStyle(el).outlineColor") == "rgb(177, 14, 30)"


def test_matrix_radios_are_named_by_their_row_and_column(page, live_server):
    open_form(page, live_server)
    confidence = group(page, "How confident are you today")
    row = group(confidence, "Advocacy and policy dialogue")
    expect(point(row, 1)).to_have_accessible_name(
        re.compile(r"^1 – .+ – Advocacy and policy dialogue$")
    )
    expect(point(row, 3)).to_have_accessible_name("3 – Advocacy and policy dialogue")


def focused(page: Page) -> dict[str, Any]:
    """The focused element: its tag, type, name, value, state and text."""
    focused: dict[str, Any] = page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName, type: el.type || "", name: el.name || "",
                    value: el.value || "", checked: !!el.checked,
                    text: (el.textContent || "").trim(), hidden: el.tabIndex < 0};
        }"""
    )
    return focused


def choose_with_keys(page: Page, wanted: str) -> None:
    """Move the focused radio group or select to `wanted` with arrow keys only."""
    for _ in range(300):
        here = focused(page)
        if here["value"] == wanted:
            if here["type"] == "radio" and not here["checked"]:
                page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"could not reach {wanted!r} with the arrow keys")


def test_a_whole_questionnaire_can_be_answered_with_the_keyboard_alone(page, live_server, stored):
    wanted = needs_assessment_answers()
    open_form(page, live_server)
    for _ in range(400):
        page.keyboard.press("Tab")
        here = focused(page)
        value = wanted.get(here["name"])
        if here["tag"] == "BUTTON" and here["text"] == "Submit":
            page.keyboard.press("Enter")
            break
        if value is None:
            continue
        if here["type"] == "checkbox":
            if here["value"] in value:
                page.keyboard.press("Space")
        elif here["type"] == "radio" or here["tag"] == "SELECT":
            choose_with_keys(page, value)
        else:
            page.keyboard.type(value)
    else:
        raise AssertionError("never reached the Submit button")
    expect_thanks(page, live_server)
    [response] = stored()
    answers = stored_answers(response)
    assert answers["country"] == {"MY"}
    assert answers["engaged_before"] == {"no"}
    assert answers["kt_protocols"] == {"trafficking_protocol", "smuggling_protocol"}
    assert answers["crime_areas"] == {1: "trafficking", 2: "cybercrime", 3: "corruption"}
    assert answers["confidence"]["digital_literacy"] == 2
    assert answers["comments"] == "Please share the slides."
