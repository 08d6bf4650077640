"""The shipped sample reports' JSON and printed text, byte for byte, on fixed demo data.

Why: speed work on the pipeline (shared counts, derived figures) must not change a single
figure or word; these goldens were written before it and catch any drift.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from html.parser import HTMLParser

import pytest

from survey_app.content import registry
from survey_app.demo import generate_demo
from survey_app.reporting.pipeline import build_report, render_html, report_json

END = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)


class TextParser(HTMLParser):
    """The text a reader sees: every text node, SVG labels included, one per line."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        text = re.sub(r"\s+", " ", data).strip()
        if text and not self.skip:
            self.parts.append(text)


def printed_text(html: str) -> str:
    """The print HTML's visible text, one text node per line."""
    parser = TextParser()
    parser.feed(html)
    return "\n".join(parser.parts) + "\n"


@pytest.mark.parametrize("report_id", ["untoc-needs-assessment-report", "untoc-pre-post-report"])
def test_sample_report_json_and_text_match_the_golden(session, golden, report_id):
    """Every released figure and every printed word is what the golden build produced."""
    content = registry()
    counts = {"untoc-needs-assessment": 240, "untoc-post-training": 160}
    generate_demo(session, content.questionnaires, counts, random.Random(12), end=END)  # noqa: S311 -- reproducible demo data
    session.commit()
    doc = build_report(
        session, content.reports[report_id], content.questionnaire_models(), today=END.date()
    )
    golden(f"{report_id}.json", report_json(doc) + "\n")
    golden(f"{report_id}.txt", printed_text(render_html(doc)))
    without_charts = build_report(
        session,
        content.reports[report_id],
        content.questionnaire_models(),
        today=END.date(),
        charts=False,
    )
    assert report_json(without_charts) == report_json(doc)
