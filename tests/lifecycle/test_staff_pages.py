"""/staff/questionnaires: editors upload, preview, publish and retire; others may not."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.uploads import UploadError, read_upload
from tests.conftest import add_account, log_in
from tests.lifecycle.conftest import answer, versions
from tests.lifecycle.content import pulse


@pytest.fixture
def editor(pulse_app, fast_password_hashing):
    client = log_in(pulse_app.test_client(), add_account(pulse_app, "ed@example.org", "editor"))
    answer(pulse_app.test_client(), mood="bad")  # a stored answer that depends on 'bad'
    return client


def upload(client, text, name="pulse.yaml"):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(
        "/staff/questionnaires/upload",
        data={"file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def audit_actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_staff_without_editor_role_get_403(pulse_app, fast_password_hashing):
    client = log_in(pulse_app.test_client(), add_account(pulse_app, "s@example.org", "staff"))
    assert client.get("/staff/questionnaires").status_code == 403
    assert upload(client, pulse(title="Sneaky")).status_code == 403


def test_list_shows_status_and_version(editor):
    page = editor.get("/staff/questionnaires").get_data(as_text=True)
    row = re.search(r'<tr data-content="pulse">.*?</tr>', page, re.S).group(0)
    assert "public" in row
    assert "<td>1</td>" in row


def test_invalid_upload_shows_every_error_located_inline(editor):
    broken = pulse().replace("type: short_text", "type: shorttext").replace("id: main", "id: Main")
    response = upload(editor, broken)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "pulse.yaml:6:9: sections[0].id: must be a slug" in page
    assert "pulse.yaml:17:15: sections[0].questions[1].type: unknown question type" in page


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("pulse.yaml", b"\xff\xfeoops", "pulse.yaml:1:1: not UTF-8 text (byte 0)"),
        ("form.xlsm", b"PK", "workbooks with macros are not accepted"),
        ("pulse.exe", b"MZ", "upload a .yaml questionnaire or report, or an .xlsx XLSForm"),
    ],
)
def test_bad_uploads_get_a_clear_error(editor, name, raw, message):
    response = upload(editor, raw, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_uploads_over_the_content_limit_are_refused_before_parsing():
    """Checked on read_upload: werkzeug's test client leaks the temporary file of a large body."""
    with pytest.raises(UploadError, match=r"pulse\.yaml:1:1: file is larger than 1000000 bytes"):
        read_upload("pulse.yaml", b"x: 1\n" * 300_000)


def test_xlsx_with_a_macro_project_inside_is_refused(editor):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/vbaProject.bin", b"macro")
    response = upload(editor, buffer.getvalue(), "form.xlsx")
    assert "workbooks with macros are not accepted" in response.get_data(as_text=True)


def test_upload_preview_and_publish_a_new_version(pulse_app, editor):
    response = upload(editor, pulse(prompt="How is it going?"))
    assert response.status_code == 303
    draft_url = response.headers["Location"]
    page = editor.get(draft_url).get_data(as_text=True)
    assert "Publishing makes it version 2" in page
    assert '<span class="removed">-        prompt: How are you today?</span>' in page
    preview = editor.get(f"{draft_url}/preview?lang=en").get_data(as_text=True)
    assert "How is it going?" in preview
    assert "answers are not stored" in preview
    # Nothing is served before publishing.
    assert "How is it going?" not in pulse_app.test_client().get("/q/pulse").get_data(as_text=True)
    published = editor.post(f"{draft_url}/publish", data={"note": "friendlier"})
    assert published.status_code == 303
    assert [n for n, *_ in versions(pulse_app)] == [1, 2]
    assert "How is it going?" in pulse_app.test_client().get("/q/pulse").get_data(as_text=True)
    assert audit_actions(pulse_app)[-2:] == ["content_uploaded", "content_published"]
    history = editor.get("/staff/questionnaires/questionnaire/pulse").get_data(as_text=True)
    assert "friendlier" in history
    assert '<span class="added">+        prompt: How is it going?</span>' in history


def test_breaking_upload_needs_the_confirmation_box(pulse_app, editor):
    draft_url = upload(editor, pulse(options=("good", "poor"))).headers["Location"]
    page = editor.get(draft_url).get_data(as_text=True)
    assert "option &#39;bad&#39; of &#39;mood&#39; is removed or renamed" in page
    refused = editor.post(f"{draft_url}/publish", data={})
    assert refused.status_code == 409
    assert "Tick the box" in refused.get_data(as_text=True)
    assert len(versions(pulse_app)) == 1
    confirmed = editor.post(f"{draft_url}/publish", data={"allow_breaking": "1"})
    assert confirmed.status_code == 303
    assert len(versions(pulse_app)) == 2
    history = editor.get("/staff/questionnaires/questionnaire/pulse").get_data(as_text=True)
    assert (
        "<code>mood</code>: option &#39;bad&#39; retired in version 2; "
        "option &#39;poor&#39; added in version 2" in history
    )


def test_retire_hides_the_questionnaire_and_lists_it_as_retired(pulse_app, editor):
    response = editor.post("/staff/questionnaires/questionnaire/pulse/retire")
    assert response.status_code == 303
    assert pulse_app.test_client().get("/q/pulse").status_code == 404
    page = editor.get("/staff/questionnaires").get_data(as_text=True)
    row = re.search(r'<tr data-content="pulse">.*?</tr>', page, re.S).group(0)
    assert "retired" in row
    assert audit_actions(pulse_app)[-1] == "content_retired"


def test_content_changes_need_the_csrf_token(make_app, folder, fast_password_hashing):
    app = make_app(
        committed=True, questionnaires_dir=folder[0], reports_dir=folder[1], csrf_enabled=True
    )
    client = app.test_client()
    add_account(app, "ed@example.org", "editor")
    login_page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post(
        "/staff/login",
        data={
            "email": "ed@example.org",
            "password": "correct horse battery staple",
            "csrf_token": token,
        },
    )
    assert client.post("/staff/questionnaires/questionnaire/pulse/retire").status_code == 400
    assert app.test_client().get("/q/pulse").status_code == 200


def workbook(rows):
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    for row in rows:
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in (["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]):
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title"])
    settings.append(["kobo-pulse", "Kobo pulse"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsform_upload_is_converted_and_kept_as_a_draft(editor):
    raw = workbook([["type", "name", "label"], ["select_one yn", "liked", "Did you like it?"]])
    response = upload(editor, raw, "kobo.xlsx")
    assert response.status_code == 303, response.get_data(as_text=True)
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "<code>kobo-pulse</code> from <code>kobo.xlsx</code> (xlsform)" in page


def test_xlsform_that_cannot_be_converted_shows_its_problems_by_sheet_and_row(editor):
    raw = workbook([["type", "name", "label"], ["select_one nolist", "liked", "Did you?"]])
    response = upload(editor, raw, "kobo.xlsx")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # pyxform's own words, which name the row of the survey sheet.
    assert "kobo.xlsx: pyxform refuses the form: [row : 2] List name not in choices" in page
