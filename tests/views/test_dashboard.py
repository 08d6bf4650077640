"""A training's dashboard: counts, pairs, completion chart, links; and its QR codes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import (
    CODE,
    link_token,
    needs_assessment_answers,
    open_training,
    post_training_answers,
    submit,
)

OTHER_CODE = {"code_letters": "Zo", "code_day": "30", "code_digits": "11"}


def figure(page, name):
    return re.search(rf'data-figure="{name}">([^<]*)<', page)[1]


def test_new_training_shows_zero_responses_and_no_chart(logged_in):
    training_id = open_training(logged_in)
    page = logged_in.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert (figure(page, "pre"), figure(page, "post"), figure(page, "pairs")) == ("0", "0", "0")
    assert "none yet" in page
    assert "data:image/svg+xml" not in page


def test_dashboard_counts_responses_pairs_duplicates_and_unmatched(app, logged_in):
    training_id = open_training(logged_in)
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})  # same code again
    submit(app, training_id, "pre", {**needs_assessment_answers(), **OTHER_CODE})
    submit(app, training_id, "post", {**post_training_answers(), **CODE})
    unmatched = {**post_training_answers(), "code_letters": "Qq", "code_day": "1"}
    assert "matched=0" in submit(app, training_id, "post", {**unmatched, "code_digits": "00"})

    page = logged_in.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert (figure(page, "pre"), figure(page, "post"), figure(page, "pairs")) == ("3", "2", "1")
    assert "1 code was used for more than one response before the training" in page
    assert "1 response after the training matched no code from before" in page
    assert "UTC</time>" in page
    assert '<img src="data:image/svg+xml;base64,' in page


def test_dashboard_links_to_exports_reports_and_deletion(app, logged_in):
    training_id = open_training(logged_in)
    page = logged_in.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert f'method="post" action="/staff/trainings/{training_id}/export.csv"' in page
    assert f'formaction="/staff/trainings/{training_id}/export.xlsx"' in page
    assert 'name="text" value="1"' in page
    assert f"/staff/trainings/{training_id}/delete-responses" in page
    assert f"/staff/trainings/{training_id}/qr/pre.svg" in page
    assert f"/staff/trainings/{training_id}/qr/post" in page
    if "reports.index" in app.view_functions:
        assert f"/reports/?training={training_id}" in page


def test_staff_can_close_and_reopen_collection(app, logged_in):
    training_id = open_training(logged_in)
    token = link_token(app, training_id, "pre")
    logged_in.post(f"/staff/trainings/{training_id}/status", data={"status": "closed"})
    assert app.test_client().get(f"/t/{token}").status_code == 403
    page = logged_in.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert 'value="open">Open collection' in page
    logged_in.post(f"/staff/trainings/{training_id}/status", data={"status": "open"})
    assert app.test_client().get(f"/t/{token}").status_code == 200


def test_qr_code_is_a_scalable_svg_of_the_participant_link(app, logged_in):
    training_id = open_training(logged_in)
    response = logged_in.get(f"/staff/trainings/{training_id}/qr/pre.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "no-store"
    root = ET.fromstring(response.get_data())  # noqa: S314 -- our own SVG, not untrusted input
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("width") is None
    assert root.get("height") is None
    assert len(root.findall("{http://www.w3.org/2000/svg}path")) == 1


def test_qr_page_shows_title_phase_and_link_for_printing(app, logged_in):
    training_id = open_training(logged_in)
    token = link_token(app, training_id, "post")
    page = logged_in.get(f"/staff/trainings/{training_id}/qr/post").get_data(as_text=True)
    assert f'src="/staff/trainings/{training_id}/qr/post.svg"' in page
    assert "Regional workshop, Putrajaya" in page
    assert "After the training" in page
    assert f"http://localhost/t/{token}" in page


def test_qr_code_of_a_revoked_link_is_404(logged_in):
    training_id = open_training(logged_in)
    logged_in.post(f"/staff/trainings/{training_id}/links/pre", data={"action": "revoke"})
    assert logged_in.get(f"/staff/trainings/{training_id}/qr/pre.svg").status_code == 404
    assert logged_in.get(f"/staff/trainings/{training_id}/qr/pre").status_code == 404
    assert logged_in.get(f"/staff/trainings/{training_id}/qr/post.svg").status_code == 200


def test_qr_code_of_a_phase_without_questionnaire_or_unknown_phase_is_404(logged_in):
    training_id = open_training(logged_in, post_questionnaire_id="")
    assert logged_in.get(f"/staff/trainings/{training_id}/qr/post.svg").status_code == 404
    assert logged_in.get(f"/staff/trainings/{training_id}/qr/during.svg").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/staff/trainings/999",
        "/staff/trainings/999/qr/pre.svg",
        "/staff/trainings/999/qr/pre",
        "/staff/trainings/999/delete-responses",
    ],
)
def test_changing_the_id_in_the_url_to_a_missing_training_is_404(logged_in, path):
    assert logged_in.get(path).status_code == 404


@pytest.mark.parametrize(
    "path", ["/staff/trainings/999/export.csv", "/staff/trainings/999/export.xlsx"]
)
def test_exporting_a_missing_training_is_404(logged_in, path):
    assert logged_in.post(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/staff/trainings/1/qr/pre.svg",
        "/staff/trainings/1/qr/pre",
        "/staff/trainings/1/delete-responses",
        "/staff/audit",
        "/staff/users",
    ],
)
def test_data_pages_require_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "path", ["/staff/trainings/1/export.csv", "/staff/trainings/1/export.xlsx"]
)
def test_exports_require_login(client, path):
    response = client.post(path)
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]
