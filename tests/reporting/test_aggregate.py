"""Per-type aggregates equal a plain-Python count over the raw rows, and hide small cells."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest

from survey_app.questionnaire import Choice
from survey_app.questionnaire.schema import NumberQuestion
from survey_app.reporting import sql
from survey_app.reporting.aggregate import (
    AGGREGATORS,
    OTHER_COUNTRIES,
    summarize,
    summarize_country,
    summarize_date,
    summarize_matrix,
    summarize_multi_choice,
    summarize_number,
    summarize_ranking,
    summarize_scale,
    summarize_single_choice,
    summarize_text,
)
from survey_app.reporting.aggregate_numeric import bin_edges
from survey_app.reporting.scope import Scope
from survey_app.reporting.summaries import REST, TOTAL, Distribution, Summary

from .question_data import (
    EVERY_TYPE,
    QID,
    START,
    add_response,
    groups_of,
    question_db,  # noqa: F401 -- the `db` fixture
    raw,
    respondents,
    scope,
    seed,
)

K = 5


def q(question_id: str) -> Any:
    question = EVERY_TYPE.question(question_id)
    assert question is not None
    return question


def check_row(row: Distribution, expected: Mapping[str, int], columns: Sequence[str], k: int):
    """Shown cells equal the raw count; hidden ones are under k or listed as withheld."""
    assert len(row.counts) == len(columns)
    for i, column in enumerate(columns):
        count, truth = row.counts[i], expected.get(column, 0)
        if count is None:
            assert 0 < truth < k or i in row.withheld, (row.label, column)
        else:
            assert count == truth, (row.label, column)
            assert not 0 < count < k
            assert i not in row.withheld


def members(session, by: str, summary: Summary, key: str) -> set[int]:
    """Respondents a breakdown row stands for, recomputed from the raw rows."""
    group = groups_of(session, by)
    named = {g.key for g in summary.groups if g.key != REST}  # type: ignore[attr-defined]
    everyone = respondents(session)
    if key == TOTAL:
        return everyone
    if key == REST:
        return {r for r in everyone if group.get(r) not in named}
    return {r for r in everyone if group.get(r) == key}


# --- every figure equals an independent computation ------------------------------------


@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_single_choice_counts_equal_a_count_over_the_raw_rows(db, by):
    seed(db)
    summary = summarize_single_choice(db, scope(), q("fruit"), K, by, q(by) if by else None)
    columns = [c.value for c in summary.categories]
    assert columns == ["apple", "pear", "plum", "_other"]
    assert [c.label for c in summary.categories][-1] == "Other"
    rows = raw(db, "fruit")
    for row in (summary.total, *summary.groups):
        who = members(db, by, summary, row.key) if by else respondents(db)
        mine = [r for r in rows if r.response_id in who]
        assert row.n == len({r.response_id for r in mine})
        check_row(row, Counter(r.option_value for r in mine), columns, K)
        for count, share in zip(row.counts, row.shares, strict=True):
            assert share == (None if count is None else count / row.n)
    assert summary.respondents == len(respondents(db))


def test_multi_choice_shares_are_of_respondents_and_overlap(db):
    seed(db)
    summary = summarize_multi_choice(db, scope(), q("fruits"), K)
    rows = raw(db, "fruits")
    answered = len({r.response_id for r in rows})
    assert summary.multiple
    assert summary.total.n == answered
    check_row(summary.total, Counter(r.option_value for r in rows), ["apple", "pear", "plum"], K)
    assert sum(s for s in summary.total.shares if s) > 1


def test_countries_are_named_largest_first_and_small_ones_counted_together(db):
    seed(db)
    summary = summarize_country(db, scope(), q("home"), K)
    counts = Counter(r.option_value for r in raw(db, "home"))
    named = [c.value for c in summary.categories if c.value != OTHER_COUNTRIES]
    assert named == sorted(named, key=lambda c: -counts[c])
    assert all(counts[c] >= K for c in named)
    assert {c for c in counts if counts[c] >= K} == set(named)
    labels = {c.value: c.label for c in summary.categories}
    assert labels["VN"] == "Viet Nam" or labels["VN"] == "Vietnam"
    assert labels[OTHER_COUNTRIES] == "Other countries"
    expected = {c: counts[c] for c in named}
    expected[OTHER_COUNTRIES] = sum(n for c, n in counts.items() if c not in named)
    check_row(summary.total, expected, [c.value for c in summary.categories], K)
    assert "Timor-Leste" not in str(summary)


@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_scale_distribution_and_mean(db, by):
    seed(db)
    summary = summarize_scale(db, scope(), q("liking"), K, by, q(by) if by else None)
    assert [c.label for c in summary.categories] == [
        "1 – Not at all",
        "2",
        "3",
        "4",
        "5 – A lot",
    ]
    rows = raw(db, "liking")
    for row in (summary.total, *summary.groups):
        who = members(db, by, summary, row.key) if by else respondents(db)
        values = [int(r.number_value) for r in rows if r.response_id in who]
        assert row.n == len(values)
        check_row(row, Counter(str(v) for v in values), ["1", "2", "3", "4", "5"], K)
        assert row.mean == pytest.approx(statistics.mean(values))


@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_matrix_rows_follow_the_yaml_with_distribution_and_mean(db, by):
    seed(db)
    summary = summarize_matrix(db, scope(), q("liking_each"), K, by, q(by) if by else None)
    assert [r.key for r in summary.rows] == ["apple", "pear", "plum"]
    rows = raw(db, "liking_each")
    assert summary.n == len({r.response_id for r in rows})
    for dist in summary.rows:
        values = [int(r.number_value) for r in rows if r.row == dist.key]
        assert dist.n == len(values)
        check_row(dist, Counter(str(v) for v in values), ["1", "2", "3", "4", "5"], K)
        assert dist.mean == pytest.approx(statistics.mean(values))
    for group in summary.groups:
        who = members(db, by, summary, group.key)
        for i, matrix_row in enumerate(("apple", "pear", "plum")):
            values = [r.number_value for r in rows if r.row == matrix_row and r.response_id in who]
            if group.ns[i] is None:
                assert group.means[i] is None
                assert 0 < len(values) < K or i in group.withheld
            else:
                assert group.ns[i] == len(values)
                assert group.means[i] == pytest.approx(statistics.mean(values))


def ranking_truth(rows: list[Any], top: int) -> dict[str, dict[str, float]]:
    answered = len({r.response_id for r in rows})
    out: dict[str, dict[str, float]] = {}
    for option in ("apple", "pear", "plum"):
        ranks = [r.rank for r in rows if r.option_value == option]
        out[option] = {
            "times": len(ranks),
            "first": ranks.count(1),
            "mean_rank": statistics.mean(ranks),
            "borda": sum(top + 1 - rank for rank in ranks) / answered,
        }
    return out


@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_ranking_scores_equal_an_independent_computation(db, by):
    seed(db)
    summary = summarize_ranking(db, scope(), q("fruit_rank"), K, by, q(by) if by else None)
    rows = raw(db, "fruit_rank")
    truth = ranking_truth(rows, top=2)
    assert summary.n == len({r.response_id for r in rows})
    for option in summary.options:
        t = truth[option.value]
        assert option.times_ranked == t["times"]
        assert option.times_first == t["first"]
        assert option.mean_rank == pytest.approx(t["mean_rank"])
        assert option.borda == pytest.approx(t["borda"])
    scores = [o.borda for o in summary.options]
    assert scores == sorted(scores, reverse=True)
    order = [o.value for o in summary.options]
    for group in summary.groups:
        who = members(db, by, summary, group.key)
        mine = [r for r in rows if r.response_id in who]
        g_truth = ranking_truth(mine, top=2)
        assert group.n == len({r.response_id for r in mine})
        for i, option in enumerate(order):
            if group.borda[i] is None:
                assert 0 < g_truth[option]["times"] < K or i in group.withheld
            else:
                assert group.borda[i] == pytest.approx(g_truth[option]["borda"])
                assert group.mean_rank[i] == pytest.approx(g_truth[option]["mean_rank"])


def quartiles(values: list[float]) -> list[float]:
    return statistics.quantiles(values, n=4, method="inclusive")


@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_number_quartiles_extremes_and_histogram(db, by):
    seed(db)
    question = q("age")
    summary = summarize_number(db, scope(), question, K, by, q(by) if by else None)
    rows = raw(db, "age")
    for stats in (summary.total, *summary.groups):
        who = members(db, by, summary, stats.key) if by else respondents(db)
        values = [r.number_value for r in rows if r.response_id in who]
        assert stats.n == len(values)
        assert stats.mean == pytest.approx(statistics.mean(values))
        assert [stats.q1, stats.median, stats.q3] == pytest.approx(quartiles(values))
        assert stats.median == pytest.approx(statistics.median(values))
        assert (stats.minimum, stats.maximum) == (min(values), max(values))
    values = [r.number_value for r in rows]
    edges, bins = bin_edges(question, min(values), max(values))
    assert len(bins) == len(edges) - 1

    def bin_of(value: float) -> str:
        inner = [i for i, edge in enumerate(edges[1:-1]) if value < edge]
        return str(inner[0] if inner else len(edges) - 2)

    assert summary.histogram is not None
    columns = [b.value for b in summary.bins]
    check_row(summary.histogram, Counter(bin_of(v) for v in values), columns, K)
    for hist in summary.group_histograms:
        who = members(db, by, summary, hist.key)
        check_row(
            hist, Counter(bin_of(r.number_value) for r in rows if r.response_id in who), columns, K
        )


def test_dates_are_counted_per_month_without_gaps(db):
    seed(db)
    summary = summarize_date(db, scope(), q("visit"), K)
    days = [r.date_value for r in raw(db, "visit")]
    assert summary.period == "month"
    first, last = min(days), max(days)
    assert summary.categories[0].value == f"{first:%Y-%m}"
    assert summary.categories[-1].value == f"{last:%Y-%m}"
    assert summary.categories[0].label == f"{first:%b %Y}"
    assert len(summary.categories) == (last.year - first.year) * 12 + last.month - first.month + 1
    check_row(
        summary.total,
        Counter(f"{d:%Y-%m}" for d in days),
        [c.value for c in summary.categories],
        K,
    )


def test_dates_spanning_years_are_counted_per_year(db):
    for year in (2005, 2005, 2009, 2019):
        for _ in range(K):
            add_response(db, {"visit": dt.date(year, 6, 1)})
    summary = summarize_date(db, scope(), q("visit"), K)
    assert summary.period == "year"
    assert [c.value for c in summary.categories] == [str(y) for y in range(2005, 2020)]
    assert summary.total.counts[0] == 2 * K
    add_response(db, {"visit": dt.date(1990, 1, 1)})
    assert summarize_date(db, scope(), q("visit"), K).categories[0].label == "1990s"


def test_free_text_is_only_counted(db):
    seed(db)
    summary = summarize_text(db, scope(), q("story"), K, "fruit", q("fruit"))
    rows = raw(db, "story")
    assert summary.total.n == len(rows)
    assert sum(g.n or 0 for g in summary.groups) == len(rows)
    assert "SECRET-STORY" not in repr(summary)


def test_scope_leaves_out_other_questionnaires_and_dates(db):
    seed(db)
    summary = summarize_number(db, scope(), q("age"), K)
    assert summary.total.maximum != 99
    day = (START + dt.timedelta(hours=30)).date()
    within = summarize_single_choice(db, Scope(QID, submitted_to=day), q("fruit"), K)
    expected = sum(1 for i in range(160) if (START + dt.timedelta(hours=i)).date() <= day)
    assert within.total.n == within.respondents == expected


# --- privacy -----------------------------------------------------------------------------


COUNT_FIELDS = {"n", "counts", "ns", "times_ranked", "times_first", "respondents"}


def counts_in(value: Any, name: str = "") -> Iterator[tuple[str, int]]:
    """Every respondent count in a summary, found by field name."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from counts_in(getattr(value, field.name), field.name)
    elif isinstance(value, tuple):
        for item in value:
            yield from counts_in(item, name)
    elif isinstance(value, int) and not isinstance(value, bool) and name in COUNT_FIELDS:
        yield name, value


@pytest.mark.parametrize("k", [3, 5, 10])
@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_no_count_under_k_appears_in_any_summary(db, k, by):
    seed(db)
    for question in EVERY_TYPE.questions():
        summary = summarize(db, scope(), question, k, by, q(by) if by else None)
        small = [(name, n) for name, n in counts_in(summary) if 0 < n < k]
        assert small == [], (question.id, by)


@pytest.mark.parametrize("by", ["fruit", "home"])
def test_every_breakdown_row_covers_at_least_k_and_rows_add_up(db, by):
    seed(db)
    for question in EVERY_TYPE.questions():
        summary = summarize(db, scope(), question, K, by, q(by))
        groups = getattr(summary, "groups", ())
        if not groups:
            continue
        sizes = [g.n for g in groups]
        assert all(n is not None and n >= K for n in sizes), question.id
        answered = len({r.response_id for r in raw(db, question.id)})
        assert sum(sizes) == answered, question.id


def test_small_groups_are_pooled_not_named(db):
    seed(db)
    summary = summarize_scale(db, scope(), q("liking"), K, "home", q("home"))
    labels = [g.label for g in summary.groups]
    assert "Timor-Leste" not in labels
    assert "Brunei Darussalam" not in labels
    assert labels[-1].startswith("Other groups")
    assert summary.pooled_groups >= 2


def test_a_rest_under_k_takes_in_the_smallest_group(db):
    # NGO 12, academia 6, private 2: the private sector alone would be a rest of 2.
    for fruit, n in (("apple", 12), ("pear", 6), ("plum", 2)):
        for _ in range(n):
            add_response(db, {"fruit": Choice((fruit,)), "age": 30})
    summary = summarize_number(db, scope(), q("age"), K, "fruit", q("fruit"))
    assert [(g.label, g.n) for g in summary.groups] == [("Apple", 12), ("Other groups", 8)]


def test_complementary_suppression_when_one_cell_of_an_additive_row_is_hidden(db):
    for fruit, n in (("apple", 10), ("pear", 8), ("plum", 2)):
        for _ in range(n):
            add_response(db, {"fruit": Choice((fruit,))})
    summary = summarize_single_choice(db, scope(), q("fruit"), K)
    # Plum (2) is under k; printed alone, 20 - 10 - 8 would give it away.
    assert summary.total.counts[:3] == (10, None, None)
    assert summary.total.withheld == (1,)
    assert summary.total.shares[:3] == (0.5, None, None)
    assert summary.suppressed
    assert summary.withheld


def test_multi_choice_needs_no_complementary_suppression(db):
    for picked in [("apple", "pear")] * 8 + [("pear", "plum")] * 2:
        add_response(db, {"fruits": Choice(picked)})
    summary = summarize_multi_choice(db, scope(), q("fruits"), K)
    assert summary.total.counts == (8, 10, None)
    assert summary.total.withheld == ()


def test_complementary_suppression_in_a_breakdown_protects_a_cell_the_total_would_reveal(db):
    answers = [("apple", "TH")] * 9 + [("pear", "TH")] * 6 + [("apple", "MY")] * 7
    answers += [("pear", "MY")] * 2 + [("plum", "MY")] * 6
    for fruit, home in answers:
        add_response(db, {"fruit": Choice((fruit,)), "home": home})
    summary = summarize_single_choice(db, scope(), q("fruit"), K, "home", q("home"))
    malaysia = next(g for g in summary.groups if g.key == "MY")
    thailand = next(g for g in summary.groups if g.key == "TH")
    assert summary.total.counts[:3] == (16, 8, 6)  # the total is printed elsewhere too
    assert malaysia.counts[1] is None  # 2 pears
    # 8 pears in all and 6 in Thailand would give Malaysia's 2: Thailand's pears hide too.
    assert thailand.counts[1] is None
    assert 1 in thailand.withheld


def test_a_total_hidden_to_protect_another_is_not_the_sum_of_shown_group_cells(db):
    """Pears (10) hide in the total row to protect plums (2); shown pears per country would
    add up to 10 again, and the total row would then give the plums away."""
    answers = [("apple", "TH")] * 5 + [("pear", "TH")] * 5 + [("plum", "TH")] * 2
    answers += [("apple", "MY")] * 7 + [("pear", "MY")] * 5
    for fruit, home in answers:
        add_response(db, {"fruit": Choice((fruit,)), "home": home})
    alone = summarize_single_choice(db, scope(), q("fruit"), K)
    summary = summarize_single_choice(db, scope(), q("fruit"), K, "home", q("home"))
    assert summary.total == alone.total  # the same figures as a block without `by`
    assert summary.total.counts[:3] == (12, None, None)
    pears = [g.counts[1] for g in summary.groups]
    assert None in pears
    for column in range(len(summary.categories)):
        if summary.total.counts[column] is None:
            assert any(g.counts[column] is None for g in summary.groups), column


def test_min_and_max_are_never_shown_for_fewer_than_k(db):
    for age in (20, 30, 40, 50):
        add_response(db, {"age": age})
    summary = summarize_number(db, scope(), q("age"), K)
    assert summary.total.n is None
    assert (summary.total.minimum, summary.total.maximum) == (None, None)
    assert (summary.total.mean, summary.total.median) == (None, None)
    assert summary.histogram is None
    assert summary.empty


@pytest.mark.parametrize("question", list(EVERY_TYPE.questions()), ids=lambda x: x.id)
def test_no_responses_gives_an_empty_summary(db, question):
    summary = summarize(db, scope(), question, K)
    assert summary.empty
    assert summary.respondents == 0


@pytest.mark.parametrize("question", list(EVERY_TYPE.questions()), ids=lambda x: x.id)
def test_every_answer_suppressed_gives_an_empty_summary(db, question):
    for _ in range(K - 1):
        add_response(
            db,
            {
                "fruit": Choice(("apple",)),
                "fruits": Choice(("pear",)),
                "fruit_rank": ("plum", "apple"),
                "liking": 4,
                "liking_each": {"apple": 5, "pear": 3, "plum": 1},
                "age": 40,
                "nickname": "Ace",
                "story": "A story",
                "visit": dt.date(2024, 5, 5),
                "home": "TL",
                "home_detail": "North",
            },
        )
    summary = summarize(db, scope(), question, K, "home", q("home"))
    assert summary.empty
    assert summary.respondents is None
    assert [n for _, n in counts_in(summary) if 0 < n < K] == []


def test_spread_out_answers_with_every_cell_under_k_are_empty_too(db):
    for fruit in ["apple"] * 2 + ["pear"] * 2 + ["plum"] * 2:
        add_response(db, {"fruit": Choice((fruit,))})
    summary = summarize_single_choice(db, scope(), q("fruit"), K)
    assert summary.total.n == 6
    assert summary.empty


# --- SQL helpers and bins ---------------------------------------------------------------


@pytest.mark.parametrize("values", [[7], [1, 2], [5, 1, 3], [4, 8, 15, 16, 23, 42], [2.5] * 4])
def test_sql_quantiles_match_python(db, values):
    for v in values:
        add_response(db, {"age": v})
    expected = [
        min(values),
        *(quartiles(values) if len(values) > 1 else [values[0]] * 3),
        max(values),
    ]
    found = sql.quantiles(db, scope(), "age", (0, 0.25, 0.5, 0.75, 1), len(values))
    assert list(found) == pytest.approx(expected)


def number_question(**fields: Any) -> NumberQuestion:
    return NumberQuestion(id="x", type="number", prompt="X?", **fields)


@pytest.mark.parametrize(
    ("fields", "low", "high", "labels"),
    [
        ({}, 18, 65, ["15–19", "20–24", "25–29", "30–34", "35–39", "40–44", "45–49"]),
        ({"min": 0, "max": 10}, 1, 9, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]),
        ({"min": 0, "max": 120}, 18, 65, ["15–19"]),
        ({"integer": False}, 0.0, 1.0, ["0–0.1", "0.1–0.2"]),
        ({}, 7, 7, ["7"]),
    ],
)
def test_bins_have_round_edges(fields, low, high, labels):
    edges, bins = bin_edges(number_question(**fields), low, high)
    assert [b.label for b in bins][: len(labels)] == labels
    assert edges[0] <= low
    assert edges[-1] >= high
    assert len(bins) <= 12


def test_the_top_bin_includes_a_maximum_on_its_edge():
    _, bins = bin_edges(number_question(), 0, 60)
    assert [b.label for b in bins] == ["0–9", "10–19", "20–29", "30–39", "40–49", "50–60"]


def test_every_question_type_has_an_aggregator_that_runs(db):
    seed(db, n=30)
    seen = defaultdict(int)
    for question in EVERY_TYPE.questions():
        summary = AGGREGATORS[question.type](db, scope(), question, K)  # type: ignore[attr-defined]
        seen[summary.question_type] += 1
    assert set(seen) == set(AGGREGATORS)
