"""Repeated sections ("Add another") in real Chromium: with the script, without, and from a
draft kept on the device."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer
from tests.conftest import DATA_DIR
from tests.database import AppMaker

from .conftest import app_serving
from .test_accessibility import axe_violations

REPEATS = DATA_DIR / "questionnaires" / "repeats"


@pytest.fixture
def app(make_app: AppMaker, tmp_path: Path) -> Flask:
    """The real app (CSRF on, committing) serving only the repeat fixture questionnaire."""
    return app_serving(make_app, tmp_path, REPEATS)


def stored_members(app: Flask) -> list[tuple[str, int, str | None, float | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(Answer.question_id, Answer.instance, Answer.text_value, Answer.number_value)
            .where(Answer.question_id.in_(["member_name", "member_age"]))
            .order_by(Answer.instance, Answer.question_id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def member(page: Page, n: int):
    return page.locator(f'[data-item="{n}"]')


def test_add_another_in_the_page_then_submit_stores_each_item(page: Page, live_server, app):
    page.goto(f"{live_server}/q/household")
    page.get_by_label("What is your name?").fill("Ana")
    member(page, 1).get_by_label("Member's name").fill("Bo")
    member(page, 1).get_by_label("Member's age").fill("41")
    page.get_by_role("button", name="Add another member").click()
    expect(member(page, 2)).to_be_visible()
    expect(member(page, 2).get_by_label("Member's name")).to_be_focused()
    member(page, 2).get_by_label("Member's name").fill("Cy")
    member(page, 2).get_by_label("Child").check()
    page.get_by_role("button", name="Add another member").click()
    member(page, 3).get_by_label("Member's name").fill("Di")
    expect(page.get_by_role("button", name="Add another member")).to_be_hidden()
    expect(page.get_by_text("You can give at most 3 items here.")).to_be_visible()
    page.get_by_role("button", name="Remove Member 2").click()
    expect(member(page, 3)).to_have_count(0)
    expect(member(page, 2).get_by_label("Member's name")).to_have_value("Di")
    expect(member(page, 2).get_by_label("Child")).not_to_be_checked()
    page.get_by_role("button", name="Submit").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank")
    assert stored_members(app) == [
        ("member_age", 1, None, 41.0),
        ("member_name", 1, "Bo", None),
        ("member_name", 2, "Di", None),
    ]


def test_without_the_script_add_another_posts_and_keeps_every_answer(
    new_phone_page: Callable[..., Page], live_server, app
):
    page = new_phone_page(java_script_enabled=False)
    page.goto(f"{live_server}/q/household")
    page.get_by_label("What is your name?").fill("Ana")
    member(page, 1).get_by_label("Member's name").fill("Bo")
    page.get_by_role("button", name="Add another member").click()
    expect(member(page, 2)).to_be_visible()
    expect(page.get_by_label("What is your name?")).to_have_value("Ana")
    expect(member(page, 1).get_by_label("Member's name")).to_have_value("Bo")
    member(page, 2).get_by_label("Member's age").fill("300")
    page.get_by_role("button", name="Submit").last.click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Member 2: Member's age — Enter a number from 0 to 120.")
    expect(summary).to_contain_text("Member 2: Member's name — Please answer this question.")
    assert stored_members(app) == []
    member(page, 2).get_by_label("Member's name").fill("Cy")
    member(page, 2).get_by_label("Member's age").fill("30")
    page.get_by_role("button", name="Submit").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank")
    assert stored_members(app) == [
        ("member_name", 1, "Bo", None),
        ("member_age", 2, None, 30.0),
        ("member_name", 2, "Cy", None),
    ]


def test_a_reload_puts_back_every_item_kept_on_the_device(page: Page, live_server):
    page.goto(f"{live_server}/q/household")
    member(page, 1).get_by_label("Member's name").fill("Bo")
    page.get_by_role("button", name="Add another member").click()
    member(page, 2).get_by_label("Member's name").fill("Cy")
    member(page, 2).get_by_label("Adult").check()
    page.reload()
    expect(member(page, 2).get_by_label("Member's name")).to_have_value("Cy")
    expect(member(page, 2).get_by_label("Adult")).to_be_checked()
    expect(member(page, 1).get_by_label("Member's name")).to_have_value("Bo")
    expect(page.locator("input[name='q_members.items']")).to_have_value("2")


def test_a_form_with_items_and_errors_has_no_axe_violations(
    new_phone_page: Callable[..., Page], live_server
):
    page = new_phone_page(bypass_csp=True)
    page.goto(f"{live_server}/q/household")
    page.get_by_role("button", name="Add another member").click()
    member(page, 2).get_by_label("Member's age").fill("300")
    page.get_by_role("button", name="Submit").last.click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert axe_violations(page) == []
