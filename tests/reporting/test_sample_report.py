"""The shipped sample reports on demo data: every number the question-level blocks print
(tables, sentences, charts' text alternatives) is a figure the disclosure layer released for
a shown population, and a 6-person training gets its figures.
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


#: The blocks this module checks figure by figure (the others have tests of their own).
QUESTION_BLOCKS = ("overview", "question", "comments")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers(text: str) -> set[float]:
    return {float(n.replace(",", "")) for n in NUMBER.findall(text)}


def block_texts(block) -> tuple[str, list[str]]:
    """(the printed table cells and sentences, the charts' alt texts) of one block."""
    result = block.result
    parts: list[object] = [getattr(result, "base", "")]
    for part in (result, getattr(result, "stakeholder", None), getattr(result, "country", None)):
        for table in getattr(part, "tables", ()) if part is not None else ():
            parts += [cell for row in table.rows for cell in row.cells]
        parts.append(getattr(part, "base", "") if part is not result else "")
    if getattr(result, "responses", None):
        parts += [result.responses, result.countries or ""]
    return " ".join(str(p) for p in parts), [chart.alt for chart in block.charts]


def labels_of(block) -> set[float]:
    """Numbers in axis labels and categories (scale points, bins, months): not figures."""
    found: set[float] = set()
    result = block.result
    for part in (result, getattr(result, "stakeholder", None), getattr(result, "country", None)):
        summary = getattr(part, "summary", None)
        for name in ("categories", "points", "bins"):
            for item in getattr(summary, name, ()):
                found |= numbers(f"{item.label} {item.value}")
    return found


@pytest.mark.parametrize(
    ("report_id", "needs", "post", "seed"),
    [
        (NEEDS_REPORT, 200, 0, 1),
        (NEEDS_REPORT, 60, 0, 2),
        (PRE_POST_REPORT, 200, 170, 3),
    ],
)
def test_every_number_a_question_block_prints_is_a_released_figure(
    session, report_id, needs, post, seed
):
    content = registry()
    counts = {"untoc-needs-assessment": needs, "untoc-post-training": post}
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not a secret
    generate_demo(session, content.questionnaires, counts, rng, end=END)
    session.commit()
    loaded = content.reports[report_id]
    doc = build_report(session, loaded, content.questionnaire_models(), today=END.date())
    assert doc.disclosure is not None
    data = doc.disclosure.data
    shown = {p["key"] for p in data["populations"]}
    released: dict[int, set[float]] = {}
    for figure in data["figures"]:
        released.setdefault(figure["block"], set()).add(float(figure["value"]))
    checked = 0
    for block in doc.blocks:
        if block.block_type not in QUESTION_BLOCKS:
            continue
        assert not block.result.empty, block.result.heading
        text, alts = block_texts(block)
        allowed = released.get(block.number, set()) | labels_of(block) | {95.0}
        for value in numbers(text):
            assert value in allowed, (block.result.heading, value)
            checked += 1
        for alt in alts:
            for value in numbers(alt.split(": ", 1)[-1]):
                assert value in allowed, (block.result.heading, alt)
    assert checked > 50  # the scan is not vacuous
    assert {f["population"] for f in data["figures"]} <= shown
    page = render_html(doc)
    assert "Great training! <img" not in page  # the demo prints no attack strings
    assert "&lt;img" not in page


def test_a_six_person_training_gets_figures_where_all_six_answered(session):
    """Issue 12's acceptance: 6 pre, 6 post, all paired; no stakeholder group reaches 5."""
    from survey_app.demo import Plan, draw_respondent
    from survey_app.reporting.training import load_report_training
    from survey_app.trainings import TrainingFields, create_training

    from .seeding import add_response

    content = registry()
    models = content.questionnaire_models()
    training = create_training(
        session,
        TrainingFields(
            title="Six people",
            place="Bangkok",
            starts_on=dt.date(2026, 3, 10),
            ends_on=dt.date(2026, 3, 11),
            organiser="UNODC",
            pre_questionnaire_id="untoc-needs-assessment",
            post_questionnaire_id="untoc-post-training",
        ),
    )
    rng = random.Random(6)  # noqa: S311 -- reproducible test data
    for phase, qid, trained in (
        ("pre", "untoc-needs-assessment", False),
        ("post", "untoc-post-training", True),
    ):
        plan = Plan(models[qid])
        for i in range(6):
            answers = plan.answers(draw_respondent(rng, END, 5, trained=trained), rng)
            add_response(
                session,
                models[qid],
                answers,
                END,
                training_id=training.id,
                phase=phase,
                code_hash=f"code-{i}",
            )
    session.commit()
    assert load_report_training(session, training.id) is not None
    doc = build_report(
        session,
        content.reports[PRE_POST_REPORT],
        models,
        today=END.date(),
        training_id=training.id,
    )
    questions = [b for b in doc.blocks if b.block_type in ("overview", "question")]
    assert len(questions) == 4
    for block in questions:
        result = block.result
        assert not result.empty, result.heading
        if block.block_type == "overview":
            assert result.responses == 6
            continue
        summary = result.summary
        if summary.answered == 6:
            assert result.tables, result.heading  # figures, not "Nothing to show"
            assert block.charts, result.heading
    satisfaction = next(
        b for b in questions if getattr(b.result, "question_id", "") == "overall_satisfaction"
    )
    assert satisfaction.result.summary.answered == 6
    assert satisfaction.result.summary.groups == ()  # no stakeholder group of 5
