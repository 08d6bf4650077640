"""The question block: tables and charts fit the type, nothing under k is printed, empty says so."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from jinja2 import Environment, PackageLoader, StrictUndefined

from survey_app.questionnaire import Choice
from survey_app.reporting.blocks.question import QuestionResult, compute, draw
from survey_app.reporting.blocks.registry import BLOCKS
from survey_app.reporting.pipeline import ReportDocument, render_html
from survey_app.reporting.results import RenderedBlock, suppressed_note
from survey_app.reporting.schema import CHARTS_FOR_TYPE
from survey_app.settings import ROOT

from .question_data import (
    EVERY_TYPE,
    add_response,
    context,
    question_db,  # noqa: F401 -- the `db` fixture
    seed,
)
from .report_app import chart_images

K = 5
PARTIAL = Environment(
    loader=PackageLoader("survey_app", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
).get_template("reports/blocks/question.html")


def run(session, k: int = K, **block: Any) -> tuple[QuestionResult, RenderedBlock]:
    ctx = context(session, [{"type": "question", **block}], k=k)
    result = compute(ctx, ctx.report.blocks[0])
    assert isinstance(result, QuestionResult)
    charts = () if result.empty else draw(result)
    return result, RenderedBlock(1, "block-1", "question", result, charts)


def partial(rendered: RenderedBlock) -> str:
    return PARTIAL.render(block=rendered, doc=None)


def full_report(rendered: RenderedBlock, responses: int) -> str:
    doc = ReportDocument(
        report_id="question-test",
        title="Question test",
        subtitle=None,
        intro=None,
        generated=dt.date(2026, 3, 31),
        k=K,
        responses=responses,
        filter_description="All responses received so far.",
        sources=(),
        blocks=(rendered,),
    )
    return render_html(doc)


def printed_counts(page: str) -> list[str]:
    """The text of every count cell (a hidden one wraps its marker in a span)."""
    cells = re.findall(r'<td class="num count">(.*?)</td>', page)
    return [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in cells]


def small_counts(values: list[str], k: int) -> list[str]:
    """Values that are whole numbers from 1 to k-1 (shares, means and markers are not)."""
    return [v for v in values if re.fullmatch(r"[\d,]+", v) and 0 < int(v.replace(",", "")) < k]


def alt_values(alt: str) -> list[str]:
    """The figures of an alt text "Chart of x: label: value; label: value."."""
    items = alt.rstrip(".").split(": ", 1)[-1].split("; ")
    return [item.rsplit(": ", 1)[-1].strip() for item in items if ": " in item]


CASES = [
    (question.id, kind, by)
    for question in EVERY_TYPE.questions()
    for kind in CHARTS_FOR_TYPE[question.type]  # type: ignore[attr-defined]
    for by in (None, "fruit", "home")
]


@pytest.mark.parametrize(("question_id", "kind", "by"), CASES)
def test_every_type_and_chart_kind_prints_nothing_under_k(db, question_id, kind, by):
    seed(db)
    block: dict[str, Any] = {"question": question_id, "chart": kind}
    if by:
        block["by"] = by
    result, rendered = run(db, **block)
    assert result.chart_kind == kind
    page = partial(rendered)
    for cell in printed_counts(page):
        assert cell == "not shown" or int(cell.replace(",", "")) in (0, *range(K, 10**6)), (
            question_id,
            cell,
        )
    for table in result.tables:
        assert len(table.rows) <= 15
        for row in table.rows:
            # One marker whatever the reason a figure is hidden (see results.suppressed_note).
            assert not [c for c in row.cells if c.startswith(("fewer", "<", "–"))], row
            counts = row.cells if row.counts else [row.cells[i] for i in table.count_columns]
            assert small_counts(list(counts), K) == [], row
    for chart in rendered.charts:
        assert chart.svg.startswith("<svg")
        assert chart.alt
        assert small_counts(alt_values(chart.alt), K) == [], chart.alt
    assert chart_images(page) == [(chart.svg, chart.alt) for chart in rendered.charts]
    if kind == "none" or result.empty:
        assert rendered.charts == ()
    else:
        assert len(rendered.charts) == 1


def test_heading_defaults_to_the_prompt_and_a_title_replaces_it(db):
    seed(db, n=20)
    result, _ = run(db, question="fruit")
    assert result.heading == "Which fruit?"
    titled, _ = run(db, question="fruit", title="Favourite fruit", intro="Asked of everyone.")
    assert (titled.heading, titled.intro) == ("Favourite fruit", "Asked of everyone.")


def test_choice_table_lists_options_counts_and_shares(db):
    for fruit, n in (("apple", 12), ("pear", 8), ("plum", 6), ("_other", 2)):
        for _ in range(n):
            add_response(db, {"fruit": Choice((fruit,), "Quince" if fruit == "_other" else None)})
    result, rendered = run(db, question="fruit")
    (table,) = result.tables
    rows = {row.label: row.cells for row in table.rows}
    assert rows["Apple"] == ("12", "43%")
    # Other (2) is under k; Plum (6) is hidden because 28 - 12 - 8 - 6 would give Other away.
    # Both read the same, so nothing tells which of the two is the small one.
    assert rows["Other"] == ("not shown", "not shown")
    assert rows["Plum"] == ("not shown", "not shown")
    assert rows["Answered"] == ("28", "")
    assert result.base == "Answered by 28 respondents."
    assert result.notes == (suppressed_note(K),)
    assert "Quince" not in partial(rendered)


def test_free_text_is_never_printed(db):
    seed(db)
    for by in (None, "fruit"):
        result, rendered = run(db, question="story", **({"by": by} if by else {}))
        assert not result.empty
        assert "SECRET-STORY" not in partial(rendered)
        assert "SECRET-STORY" not in repr(result)
        assert rendered.charts == ()


def test_no_responses_gives_an_empty_block_that_says_so(db):
    result, rendered = run(db, question="liking_each")
    assert result.empty
    assert result.tables == ()
    assert draw(result) == ()
    page = full_report(rendered, responses=0)
    assert "No responses have been received yet" in page


def test_every_answer_suppressed_gives_an_empty_block(db):
    for _ in range(K - 1):
        add_response(db, {"liking": 4, "home": "TL"})
    for question_id in ("liking", "home"):
        result, rendered = run(db, question=question_id)
        assert result.empty
        assert draw(result) == ()
        assert result.base == f"Answered by fewer than {K} respondents."
        page = full_report(rendered, responses=K - 1)
        assert "every figure would describe fewer than" in page
        assert "Timor" not in page


def test_many_countries_keep_the_table_short(db):
    codes = ["TH", "MY", "VN", "KH", "LA", "PH", "ID", "SG", "MM", "BN", "TL", "IN"]
    codes += ["BD", "NP", "LK", "PK", "BT", "MV", "CN", "JP"]
    for i, code in enumerate(codes):
        for _ in range(K + i):
            add_response(db, {"home": code})
    result, _ = run(db, question="home")
    (table,) = result.tables
    assert len(table.rows) <= 15
    assert table.rows[0].label == "Japan"
    assert "Other countries" in [row.label for row in table.rows]


def test_breakdown_prints_a_crosstab_with_the_same_marker_and_one_note(db):
    seed(db)
    result, rendered = run(db, question="liking", by="home")
    (table,) = result.tables
    assert table.crosstab
    assert table.header[-1] == "All respondents"
    assert "Timor-Leste" not in table.header
    cells = {cell for row in table.rows for cell in row.cells}
    assert "not shown" in cells
    assert not [cell for cell in cells if cell.startswith(("<", "–", "fewer"))]
    page = partial(rendered)
    assert 'class="data crosstab"' in page
    assert [note for note in result.notes if "not shown" in note] == [suppressed_note(K)]


def test_a_likert_row_with_most_answers_hidden_does_not_say_why(db):
    """ "fewer than k each" would be false for cells hidden only to protect others."""
    seed(db)
    _, rendered = run(db, question="liking", by="home", chart="diverging")
    (chart,) = rendered.charts
    assert "most answers not shown" in chart.svg
    assert "fewer than 5 each" not in chart.svg
    assert "fewer than 5 each" not in chart.alt


def test_the_block_is_registered_with_its_partial():
    kind = BLOCKS["question"]
    assert kind.compute is compute
    assert (ROOT / "survey_app" / "templates" / kind.template).is_file()


def test_the_full_report_prints_the_block(db):
    seed(db, n=40)
    _, rendered = run(db, question="fruit_rank")
    page = full_report(rendered, responses=43)
    assert "Rank the fruits." in page
    assert "Borda score" in page
    assert len(chart_images(page)) == 1
