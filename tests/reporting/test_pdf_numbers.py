"""Every number in the PDF's text is in the JSON report (or is not about respondents at all).

The JSON report is the list of figures the disclosure layer released: the audit solves for
hidden values over it, so a number printed in the PDF but missing from it would escape the
audit. Numbers that describe no respondent are allowed by name: page and block numbers,
dates, k, numbers in the questionnaire and report texts (scale labels, rule texts), chart
axis ticks, and the constants of the statistics' method notes.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator

import pytest

from survey_app.content import registry
from survey_app.demo import generate_demo
from survey_app.reporting import stats
from survey_app.reporting.blocks.question import MAX_COUNTRIES
from survey_app.reporting.pipeline import ReportDocument, build_report, render_html, render_pdf
from survey_app.settings import ROOT

from .report_app import pdf_pages

END = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)
NUMBER = re.compile(r"(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
#: Numbers of the method notes: 95% intervals, the permutation test's limits, Hake's gain
#: bands, the year of the Ranked Discrepancy Model's paper, how many countries are named,
#: the rank-biserial's range (−1 to +1). How, not how many.
METHOD_CONSTANTS = {
    -1.0,
    float(MAX_COUNTRIES),
    95.0,
    2.0,
    float(stats.EXACT_PERMUTATION_MAX),
    float(stats.RESAMPLES),
    0.0,
    0.3,
    0.7,
    2021.0,
}


def numbers(text: str) -> list[float]:
    """Every number in a text, commas as thousands separators, with its sign."""
    return [float(n.replace(",", "").replace("−", "-")) for n in NUMBER.findall(text)]


def chart_ticks(doc: ReportDocument) -> set[float]:
    """Numbers on chart axes and legends (scale points, percent ticks): not figures."""
    found: set[float] = set()

    def walk(element: ET.Element, in_axis: bool) -> Iterator[str]:
        name = element.get("id") or ""
        in_axis = in_axis or "axis" in name or "legend" in name or "point-key" in name
        if element.tag.endswith("text") and in_axis:
            yield "".join(element.itertext())
        for child in element:
            yield from walk(child, in_axis)

    for block in doc.blocks:
        for chart in block.charts:
            root = ET.fromstring(chart.svg)  # noqa: S314 -- our own matplotlib output
            for text in walk(root, False):
                found.update(numbers(text))
    return found


def content_numbers() -> set[float]:
    """Numbers written by the organisers: questionnaire and report texts."""
    found: set[float] = set()
    for folder in (ROOT / "questionnaires", ROOT / "reports"):
        for path in folder.glob("*.yaml"):
            found.update(numbers(path.read_text(encoding="utf-8")))
    return found


def allowed(doc: ReportDocument) -> set[float]:
    """What the PDF may print: released figures, and numbers about no respondent."""
    assert doc.disclosure is not None
    data = doc.disclosure.data
    released = {round(float(f["value"]), 6) for f in data["figures"]}
    released |= {float(n) for n in data["responses"].values()}
    days: Iterable[dt.date] = [doc.generated]
    if doc.training is not None:
        days = [*days, doc.training.starts_on, doc.training.ends_on]
    dates = {float(n) for day in days for n in (day.day, day.year)}
    limits = {float(doc.k), float(data["k_text"])}
    return released | dates | limits | content_numbers() | chart_ticks(doc) | (METHOD_CONSTANTS)


@pytest.mark.parametrize(
    ("report_id", "needs", "post", "seed"),
    [
        ("untoc-needs-assessment-report", 120, 0, 4),
        ("untoc-needs-assessment-report", 12, 0, 5),
        ("untoc-pre-post-report", 80, 60, 6),
    ],
)
def test_every_number_in_the_pdf_text_is_in_the_json_report(session, report_id, needs, post, seed):
    content = registry()
    counts = {"untoc-needs-assessment": needs, "untoc-post-training": post}
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not a secret
    generate_demo(session, content.questionnaires, counts, rng, end=END)
    session.commit()
    doc = build_report(
        session, content.reports[report_id], content.questionnaire_models(), today=END.date()
    )
    cover, _contents, *body = pdf_pages(render_pdf(render_html(doc)).data)
    permitted = allowed(doc)
    stray = [
        (page, value)
        for page, text in enumerate([cover, *body], start=1)
        for value in numbers(without_structure(text, doc))
        if round(value, 6) not in permitted
    ]
    assert stray == []


def without_structure(text: str, doc: ReportDocument) -> str:
    """A page's text less its running footer and the numbers of block headings."""
    text = re.sub(r"Page \d+ of \d+", "", " ".join(text.split()))
    # Questionnaire version numbers ("counted for versions 2–4 only") describe no respondent.
    text = re.sub(r"\bversions? \d+(?:(?:–|, )\d+)*", "", text)
    for block in doc.blocks:
        text = text.replace(f"{block.number} {block.result.heading}", "")
    return text
