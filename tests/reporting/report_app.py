"""Helpers for the report shell tests: report folders in tmp_path, seeded responses, PDF text.

Test modules override the `settings` fixture with `settings_with_reports`, so conftest's
`app`, `client` and `session` serve the reports the module writes.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdf
from sqlalchemy import insert
from sqlalchemy.orm import Session

from survey_app.models import Answer, Response
from survey_app.responses import new_submission_token
from survey_app.settings import Settings

NEEDS = "untoc-needs-assessment"
_CHART_IMAGE = re.compile(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]*)" alt="([^"]*)">')
#: Responses are stored from this time on, one hour apart.
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def settings_with_reports(settings: Settings, folder: Path, reports: Mapping[str, str]) -> Settings:
    """`settings` with its reports folder at `folder`, holding `reports` (file name -> YAML)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in reports.items():
        (folder / name).write_text(text, encoding="utf-8")
    return settings.model_copy(update={"reports_dir": folder})


@dataclass(frozen=True)
class Person:
    """Who answered: the overview block's inputs (None = did not answer)."""

    stakeholder: str | None = "ngo"
    country: str | None = "MY"
    #: Free text for the long_text `comments` question.
    comment: str | None = None


def seed(session: Session, people: Sequence[Person], start: dt.datetime = START) -> None:
    """Store one needs-assessment response per person, an hour apart, and commit."""
    for i, person in enumerate(people):
        response = Response(
            questionnaire_id=NEEDS,
            definition_hash="0" * 64,
            language="en",
            submission_token=new_submission_token(),
            answers_digest="0" * 64,
            submitted_at=start + dt.timedelta(hours=i),
        )
        session.add(response)
        session.flush()
        rows = []
        if person.stakeholder is not None:
            rows.append(_row(response.id, "stakeholder_type", option_value=person.stakeholder))
        if person.country is not None:
            rows.append(_row(response.id, "country", option_value=person.country))
        if person.comment is not None:
            rows.append(_row(response.id, "comments", text_value=person.comment))
        if rows:
            session.execute(insert(Answer), rows)
    session.commit()


def _row(
    response_id: int,
    question_id: str,
    option_value: str | None = None,
    text_value: str | None = None,
) -> dict[str, object]:
    return {
        "response_id": response_id,
        "question_id": question_id,
        "item": option_value or "",
        "row": None,
        "option_value": option_value,
        "number_value": None,
        "text_value": text_value,
        "date_value": None,
        "rank": None,
    }


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page of a PDF."""
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def chart_images(page: str) -> list[tuple[str, str]]:
    """Every chart a print HTML page embeds: (its SVG document, its alt text)."""
    return [
        (base64.b64decode(data).decode(), html.unescape(alt))
        for data, alt in _CHART_IMAGE.findall(page)
    ]
