"""The overview block: counts in SQL equal a count over the raw rows, released per population."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from survey_app.content import registry
from survey_app.questionnaire.countries import country_choices, country_name
from survey_app.reporting import aggregate
from survey_app.reporting.blocks import question
from survey_app.reporting.blocks.overview import OverviewPart, OverviewResult, compute, draw
from survey_app.reporting.context import ReportContext
from survey_app.reporting.schema import Report

from .report_app import NEEDS, Person, seed

#: 20 people: a private-sector respondent from Timor-Leste must never be singled out.
PEOPLE = [
    *[Person("ngo", "MY")] * 6,
    *[Person("ngo", "TH")] * 4,
    *[Person("ngo", "KH")] * 2,
    *[Person("academia", "MY")] * 3,
    *[Person("academia", "TH")] * 3,
    Person("private", "TL"),
    Person("private", "MY"),
]


def context(session: Any, blocks: list[dict[str, Any]], **report: Any) -> ReportContext:
    """A report context over the sample needs assessment, holding the given blocks."""
    questionnaires = registry().questionnaire_models()
    validated = Report.model_validate(
        {
            "schema_version": 1,
            "id": "overview-test",
            "title": "Overview test",
            "questionnaire": NEEDS,
            "blocks": blocks,
            **report,
        },
        context={"questionnaires": questionnaires},
    )
    return ReportContext(session, validated, questionnaires)


def overview_of(session: Any, block: dict[str, Any] | None = None, **report: Any) -> OverviewResult:
    """Compute one overview block over the sample needs assessment."""
    ctx = context(session, [{"type": "overview", **(block or {})}], **report)
    result = compute(ctx, ctx.report.blocks[0])
    assert isinstance(result, OverviewResult)
    return result


def rows(part: OverviewPart | None) -> dict[str, tuple[str, ...]]:
    """Label -> printed cells of the part's one table."""
    assert part is not None
    (table,) = part.tables
    return {row.label: row.cells for row in table.rows}


def test_counts_equal_a_count_over_the_raw_rows(session):
    seed(session, PEOPLE)
    result = overview_of(session)
    by_kind = Counter(p.stakeholder for p in PEOPLE)
    by_country = Counter(p.country for p in PEOPLE)
    assert result.responses == len(PEOPLE)
    assert result.countries == len(by_country)
    assert rows(result.stakeholder)["Non-governmental organisation"][:2] == (
        f"{by_kind['ngo']}",
        f"{by_kind['ngo'] / len(PEOPLE):.0%}",
    )
    assert rows(result.country)["Malaysia"] == ("10", "50%")
    assert rows(result.country)["Answered"] == ("20", "")


def test_collection_dates_are_the_first_and_last_submission_days(session):
    seed(session, PEOPLE, start=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    result = overview_of(session)
    assert (result.first_day, result.last_day) == (dt.date(2026, 3, 2), dt.date(2026, 3, 3))


def test_the_stakeholder_mix_prints_only_groups_that_may_show(session):
    """Each count of the stakeholder question is a group's size: the 2 from the private
    sector are under k, and academia (6) is hidden too, or 20 - 12 - 6 would give them away."""
    seed(session, PEOPLE)
    table = rows(overview_of(session).stakeholder)
    assert {label: cells[:2] for label, cells in table.items()} == {
        "Non-governmental organisation": ("12", "60%"),
        "Other groups": ("8", "40%"),
        "Answered": ("20", ""),
    }
    assert table["Other groups"][2] == "22–61%"  # the Wilson interval of 8 in 20


def test_every_figure_of_the_overview_is_released_for_a_shown_population(session):
    seed(session, PEOPLE)
    ctx = context(session, [{"type": "overview"}])
    result = compute(ctx, ctx.report.blocks[0])
    released = {(f.statistic, f.question, f.item): f.value for f in ctx.disclosure.figures}
    assert released[("size", None, None)] == 20
    assert released[("distinct", "country", None)] == result.countries == 4
    assert released[("count", "stakeholder_type", "not:ngo")] == 8
    assert ("count", "stakeholder_type", "private") not in released
    assert {f.population for f in ctx.disclosure.figures} <= set(ctx.disclosure.shown)


def test_unanswered_questions_show_in_the_base_sentence(session):
    seed(session, [*PEOPLE, *[Person(None, None)] * 7])
    result = overview_of(session)
    assert result.stakeholder is not None
    assert result.country is not None
    assert result.stakeholder.base == "Answered by 20 of 27 respondents."
    assert result.country.base == "Answered by 20 of 27 respondents."


def test_long_country_lists_fold_the_smallest_countries(session, monkeypatch):
    monkeypatch.setattr(aggregate, "MAX_COUNTRIES", 1)
    seed(
        session,
        [*[Person("ngo", "MY")] * 6, *[Person("ngo", "TH")] * 5, *[Person("ngo", "ID")] * 5],
    )
    assert rows(overview_of(session).country) == {
        "Malaysia": ("6", "38%"),
        "Other countries": ("10", "63%"),  # 62.5 rounds half up
        "Answered": ("16", ""),
    }


def test_the_report_filter_limits_the_responses_counted(session):
    seed(session, PEOPLE, start=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    result = overview_of(session, filter={"submitted_to": "2026-03-02"})
    assert result.responses == 15  # 09:00 to 23:00
    assert result.last_day == dt.date(2026, 3, 2)


def test_named_questions_override_the_defaults(session):
    seed(session, PEOPLE)
    result = overview_of(session, {"stakeholder": "engaged_before", "title": "Who we heard"})
    assert result.heading == "Who we heard"
    assert result.stakeholder is not None
    assert result.stakeholder.prompt.startswith("Has your organisation ever contributed")
    assert result.stakeholder.summary.empty  # nobody answered it
    assert draw(result) == ()


def test_no_responses_make_an_empty_block(session):
    result = overview_of(session)
    assert result.empty
    assert result.responses == 0
    assert result.first_day is None
    assert draw(result) == ()


def test_the_chart_says_what_the_table_says(session):
    seed(session, PEOPLE)
    (chart,) = draw(overview_of(session))
    assert chart.svg.startswith("<svg")
    assert "Non-governmental organisation" in chart.svg
    assert chart.alt == (
        "Bar chart of the share of respondents per answer: Non-governmental organisation: 60%; "
        "Other groups: 40%."
    )


def test_fewer_than_k_responses_print_nothing(session):
    """Zeros beside a total of 3 would show that all 3 are NGOs from Malaysia."""
    seed(session, [Person("ngo", "MY")] * 3)
    ctx = context(session, [{"type": "overview"}])
    result = compute(ctx, ctx.report.blocks[0])
    assert result.empty
    assert result.stakeholder is None
    assert result.country is None
    assert draw(result) == ()
    assert ctx.disclosure.figures == []


def test_the_overview_prints_what_a_question_block_prints_for_the_same_question(session):
    """One distribution, one set of figures: two tables with different hidden cells could be
    laid side by side to recover a cell either of them hides."""
    seed(session, [*PEOPLE, *[Person("academia", "ID")] * 5, *[Person("private", "ID")] * 4])
    blocks = [
        {"type": "overview"},
        {"type": "question", "question": "stakeholder_type"},
        {"type": "question", "question": "country"},
        {"type": "question", "question": "country", "by": "stakeholder_type"},
        {"type": "question", "question": "stakeholder_type", "by": "country"},
    ]
    ctx = context(session, blocks)
    first, *others = ctx.report.blocks
    overview = compute(ctx, first)
    stakeholder, country, country_by, stakeholder_by = (question.compute(ctx, b) for b in others)
    assert overview.stakeholder.tables == stakeholder.tables
    assert overview.country.tables == country.tables
    assert overview.stakeholder.summary.total == stakeholder_by.summary.total
    assert overview.country.summary.total == country_by.summary.total
    for crosstab in (country_by, stakeholder_by):
        (table,) = crosstab.tables
        alone = {label: cells[1] for label, cells in rows_of(crosstab.summary, ctx).items()}
        for row in table.rows[:-1]:
            assert row.cells[-1] == alone[row.label], row  # the "All respondents" column


def rows_of(summary: Any, ctx: ReportContext) -> dict[str, tuple[str, ...]]:
    """The rows a block without `by` prints for the summary's question."""
    from survey_app.reporting.blocks.question_tables import Marks, build_tables

    alone = aggregate.summarize(question.frame_of(ctx), ctx.question(summary.question_id))
    (table,) = build_tables(alone, Marks(ctx.k))
    return {row.label: row.cells for row in table.rows}


def test_country_names_are_common_names_everywhere():
    assert country_name("TL") == "Timor-Leste"
    assert country_name("LA") == "Laos"
    assert country_name("VN") == "Vietnam"
    assert country_name("XX") == "XX"
    names = dict(country_choices())
    assert names["LA"] == "Laos"
    assert list(names.values()) == sorted(names.values())
