"""Per-type aggregates equal a plain-Python count over the raw rows, released per population."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from scipy.stats import binomtest

from survey_app.questionnaire import Choice
from survey_app.questionnaire.questions import NumberQuestion
from survey_app.reporting.aggregate import (
    AGGREGATORS,
    OTHER_PREFIX,
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
from survey_app.reporting.disclosure import Disclosure, Population
from survey_app.reporting.scope import Scope
from survey_app.reporting.shown import Frame
from survey_app.reporting.sql import count_respondents
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


def q(question_id: str | None) -> Any:
    if question_id is None:
        return None
    question = EVERY_TYPE.question(question_id)
    assert question is not None
    return question


def frame(db, k: int = K, where: Scope | None = None) -> Frame:
    """A fresh disclosure layer over the every-type questionnaire's responses."""
    where = where or scope()
    disclosure = Disclosure(k, 10)
    everyone = disclosure.population(
        where.population(), "All respondents", count_respondents(db, where)
    )
    return Frame(db, where, disclosure, everyone, questionnaire=EVERY_TYPE)


def half_up(value: float, digits: int = 0) -> float:
    """Rounding as people do, written independently of the app's helper."""
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def percent(count: int, n: int) -> float:
    return half_up(100 * count / n)


def check_row(row: Distribution, expected: Mapping[str, int], columns: Sequence[str]) -> None:
    """Every count of a shown row equals the raw count, and its share is released half up."""
    assert row.n is not None
    assert row.counts == tuple(expected.get(c, 0) for c in columns), row.label
    assert row.shares == tuple(percent(expected.get(c, 0), row.n) for c in columns), row.label


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


def answered(session, question_id: str, who: set[int]) -> set[int]:
    return {r.response_id for r in raw(session, question_id) if r.response_id in who}


# --- every figure equals an independent computation ------------------------------------


@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_single_choice_counts_shares_and_intervals_equal_a_count_over_the_raw_rows(db, by):
    seed(db)
    summary = summarize_single_choice(frame(db), q("fruit"), by, q(by))
    columns = [c.value for c in summary.categories]
    assert columns == ["apple", "pear", "plum", "_other"]
    assert [c.label for c in summary.categories][-1] == "Other"
    rows = raw(db, "fruit")
    for row in (summary.total, *summary.groups):
        who = members(db, by, summary, row.key) if by else respondents(db)
        mine = [r for r in rows if r.response_id in who]
        assert row.n == len({r.response_id for r in mine}) >= K
        check_row(row, Counter(r.option_value for r in mine), columns)
    assert summary.respondents == len(respondents(db))
    for count, (low, high) in zip(summary.total.counts, summary.total.intervals, strict=True):
        ci = binomtest(count, summary.total.n or 0).proportion_ci(method="wilson")
        assert (low, high) == (half_up(100 * ci.low), half_up(100 * ci.high))


def test_multi_choice_shares_are_of_respondents_and_overlap(db):
    seed(db)
    summary = summarize_multi_choice(frame(db), q("fruits"))
    rows = raw(db, "fruits")
    assert summary.multiple
    assert summary.total.n == len({r.response_id for r in rows})
    check_row(summary.total, Counter(r.option_value for r in rows), ["apple", "pear", "plum"])
    assert sum(summary.total.shares) > 100
    assert len(summary.total.intervals) == 3


def test_countries_are_named_most_frequent_first_and_the_rest_counted_together(db):
    seed(db)
    summary = summarize_country(frame(db), q("home"))
    counts = Counter(r.option_value for r in raw(db, "home"))
    named = [c.value for c in summary.categories if not c.value.startswith(OTHER_PREFIX)]
    # Within a shown population every country is a figure of it, however few named it.
    assert set(named) == set(counts)
    assert named == sorted(
        named, key=lambda c: (-counts[c], summary.categories[named.index(c)].label)
    )
    labels = {c.value: c.label for c in summary.categories}
    assert labels["VN"] in {"Viet Nam", "Vietnam"}
    assert labels["TL"] == "Timor-Leste"
    check_row(summary.total, dict(counts), named)


def test_countries_beyond_the_twelfth_are_other_countries(db):
    codes = ["TH", "MY", "VN", "KH", "PH", "LA", "ID", "SG", "MM", "BN", "TL", "IN", "PK", "FR"]
    for i, code in enumerate(codes):
        for _ in range(20 - i):
            add_response(db, {"home": code})
    summary = summarize_country(frame(db), q("home"))
    assert [c.value for c in summary.categories] == [
        *codes[:12],
        OTHER_PREFIX + ",".join(sorted(codes[:12])),
    ]
    assert summary.total.counts[-1] == (20 - 12) + (20 - 13)


@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_scale_distribution_and_mean(db, by):
    seed(db)
    summary = summarize_scale(frame(db), q("liking"), by, q(by))
    assert [c.label for c in summary.categories] == ["1 – Not at all", "2", "3", "4", "5 – A lot"]
    rows = raw(db, "liking")
    for row in (summary.total, *summary.groups):
        who = members(db, by, summary, row.key) if by else respondents(db)
        values = [int(r.number_value) for r in rows if r.response_id in who]
        assert row.n == len(values)
        check_row(row, Counter(str(v) for v in values), ["1", "2", "3", "4", "5"])
        assert row.mean == half_up(statistics.mean(values), 1)


@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_matrix_rows_follow_the_yaml_with_distribution_and_mean(db, by):
    seed(db)
    summary = summarize_matrix(frame(db), q("liking_each"), by, q(by))
    assert [r.key for r in summary.rows] == ["apple", "pear", "plum"]
    rows = raw(db, "liking_each")
    assert summary.n == len({r.response_id for r in rows})
    for dist in summary.rows:
        values = [int(r.number_value) for r in rows if r.row == dist.key]
        assert dist.n == len(values)
        check_row(dist, Counter(str(v) for v in values), ["1", "2", "3", "4", "5"])
        assert dist.mean == half_up(statistics.mean(values), 1)
    for group in summary.groups:
        who = members(db, by, summary, group.key)
        assert group.n == len(answered(db, "liking_each", who)) >= K
        for i, matrix_row in enumerate(("apple", "pear", "plum")):
            values = [r.number_value for r in rows if r.row == matrix_row and r.response_id in who]
            assert group.means[i] == (half_up(statistics.mean(values), 1) if values else None)


def ranking_truth(rows: list[Any], top: int) -> dict[str, dict[str, float]]:
    answered_n = len({r.response_id for r in rows})
    out: dict[str, dict[str, float]] = {}
    for option in ("apple", "pear", "plum"):
        ranks = [r.rank for r in rows if r.option_value == option]
        out[option] = {
            "times": len(ranks),
            "first": ranks.count(1),
            "mean_rank": half_up(statistics.mean(ranks), 1),
            "borda": half_up(sum(top + 1 - rank for rank in ranks) / answered_n, 2),
        }
    return out


@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_ranking_scores_equal_an_independent_computation(db, by):
    seed(db)
    summary = summarize_ranking(frame(db), q("fruit_rank"), by, q(by))
    rows = raw(db, "fruit_rank")
    truth = ranking_truth(rows, top=2)
    assert summary.n == len({r.response_id for r in rows})
    for option in summary.options:
        t = truth[option.value]
        assert (option.times_ranked, option.times_first) == (t["times"], t["first"])
        assert (option.mean_rank, option.borda) == (t["mean_rank"], t["borda"])
    scores = [o.borda for o in summary.options]
    assert scores == sorted(scores, reverse=True)
    order = [o.value for o in summary.options]
    for group in summary.groups:
        who = members(db, by, summary, group.key)
        mine = [r for r in rows if r.response_id in who]
        g_truth = ranking_truth(mine, top=2)
        assert group.n == len({r.response_id for r in mine}) >= K
        assert list(group.borda) == [g_truth[o]["borda"] for o in order]
        assert list(group.mean_rank) == [g_truth[o]["mean_rank"] for o in order]


@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_number_mean_and_histogram_and_no_single_persons_value(db, by):
    seed(db)
    question = q("age")
    summary = summarize_number(frame(db), question, by, q(by))
    rows = raw(db, "age")
    for stats in (summary.total, *summary.groups):
        who = members(db, by, summary, stats.key) if by else respondents(db)
        values = [r.number_value for r in rows if r.response_id in who]
        assert stats.n == len(values)
        assert stats.mean == half_up(statistics.mean(values), 1)
        fields = {f.name for f in dataclasses.fields(stats)}
        assert not fields & {"minimum", "maximum", "median", "q1", "q3"}
    values = [r.number_value for r in rows]
    edges, bins = bin_edges(question, min(values), max(values))
    assert len(bins) == len(edges) - 1

    def bin_of(value: float) -> str:
        inner = [i for i, edge in enumerate(edges[1:-1]) if value < edge]
        return bins[inner[0] if inner else len(edges) - 2].value

    assert summary.histogram is not None
    columns = [b.value for b in summary.bins]
    assert all(".." in c for c in columns)  # item "lo..hi", the audit's bin notation
    check_row(summary.histogram, Counter(bin_of(v) for v in values), columns)
    for hist in summary.group_histograms:
        who = members(db, by, summary, hist.key)
        mine = Counter(bin_of(r.number_value) for r in rows if r.response_id in who)
        check_row(hist, mine, columns)


def test_dates_are_counted_per_month_without_gaps(db):
    seed(db)
    summary = summarize_date(frame(db), q("visit"))
    days = [r.date_value for r in raw(db, "visit")]
    assert summary.period == "month"
    first, last = min(days), max(days)
    assert summary.categories[0].value == f"{first:%Y-%m}"
    assert summary.categories[-1].value == f"{last:%Y-%m}"
    assert summary.categories[0].label == f"{first:%b %Y}"
    assert len(summary.categories) == (last.year - first.year) * 12 + last.month - first.month + 1
    columns = [c.value for c in summary.categories]
    check_row(summary.total, Counter(f"{d:%Y-%m}" for d in days), columns)


def test_dates_spanning_years_are_counted_per_year(db):
    for year in (2005, 2005, 2009, 2019):
        for _ in range(K):
            add_response(db, {"visit": dt.date(year, 6, 1)})
    summary = summarize_date(frame(db), q("visit"))
    assert summary.period == "year"
    assert [c.value for c in summary.categories] == [str(y) for y in range(2005, 2020)]
    assert summary.total.counts[0] == 2 * K
    add_response(db, {"visit": dt.date(1990, 1, 1)})
    assert summarize_date(frame(db), q("visit")).categories[0].label == "1990s"


def test_free_text_is_only_counted(db):
    seed(db)
    summary = summarize_text(frame(db), q("story"), "fruit", q("fruit"))
    rows = raw(db, "story")
    assert summary.total.n == len(rows)
    assert sum(g.n or 0 for g in summary.groups) == len(rows)
    assert "SECRET-STORY" not in repr(summary)


def test_scope_leaves_out_other_questionnaires_and_dates(db):
    seed(db)
    summary = summarize_number(frame(db), q("age"))
    assert summary.histogram is not None
    assert summary.histogram.counts[-1] == 0 or "99" not in summary.bins[-1].label
    day = (START + dt.timedelta(hours=30)).date()
    within = summarize_single_choice(frame(db, where=Scope(QID, submitted_to=day)), q("fruit"))
    expected = sum(1 for i in range(160) if (START + dt.timedelta(hours=i)).date() <= day)
    assert within.total.n == within.respondents == expected


# --- skip logic: answered by X of the Y it was shown to ---------------------------------


def test_a_conditional_question_says_how_many_it_was_shown_to(db):
    seed(db)
    fruit = {r.response_id: r.option_value for r in raw(db, "fruit")}
    liking = {r.response_id: r.number_value for r in raw(db, "liking")}
    fruits = defaultdict(set)
    for r in raw(db, "fruits"):
        fruits[r.response_id].add(r.option_value)
    ages = {r.response_id for r in raw(db, "age")}
    everyone = respondents(db)
    # The section "ratings" shows unless the fruit is a plum.
    shown_liking = {r for r in everyone if fruit.get(r) in {"apple", "pear", "_other"}}
    # nickname: age answered, liking not 1 (unanswered counts as "not 1"), plum or apples.
    shown_nickname = {
        r
        for r in everyone
        if r in ages and liking.get(r) != 1 and (fruit.get(r) == "plum" or "apple" in fruits[r])
    }
    liking_summary = summarize(frame(db), q("liking"))
    assert liking_summary.shown == len(shown_liking)
    assert liking_summary.answered == len(answered(db, "liking", everyone))
    assert summarize(frame(db), q("nickname")).shown == len(shown_nickname)
    assert summarize(frame(db), q("fruit")).shown is None  # unconditional


def test_shown_is_released_as_a_figure_of_the_scope(db):
    seed(db, n=30)
    f = frame(db)
    summary = summarize(f, q("liking"))
    scope_key = scope().population().key()
    found = [x for x in f.disclosure.figures if x.statistic == "shown"]
    assert [(x.population, x.question, x.value) for x in found] == [
        (scope_key, "liking", summary.shown)
    ]


# --- populations, not cells --------------------------------------------------------------


def test_a_six_person_scope_shows_every_figure_even_cells_of_one(db):
    for fruit in ["apple"] * 3 + ["pear"] * 2 + ["plum"]:
        add_response(db, {"fruit": Choice((fruit,)), "age": 30})
    summary = summarize_single_choice(frame(db), q("fruit"))
    assert summary.total.n == 6
    assert summary.total.counts == (3, 2, 1, 0)
    assert summary.total.shares == (50.0, 33.0, 17.0, 0.0)
    assert not summary.empty


def test_fewer_than_k_answers_hide_the_question_but_not_how_many_answered(db):
    for i in range(8):
        add_response(db, {"fruit": Choice(("apple",)), **({"age": 20 + i} if i < 4 else {})})
    f = frame(db)
    summary = summarize_number(f, q("age"))
    assert (summary.respondents, summary.answered) == (8, 4)
    assert summary.total.n is None
    assert summary.total.mean is None
    assert summary.histogram is None
    answered_key = scope().population().narrowed(answered="age").key()
    assert answered_key in f.disclosure.hidden
    assert not [x for x in f.disclosure.figures if x.population == answered_key]


def test_when_no_group_reaches_k_the_total_still_shows(db):
    for fruit in ["apple"] * 3 + ["pear"] * 2 + ["plum"]:
        add_response(db, {"fruit": Choice((fruit,)), "liking": 4})
    summary = summarize_scale(frame(db), q("liking"), "fruit", q("fruit"))
    assert summary.total.n == 6
    assert summary.total.mean == 4.0
    assert summary.groups == ()
    assert summary.hidden_groups == 3


def test_small_groups_are_not_named_and_the_rest_is_other_groups(db):
    seed(db)
    summary = summarize_scale(frame(db), q("liking"), "home", q("home"))
    labels = [g.label for g in summary.groups]
    assert "Timor-Leste" not in labels
    assert "Brunei Darussalam" not in labels
    assert labels[-1].startswith("Other groups")
    assert summary.hidden_groups >= 2


def test_a_rest_under_k_takes_in_the_smallest_group(db):
    # 12, 6 and 2: the plums alone would be a rest of 2.
    for fruit, n in (("apple", 12), ("pear", 6), ("plum", 2)):
        for _ in range(n):
            add_response(db, {"fruit": Choice((fruit,)), "age": 30})
    summary = summarize_number(frame(db), q("age"), "fruit", q("fruit"))
    assert [(g.label, g.n) for g in summary.groups] == [("Apple", 12), ("Other groups", 8)]


@pytest.mark.parametrize("by", [None, "fruit", "home"])
def test_every_printed_number_was_released_and_only_for_shown_populations(db, by):
    seed(db, n=40)
    for question in EVERY_TYPE.questions():
        f = frame(db)
        summary = summarize(f, question, by, q(by))
        released = {x.value for x in f.disclosure.figures}
        for value in numbers_in(summary):
            assert value in released, (question.id, value)
        assert {x.population for x in f.disclosure.figures} <= set(f.disclosure.shown)


def numbers_in(value: Any, name: str = "") -> list[float]:
    """Every number in a summary that tables or charts print (not k, not labels)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = []
        for field in dataclasses.fields(value):
            if field.name not in {"k", "top"}:  # settings, not figures about respondents
                out += numbers_in(getattr(value, field.name), field.name)
        return out
    if isinstance(value, tuple):
        return [n for item in value for n in numbers_in(item, name)]
    if isinstance(value, int | float) and not isinstance(value, bool) and name != "hidden_groups":
        return [value]
    return []


@pytest.mark.parametrize("question", list(EVERY_TYPE.questions()), ids=lambda x: x.id)
def test_no_responses_gives_an_empty_summary(db, question):
    summary = summarize(frame(db), question)
    assert summary.empty
    assert summary.respondents is None


@pytest.mark.parametrize("question", list(EVERY_TYPE.questions()), ids=lambda x: x.id)
def test_a_scope_under_k_prints_nothing(db, question):
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
    f = frame(db)
    summary = summarize(f, question, "home", q("home"))
    assert summary.empty
    assert summary.respondents is None
    assert numbers_in(summary) == []
    assert f.disclosure.figures == []


# --- bins ---------------------------------------------------------------------------------


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
    assert [b.value for b in bins][-1] == "50..60"


def test_every_question_type_has_an_aggregator_that_runs(db):
    seed(db, n=30)
    seen: dict[str, int] = defaultdict(int)
    for question in EVERY_TYPE.questions():
        summary = AGGREGATORS[question.type](frame(db), question)  # type: ignore[attr-defined]
        seen[summary.question_type] += 1
        assert isinstance(frame(db).population, Population)
    assert set(seen) == set(AGGREGATORS)
