"""The training page: questionnaire titles, live counts as JSON, copy buttons, local times,
and a confirmation before a new link replaces the printed one."""

from __future__ import annotations

from tests.conftest import (
    CODE,
    needs_assessment_answers,
    open_training,
    post_training_answers,
    submit,
)


def test_phases_are_named_by_questionnaire_title(logged_in):
    training = open_training(logged_in)
    page = logged_in.get(f"/staff/trainings/{training}").get_data(as_text=True)
    assert "Before the training: Needs assessment" in page
    assert "the training: untoc-needs-assessment<" not in page


def test_counts_json_follows_submissions(app, logged_in):
    training = open_training(logged_in)
    url = f"/staff/trainings/{training}/counts.json"
    empty = logged_in.get(url)
    assert empty.headers["Cache-Control"] == "no-store"
    assert empty.get_json() == {"pre": 0, "post": 0, "pairs": 0, "last": None}
    submit(app, training, "pre", {**needs_assessment_answers(), **CODE})
    submit(app, training, "post", {**post_training_answers(), **CODE})
    counts = logged_in.get(url).get_json()
    assert (counts["pre"], counts["post"], counts["pairs"]) == (1, 1, 1)
    assert counts["last"].endswith("+00:00")
    page = logged_in.get(f"/staff/trainings/{training}").get_data(as_text=True)
    assert f'data-counts-url="{url}"' in page
    assert "data-local-time" in page
    assert "js/staff.js" in page


def test_counts_json_needs_a_login(client, app, logged_in):
    training = open_training(logged_in)
    assert app.test_client().get(f"/staff/trainings/{training}/counts.json").status_code == 302


def test_each_link_has_a_copy_button(logged_in):
    training = open_training(logged_in)
    page = logged_in.get(f"/staff/trainings/{training}").get_data(as_text=True)
    assert 'data-copy="#link-pre"' in page
    assert 'data-copy="#link-post"' in page
    assert 'id="link-pre"' in page


def test_new_link_asks_first_and_warns_about_printed_qr_codes(app, logged_in):
    training = open_training(logged_in)
    page = logged_in.get(f"/staff/trainings/{training}").get_data(as_text=True)
    confirm_url = f"/staff/trainings/{training}/links/pre/confirm?action=regenerate"
    assert confirm_url.replace("&", "&amp;") in page or confirm_url in page
    assert 'name="action" value="regenerate"' not in page  # no one-click replacement
    confirm = logged_in.get(confirm_url).get_data(as_text=True)
    assert "QR codes" in confirm
    assert "stops working" in confirm
    assert 'name="action" value="regenerate"' in confirm
    assert (
        logged_in.get(f"/staff/trainings/{training}/links/pre/confirm?action=x").status_code == 404
    )
