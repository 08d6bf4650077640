"""Publishing versions: start-up sync, `flask survey publish`, refusal, no restart needed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, ContentVersion, Response
from tests.lifecycle.conftest import answer, publish, versions
from tests.lifecycle.content import pulse


def test_first_request_publishes_the_files_as_version_1_once(pulse_app, make_app, folder):
    assert versions(pulse_app) == []
    assert "Pulse check" in pulse_app.test_client().get("/").get_data(as_text=True)
    assert [(n, by) for n, by, _ in versions(pulse_app)] == [(1, "start-up")]
    # A restart (another app on the same database) with the same files adds nothing.
    again = make_app(committed=True, questionnaires_dir=folder[0], reports_dir=folder[1])
    again.test_client().get("/")
    assert len(versions(again)) == 1


def test_restart_with_an_older_file_does_not_undo_a_newer_version(pulse_app, make_app, folder):
    pulse_app.test_client().get("/")
    newer = folder[0].parent / "newer.yaml"
    newer.write_text(pulse(title="Pulse, revised"), encoding="utf-8")
    assert publish(pulse_app, newer).exit_code == 0
    restarted = make_app(committed=True, questionnaires_dir=folder[0], reports_dir=folder[1])
    page = restarted.test_client().get("/q/pulse").get_data(as_text=True)
    assert "Pulse, revised" in page
    assert len(versions(restarted)) == 2


def test_publish_of_unchanged_file_is_not_duplicated(pulse_app, folder):
    pulse_app.test_client().get("/")
    result = publish(pulse_app, folder[0] / "pulse.yaml")
    assert result.exit_code == 0, result.output
    assert "unchanged: questionnaire pulse (version 1)" in result.output
    assert len(versions(pulse_app)) == 1


def test_publish_is_served_by_another_app_on_the_same_database_without_restart(
    pulse_app, make_app, folder
):
    """Two app instances stand for two workers (or hosts) sharing one database."""
    other = make_app(committed=True, questionnaires_dir=folder[0], reports_dir=folder[1])
    assert "Pulse check" in other.test_client().get("/q/pulse").get_data(as_text=True)
    edited = folder[0].parent / "edited.yaml"
    edited.write_text(pulse(title="Pulse check, second edition"), encoding="utf-8")
    result = publish(pulse_app, edited, "-m", "new title")
    assert result.exit_code == 0, result.output
    assert "published questionnaire pulse version 2" in result.output
    page = other.test_client().get("/q/pulse").get_data(as_text=True)
    assert "Pulse check, second edition" in page
    with pulse_app.app_context():
        detail = db.session.scalar(
            select(AuditEvent.detail)
            .where(AuditEvent.action == "content_published")
            .order_by(AuditEvent.id.desc())
        )
    assert detail == "questionnaire pulse version 2"


def test_invalid_version_is_refused_with_located_errors_and_old_one_keeps_serving(
    pulse_app, folder
):
    client = pulse_app.test_client()
    client.get("/")
    broken = folder[0].parent / "broken.yaml"
    broken.write_text(pulse().replace("type: short_text", "type: shorttext"), encoding="utf-8")
    result = publish(pulse_app, broken)
    assert result.exit_code == 1
    assert (
        "broken.yaml:17:15: sections[0].questions[1].type: unknown question type" in result.output
    )
    assert "current versions are still served" in result.output
    assert len(versions(pulse_app)) == 1
    assert client.get("/q/pulse").status_code == 200


#: A "billion laughs": a few lines that expand to millions of nodes through aliases.
YAML_BOMB = b"a: &a [1]\nb: &b [" + b"*a, " * 9 + b"*a]\nc: [" + b"*b, " * 20000 + b"*b]\n"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8 text (byte 0)"),
        (
            b"a: &a [1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            + b"c: ["
            + b"*b, " * 20000
            + b"*b]\n",
            "too many nodes",
        ),
        (b"schema_version: 1\n" + b"#" * 1_100_000, "file is larger than"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error(pulse_app, folder, raw, message):
    bad = folder[0].parent / "bad.yaml"
    bad.write_bytes(raw)
    result = publish(pulse_app, bad)
    assert result.exit_code == 1
    assert message in result.output


def test_submission_from_a_page_shown_before_a_publish_is_stored_against_its_version(
    pulse_app, folder
):
    client = pulse_app.test_client()
    page = client.get("/q/pulse").get_data(as_text=True)
    assert 'name="version" value="' in page
    shown_version = page.split('name="version" value="', 1)[1].split('"', 1)[0]
    edited = folder[0].parent / "edited.yaml"
    edited.write_text(pulse(prompt="How do you feel?", options=("good", "bad", "meh")), "utf-8")
    assert publish(pulse_app, edited).exit_code == 0
    assert answer(client, version=shown_version).status_code == 303
    assert answer(client, mood="meh").status_code == 303
    with pulse_app.app_context():
        stored = (
            db.session.execute(
                select(ContentVersion.number)
                .join(Response, Response.version_id == ContentVersion.id)
                .order_by(Response.id)
            )
            .scalars()
            .all()
        )
    assert stored == [1, 2]


def test_version_of_another_questionnaire_posted_is_ignored(pulse_app):
    client = pulse_app.test_client()
    client.get("/")
    assert answer(client, version="999").status_code == 303
    with pulse_app.app_context():
        assert db.session.scalar(select(func.count(Response.version_id))) == 1


REPORT = """\
schema_version: 1
id: pulse-report
questionnaire: pulse
title: Pulse report
k: 3
blocks:
  - type: question
    question: mood
{extra}"""
NOTE_BLOCK = """\
  - type: question
    question: note
"""


def edit_questionnaire_and_its_report(folder) -> None:
    """Drop the `note` question, and the report block that shows it, in the files."""
    (folder[0] / "pulse.yaml").write_text(pulse(note=False), encoding="utf-8")
    (folder[1] / "pulse-report.yaml").write_text(REPORT.format(extra=""), encoding="utf-8")


@pytest.fixture
def reported_app(make_app, folder):
    """`pulse` with a report that shows its `note` question, both published."""
    (folder[1] / "pulse-report.yaml").write_text(REPORT.format(extra=NOTE_BLOCK), "utf-8")
    app = make_app(committed=True, questionnaires_dir=folder[0], reports_dir=folder[1])
    app.test_client().get("/")
    assert len(versions(app)) == len(versions(app, "pulse-report")) == 1
    return app


def test_publish_takes_a_questionnaire_and_its_edited_report_together(reported_app, folder):
    """The stored report names the removed question; the report file published with it does not."""
    edit_questionnaire_and_its_report(folder)
    result = reported_app.test_cli_runner().invoke(args=["survey", "publish"])
    assert result.exit_code == 0, result.output
    assert "published questionnaire pulse version 2" in result.output
    assert "published report pulse-report version 2" in result.output
    assert "Anything else?" not in reported_app.test_client().get("/q/pulse").get_data(as_text=True)


def test_restart_publishes_a_questionnaire_and_its_edited_report_together(
    reported_app, make_app, folder
):
    edit_questionnaire_and_its_report(folder)
    restarted = make_app(committed=True, questionnaires_dir=folder[0], reports_dir=folder[1])
    restarted.test_client().get("/")
    assert [n for n, by, _ in versions(restarted)] == [1, 2]
    assert [n for n, by, _ in versions(restarted, "pulse-report")] == [1, 2]


def test_a_questionnaire_still_may_not_drop_a_question_a_stored_report_shows(reported_app, folder):
    (folder[0] / "pulse.yaml").write_text(pulse(note=False), encoding="utf-8")
    result = publish(reported_app, folder[0] / "pulse.yaml")
    assert result.exit_code != 0
    assert "'note' is not a question in 'pulse'" in result.output
    assert len(versions(reported_app)) == 1
