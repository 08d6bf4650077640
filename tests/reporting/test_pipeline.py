"""The report shell: definition -> document -> print HTML -> PDF, checked on extracted text."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest

from survey_app.content import registry
from survey_app.reporting import pipeline
from survey_app.reporting.blocks.overview import OverviewResult
from survey_app.reporting.blocks.registry import BLOCKS
from survey_app.reporting.pipeline import (
    ReportDocument,
    Source,
    build_report,
    build_report_pdf,
    describe_filter,
    render_html,
    render_pdf,
)
from survey_app.reporting.results import Chart, RenderedBlock
from survey_app.reporting.schema import BLOCK_TYPES, ReportFilter
from survey_app.settings import Settings

from .report_app import Person, chart_images, pdf_pages, seed, settings_with_reports

TODAY = dt.date(2026, 4, 1)
REPORT = """\
schema_version: 1
id: shell-report
questionnaire: untoc-needs-assessment
title: Needs assessment — findings
subtitle: Civil society in South-East Asia
intro: What the participants told us before the training.
blocks:
  - type: overview
    intro: Who answered, from where, and when.
  - type: overview
    title: Respondents once more
"""
PEOPLE = [
    *[Person("ngo", "MY")] * 7,
    *[Person("academia", "TH")] * 6,
    *[Person("private", "TL")] * 2,  # a cell of 15 people: printed
]


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings_with_reports(settings, tmp_path / "reports", {"shell-report.yaml": REPORT})


def build(session, **kwargs) -> ReportDocument:
    content = registry()
    return build_report(
        session, content.reports["shell-report"], content.questionnaire_models(), **kwargs
    )


def test_document_holds_the_cover_facts_and_numbered_blocks(session):
    seed(session, PEOPLE)
    doc = build(session, today=TODAY)
    assert (doc.report_id, doc.title, doc.generated, doc.k) == (
        "shell-report",
        "Needs assessment — findings",
        TODAY,
        5,
    )
    assert doc.responses == 15
    assert doc.sources == (
        Source(
            "untoc-needs-assessment",
            "Needs assessment — civil society engagement in UNTOC implementation",
            15,
        ),
    )
    assert [(b.number, b.anchor, b.block_type) for b in doc.blocks] == [
        (1, "block-1", "overview"),
        (2, "block-2", "overview"),
    ]
    assert [b.result.heading for b in doc.blocks] == ["Overview", "Respondents once more"]
    assert pipeline.pdf_filename(doc) == "shell-report-2026-04-01.pdf"


def test_charts_are_embedded_as_svg_images_with_their_text_alternative(session):
    seed(session, PEOPLE)
    doc = build(session)
    (first,) = doc.blocks[0].charts
    (second,) = doc.blocks[1].charts
    page = render_html(doc)
    assert "<svg" not in page
    assert chart_images(page) == [(first.svg, first.alt), (second.svg, second.alt)]
    assert first.svg.startswith("<svg")
    assert first.alt.startswith("Bar chart of the share of respondents per answer: ")


def test_pdf_has_cover_contents_headings_and_page_x_of_y(session):
    seed(session, PEOPLE)
    pages = pdf_pages(build_report_pdf(session, *_inputs(), today=TODAY))
    assert len(pages) > 1
    cover, contents, *body = pages
    assert "Needs assessment — findings" in cover
    assert "Civil society in South-East Asia" in cover
    assert "Needs assessment — civil society engagement in UNTOC implementation" in cover
    assert "15" in cover
    assert "1 April 2026" in cover
    assert "a group of at least 5 people" in cover.replace("\n", " ")
    assert "Page" not in cover  # the cover has no running footer
    assert "Contents" in contents
    assert re.search(r"1\s+Overview\s*\.+\s*3", contents)
    assert re.search(r"2\s+Respondents once more\s*\.+\s*\d", contents)
    text = "\n".join(body)
    assert "1 Overview" in text
    assert "2 Respondents once more" in text
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in page


def test_groups_of_the_overview_print_only_when_they_may_show(session):
    """Stakeholder type and country define groups: each of their counts is a group's size.

    7 NGO, 6 academia, 2 private sector (Malaysia, Thailand, Timor-Leste alike): the 2 are
    under k, and academia must be hidden too, or 15 - 7 - 6 would give the 2 away; the 8
    print together as "Other groups", and nothing names the private sector or Timor-Leste.
    """
    seed(session, PEOPLE)
    doc = build(session)
    text = "\n".join(pdf_pages(build_report_pdf(session, *_inputs())))
    assert not re.search(r"(Private sector|Timor-Leste|Academia|Thailand)", text)
    rows = [line for line in text.splitlines() if re.search(r" [78] (47|53)%", line)]
    # Once per overview block: the stakeholder table (with intervals), then the countries.
    assert rows.count("Other groups 8 53% 30–75%") == 2
    assert rows.count("Other countries 8 53%") == 2
    assert rows.count("Malaysia 7 47%") == 2
    assert sum(row.endswith("7 47% 25–70%") for row in rows) == 2
    assert len(rows) == 8
    assert doc.disclosure is not None
    figures = doc.disclosure.data["figures"]
    items = {f["item"] for f in figures}
    assert {"private", "academia", "TL", "TH"}.isdisjoint(items)
    assert {(f["statistic"], f["item"], f["value"]) for f in figures} >= {
        ("count", "ngo", 7),
        ("count", "not:ngo", 8),
    }
    hidden = doc.disclosure.data["hidden"]
    assert all("private" not in str(h["definition"]) for h in hidden)


def test_report_without_responses_is_a_valid_pdf_that_says_so(session):
    pages = pdf_pages(build_report_pdf(session, *_inputs()))
    assert len(pages) == 4  # cover, contents, the block, the disclosure page
    assert "No responses have been received yet" in pages[2]
    assert "How this report protects respondents" in pages[3]
    assert chart_images(render_html(build(session))) == []


def test_timings_cover_every_stage(session):
    seed(session, PEOPLE)
    timings: dict[str, float] = {}
    build_report_pdf(session, *_inputs(), timings=timings)
    assert tuple(timings) == pipeline.STAGES
    assert all(seconds > 0 for seconds in timings.values())


def test_html_links_the_stylesheet_relative_to_static_unless_told_otherwise(session):
    doc = build(session)
    assert '<link rel="stylesheet" href="css/report.css">' in render_html(doc)
    html = render_html(doc, static_url="/static/")
    assert '<link rel="stylesheet" href="/static/css/report.css">' in html
    assert '<section id="block-1" class="block block-overview">' in html
    assert '<a href="#block-2">' in html


def test_only_the_browser_preview_gets_the_toolbar_and_its_stylesheet(session):
    doc = build(session)
    printed = render_html(doc)
    assert "preview-toolbar" not in printed
    assert "report-preview.css" not in printed
    shown = render_html(doc, static_url="/static/", toolbar=[("Download PDF", "/r.pdf")])
    assert '<a href="/r.pdf" class="download" download>Download PDF</a>' in shown
    assert '<link rel="stylesheet" href="/static/css/report-preview.css">' in shown


def test_render_pdf_counts_pages(session):
    pdf = render_pdf(render_html(build(session)))
    assert pdf.pages == len(pdf_pages(pdf.data))


def test_free_text_in_the_document_is_escaped(session):
    """HTML typed by anyone reaches the page as text: nothing to fetch, nothing to run."""
    doc = _document_with(
        heading="<img src=file:///etc/passwd>",
        intro='<link rel=attachment href="file:///etc/passwd"><style>@import url(x)</style>',
        label="<script>alert(1)</script>",
    )
    html = render_html(doc)
    assert "<img src=file" not in html
    assert "&lt;img src=file:///etc/passwd&gt;" in html
    assert "<link rel=attachment" not in html
    assert "<style>" not in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_long_unbroken_strings_wrap_inside_the_page():
    word = "x" * 400
    pages = pdf_pages(render_pdf(render_html(_document_with(heading=word, intro=word))).data)
    lines = pages[2].splitlines()
    assert max(len(line) for line in lines) < 130  # about a line's worth of characters
    assert sum(line.count("x") for line in lines) >= 2 * len(word)  # ... and all there


def test_filter_descriptions():
    assert describe_filter(ReportFilter()) == "All responses received so far."
    both = ReportFilter(submitted_from=dt.date(2026, 3, 1), submitted_to=dt.date(2026, 3, 31))
    assert describe_filter(both) == "Responses submitted from 1 March 2026 to 31 March 2026."
    since = ReportFilter(submitted_from=dt.date(2026, 3, 1))
    assert describe_filter(since) == "Responses submitted from 1 March 2026 onwards."
    until = ReportFilter(submitted_to=dt.date(2026, 3, 31))
    assert describe_filter(until) == "Responses submitted up to 31 March 2026."


def _inputs():
    content = registry()
    return content.reports["shell-report"], content.questionnaire_models()


def _document_with(heading: str = "Overview", intro: str = "", label: str = "x") -> ReportDocument:
    """A document with one overview block carrying the given text (no database needed)."""
    from survey_app.reporting.blocks.overview import OverviewPart
    from survey_app.reporting.blocks.question_tables import Table, TableRow
    from survey_app.reporting.summaries import TOTAL, Category, ChoiceSummary, Distribution

    summary = ChoiceSummary(
        question_id="country",
        question_type="country",
        prompt="Where?",
        k=5,
        respondents=10,
        categories=(Category("XX", label),),
        total=Distribution(TOTAL, "All respondents", 10, (10,), (1.0,)),
    )
    table = Table("", ("Country", "Respondents", "Share"), (TableRow(label, ("10", "100%")),))
    result = OverviewResult(
        heading=heading,
        intro=intro,
        responses=10,
        first_day=TODAY,
        last_day=TODAY,
        countries=1,
        country=OverviewPart("country", "Where?", "Answered by 10 respondents.", summary, (table,)),
    )
    block = RenderedBlock(1, "block-1", "overview", result, (Chart("<svg></svg>", "alt"),))
    return ReportDocument(
        report_id="r",
        title="T",
        subtitle=None,
        intro=None,
        generated=TODAY,
        k=5,
        responses=10,
        filter_description="All responses received so far.",
        sources=(Source("q", "Q", 10),),
        blocks=(block,),
    )


def test_the_print_stylesheet_renders_without_weasyprint_complaints(session, caplog):
    seed(session, PEOPLE)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        build_report_pdf(session, *_inputs())
    assert caplog.records == []


def test_every_block_type_has_compute_charts_and_a_partial_template():
    assert set(BLOCKS) == set(BLOCK_TYPES)
    templates = Path(pipeline.__file__).parent.parent / "templates"
    for block_type, template in pipeline.block_templates().items():
        assert (templates / template).is_file(), block_type
        assert callable(BLOCKS[block_type].compute)
        assert callable(BLOCKS[block_type].charts)
