"""The question block: figures of shown populations, all of them released; hidden ones marked."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from typing import Any

import pytest
from jinja2 import Environment, PackageLoader, StrictUndefined

from survey_app.questionnaire import Choice
from survey_app.reporting.blocks.question import QuestionResult, compute, draw
from survey_app.reporting.blocks.registry import BLOCKS
from survey_app.reporting.disclosure import HIDDEN_MARK
from survey_app.reporting.pipeline import ReportDocument, render_html
from survey_app.reporting.results import RenderedBlock
from survey_app.reporting.schema import CHARTS_FOR_TYPE
from survey_app.settings import ROOT

from .question_data import (
    EVERY_TYPE,
    add_response,
    context,
    question_db,  # noqa: F401 -- the `db` fixture
    raw,
    respondents,
    seed,
)
from .report_app import chart_images

K = 5
PARTIAL = Environment(
    loader=PackageLoader("survey_app", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
).get_template("reports/blocks/question.html")


def run(session, k: int = K, **block: Any) -> tuple[QuestionResult, RenderedBlock, Any]:
    ctx = context(session, [{"type": "question", **block}], k=k)
    ctx.disclosure.block = 1
    result = compute(ctx, ctx.report.blocks[0])
    assert isinstance(result, QuestionResult)
    charts = () if result.empty else draw(result)
    return result, RenderedBlock(1, "block-1", "question", result, charts), ctx.disclosure


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


def numbers(text: str) -> list[float]:
    """Every number printed in a text (1,234 / 43% / 4.2 / 31–52%)."""
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


def page_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


CASES = [
    (question.id, kind, by)
    for question in EVERY_TYPE.questions()
    for kind in CHARTS_FOR_TYPE[question.type]  # type: ignore[attr-defined]
    for by in (None, "fruit", "home")
]


@pytest.mark.parametrize(("question_id", "kind", "by"), CASES)
def test_every_number_a_block_prints_was_released(db, question_id, kind, by):
    seed(db)
    block: dict[str, Any] = {"question": question_id, "chart": kind}
    if by:
        block["by"] = by
    result, rendered, disclosure = run(db, **block)
    assert result.chart_kind == kind
    released = {f.value for f in disclosure.figures} | {K}
    # Scale points, bin edges and months label the axes; they are not figures.
    labels = " ".join(
        [c.label for c in getattr(result.summary, "categories", ())]
        + [p.label for p in getattr(result.summary, "points", ())]
        + [b.label for b in getattr(result.summary, "bins", ())]
        + [f"{p.value}" for p in getattr(result.summary, "points", ())]
    )
    exempt = set(numbers(labels)) | {95.0}  # "95% interval"
    table_text = " ".join(cell for t in result.tables for row in t.rows for cell in row.cells)
    for value in numbers(table_text + " " + result.base):
        assert value in released or value in exempt, (question_id, value)
    for chart in rendered.charts:
        assert chart.svg.startswith("<svg")
        alt = chart.alt.split(": ", 1)[-1]
        for value in numbers(alt):
            assert value in released or value in exempt, (question_id, chart.alt)
    page = partial(rendered)
    assert chart_images(page) == [(chart.svg, chart.alt) for chart in rendered.charts]
    assert ">not shown<" not in page  # the old marker
    if kind == "none" or result.empty:
        assert rendered.charts == ()
    else:
        assert len(rendered.charts) == 1


def test_choice_table_prints_counts_shares_and_intervals_recomputed_from_raw_rows(db):
    for fruit, n in (("apple", 12), ("pear", 8), ("plum", 6), ("_other", 2)):
        for _ in range(n):
            add_response(db, {"fruit": Choice((fruit,), "Quince" if fruit == "_other" else None)})
    result, rendered, _ = run(db, question="fruit")
    (table,) = result.tables
    assert table.header == ("Answer", "Respondents", "Share", "95% interval")
    rows = {row.label: row.cells for row in table.rows}
    counts = Counter(r.option_value for r in raw(db, "fruit"))
    assert rows["Apple"][:2] == (str(counts["apple"]), "43%")  # 12 / 28
    # Other (2) is a figure of the 28 who answered: shown like any other cell.
    assert rows["Other"][:2] == ("2", "7%")
    assert rows["Other"][2] == "2–23%"
    assert rows["Answered"][0] == "28"
    assert result.base == "Answered by all 28 respondents."
    assert "Quince" not in partial(rendered)


def test_a_six_person_training_gets_its_figures_when_no_group_reaches_k(db):
    """The bug of issue 12: no group reaches k, so the whole block was withheld."""
    answers = [("apple", 5), ("apple", 4), ("pear", 4), ("pear", 3), ("_other", 4), ("_other", 4)]
    for fruit, liking in answers:
        add_response(db, {"fruit": Choice((fruit,)), "liking": liking})
    result, rendered, _ = run(db, question="liking", by="fruit")
    assert not result.empty
    (table,) = result.tables
    assert table.header == ("Rating", "Respondents", "Share")
    rows = {row.label: row.cells for row in table.rows}
    assert rows["4"] == ("4", "67%")
    assert rows["5 – A lot"] == ("1", "17%")
    assert rows["1 – Not at all"] == ("0", "0%")
    assert result.base == "Answered by all 6 respondents; mean rating 4.0 on 1–5."
    assert any("No group of “Which fruit?” is shown" in note for note in result.notes)
    assert "Apple" not in partial(rendered)
    (chart,) = rendered.charts
    assert "All respondents" in chart.svg


def test_a_conditional_question_says_how_many_it_was_shown_to(db):
    seed(db, n=60)
    result, _, _ = run(db, question="liking")
    fruit = {r.response_id: r.option_value for r in raw(db, "fruit")}
    shown = sum(1 for r in respondents(db) if fruit.get(r) != "plum")
    answered = len({r.response_id for r in raw(db, "liking")})
    everyone = len(respondents(db))
    assert result.base.startswith(
        f"Answered by {answered} of the {shown} respondents it was shown to ({everyone} in all)"
    )
    plain, _, _ = run(db, question="age")
    ages = len({r.response_id for r in raw(db, "age")})
    assert plain.base == f"Answered by {ages} of {everyone} respondents."


def test_fewer_than_k_answers_print_the_marker_and_no_figure(db):
    for i in range(9):
        add_response(db, {"fruit": Choice(("apple",)), **({"age": 30 + i} if i < 3 else {})})
    result, rendered, disclosure = run(db, question="age")
    assert not result.empty
    assert result.tables == ()
    assert rendered.charts == ()
    hidden = f"Its answers are not shown: {HIDDEN_MARK} people answered."
    assert result.base == f"Answered by 3 of 9 respondents. {hidden}"
    assert {f.statistic for f in disclosure.figures} == {"size", "answered"}


def test_numbers_print_no_lowest_highest_median_or_quartiles(db):
    seed(db)
    result, rendered, _ = run(db, question="age", by="fruit")
    (table,) = result.tables
    assert table.header == ("", "Respondents", "Mean (years)")
    text = page_text(partial(rendered))
    for word in ("Lowest", "Highest", "Median", "Middle half"):
        assert word not in text
    assert "Box plot" not in rendered.charts[0].alt


def test_free_text_is_never_printed(db):
    seed(db)
    for by in (None, "fruit"):
        result, rendered, _ = run(db, question="story", **({"by": by} if by else {}))
        assert not result.empty
        assert "SECRET-STORY" not in partial(rendered)
        assert "SECRET-STORY" not in repr(result)
        assert rendered.charts == ()


def test_no_responses_gives_an_empty_block_that_says_so(db):
    result, rendered, _ = run(db, question="liking_each")
    assert result.empty
    assert result.tables == ()
    assert draw(result) == ()
    page = full_report(rendered, responses=0)
    assert "No responses have been received yet" in page


def test_a_scope_under_k_gives_an_empty_block(db):
    for _ in range(K - 1):
        add_response(db, {"liking": 4, "home": "TL"})
    for question_id in ("liking", "home"):
        result, rendered, disclosure = run(db, question=question_id)
        assert result.empty
        assert disclosure.figures == []
        page = full_report(rendered, responses=K - 1)
        assert "every figure would describe fewer than" in page
        assert "Timor" not in page


def test_many_countries_keep_the_table_short(db):
    codes = ["TH", "MY", "VN", "KH", "LA", "PH", "ID", "SG", "MM", "BN", "TL", "IN"]
    codes += ["BD", "NP", "LK", "PK", "BT", "MV", "CN", "JP"]
    for i, code in enumerate(codes):
        for _ in range(K + i):
            add_response(db, {"home": code})
    result, _, _ = run(db, question="home")
    (table,) = result.tables
    assert len(table.rows) <= 15
    assert table.rows[0].label == "Japan"
    assert "Other countries" in [row.label for row in table.rows]


def test_breakdown_table_and_chart_show_the_same_groups_and_name_no_hidden_one(db):
    seed(db)
    result, rendered, _ = run(db, question="liking", by="home", chart="bar")
    (table,) = result.tables
    assert table.crosstab
    assert table.header[-1] == "All respondents"
    assert table.header[-2] == "Other groups"
    groups = table.header[1:]
    (chart,) = rendered.charts
    for group in groups:
        assert group in chart.svg
        assert f"{group}: " in chart.alt
    assert "Timor-Leste" not in partial(rendered)
    assert "Timor-Leste" not in chart.svg
    assert f"Groups of {HIDDEN_MARK} people are not shown by name." in chart.alt
    assert any("counted together as “Other groups”" in note for note in result.notes)


def test_a_hidden_figure_prints_the_one_marker_in_its_own_span(db):
    seed(db, n=30)
    result, rendered, _ = run(db, question="fruit")
    assert HIDDEN_MARK == "fewer than k"
    page = full_report(rendered, responses=30)
    assert "not-shown" not in page  # nothing is hidden in a shown population
    from survey_app.reporting.blocks.question_tables import Marks

    assert Marks(K).count(None) == HIDDEN_MARK
    assert Marks(K).share(None) == HIDDEN_MARK
    assert result.tables


def test_the_block_is_registered_with_its_partial():
    kind = BLOCKS["question"]
    assert kind.compute is compute
    assert (ROOT / "survey_app" / "templates" / kind.template).is_file()


def test_the_full_report_prints_the_block(db):
    seed(db, n=40)
    _, rendered, _ = run(db, question="fruit_rank")
    page = full_report(rendered, responses=43)
    assert "Rank the fruits." in page
    assert "Borda score" in page
    assert len(chart_images(page)) == 1
