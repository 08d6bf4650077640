"""The shipped sample reports on demo data: no block prints a figure about 1 to k-1 people.

Every block is scanned at once, because a cell one block hides must not be printed, or be
worked out, from another: the tables' count cells, every other whole number in a table,
the charts' text alternatives and the figures written into the SVG.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from survey_app.content import registry
from survey_app.demo import generate_demo
from survey_app.reporting.pipeline import build_report, render_html

from .report_app import chart_images

NEEDS_REPORT = "untoc-needs-assessment-report"
PRE_POST_REPORT = "untoc-pre-post-report"
END = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)
#: Columns of whole numbers that are not respondent counts.
NOT_COUNTS = {"Rank", "Points", "Median", "Lowest", "Highest", "Middle half"}
WHOLE = re.compile(r"\d{1,3}(,\d{3})*")


@dataclass
class Cell:
    tag: str
    classes: tuple[str, ...]
    colspan: int
    text: str = ""


@dataclass
class Table:
    header: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)


class TableParser(HTMLParser):
    """Every <table> of a page: its column headings and the cells of each body row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self.row: list[Cell] | None = None
        self.cell: Cell | None = None
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self.tables.append(Table())
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr":
            self.row = []
        elif tag in ("th", "td") and self.row is not None:
            classes = tuple((found.get("class") or "").split())
            self.cell = Cell(tag, classes, int(found.get("colspan") or 1))

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self.in_head = False
        elif tag in ("th", "td") and self.cell is not None and self.row is not None:
            self.cell.text = " ".join(self.cell.text.split())
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.in_head:
                self.tables[-1].header = [c.text for c in self.row for _ in range(c.colspan)]
            else:
                self.tables[-1].rows.append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.text += data


def is_small(text: str, k: int) -> bool:
    """A whole number from 1 to k-1 (shares "4%", means "2.7" and markers are not)."""
    return bool(WHOLE.fullmatch(text)) and 0 < int(text.replace(",", "")) < k


def table_counts(page: str) -> Iterator[tuple[str, Cell]]:
    """(column heading, cell) for every data cell of every table on the page."""
    parser = TableParser()
    parser.feed(page)
    for table in parser.tables:
        for row in table.rows:
            column = 0
            for cell in row:
                heading = table.header[column] if column < len(table.header) else ""
                if cell.tag == "td":
                    yield heading, cell
                column += cell.colspan


def alt_figures(alt: str) -> list[str]:
    """The figure closing each item of an alt text "Chart of x: a: 12%; b: not shown."."""
    items = alt.split(": ", 1)[-1].rstrip(".").split("; ")
    return [item.rsplit(" ", 1)[-1] for item in items]


def svg_figures(svg: str) -> list[str]:
    """Text written into the plot area of a chart (values on bars), not axis ticks, legends or
    the numbers keying a scatter's points to its table."""
    root = ET.fromstring(svg)  # noqa: S314 -- our own matplotlib output

    def walk(element: ET.Element, skip: bool) -> Iterator[str]:
        name = element.get("id") or ""
        skip = skip or "axis" in name or "legend" in name or "point-key" in name
        if element.tag.endswith("text") and not skip:
            yield "".join(element.itertext()).strip()
        for child in element:
            yield from walk(child, skip)

    return list(walk(root, False))


def sample_page(session, report_id: str, needs: int, post: int, seed: int) -> tuple[str, int]:
    """The print HTML of a shipped sample report over freshly generated demo responses."""
    content = registry()
    counts = {"untoc-needs-assessment": needs, "untoc-post-training": post}
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not a secret
    generate_demo(session, content.questionnaires, counts, rng, end=END)
    session.commit()
    loaded = content.reports[report_id]
    doc = build_report(session, loaded, content.questionnaire_models(), today=END.date())
    assert all(not block.result.empty for block in doc.blocks)
    return render_html(doc), loaded.model.k


@pytest.mark.parametrize(
    ("report_id", "needs", "post", "seed"),
    [
        (NEEDS_REPORT, 200, 0, 1),
        (NEEDS_REPORT, 60, 0, 2),  # smaller groups: many more hidden cells
        (PRE_POST_REPORT, 200, 170, 3),
    ],
)
def test_no_block_of_a_sample_report_prints_a_figure_about_fewer_than_k(
    session, report_id, needs, post, seed
):
    page, k = sample_page(session, report_id, needs, post, seed)
    assert k == 5
    cells = list(table_counts(page))
    counts = [cell.text for _, cell in cells if "count" in cell.classes]
    assert len(counts) > 10  # the scan is not vacuous
    assert not [c for c in counts if is_small(c, k)]
    others = [(h, cell.text) for h, cell in cells if h not in NOT_COUNTS]
    assert not [(h, text) for h, text in others if is_small(text, k)]
    hidden = [cell.text for _, cell in cells if "not shown" in cell.text]
    assert hidden  # demo data always has small cells to hide
    # One marker, whatever the reason a figure is hidden.
    assert not [text for _, text in others if text.startswith(("<", "–", "fewer"))]

    charts = chart_images(page)
    alts = [alt for _, alt in charts if ": " in alt]
    assert alts
    for alt in alts:
        assert not [f for f in alt_figures(alt) if is_small(f, k)], alt
    assert charts
    for svg, _ in charts:
        assert not [f for f in svg_figures(svg) if is_small(f, k)]
