"""The audit models every question type: an attack on each is caught, and the recount helper
recomputes every linear statistic (and catches a figure that differs from the raw rows)."""

from __future__ import annotations

import pytest

from survey_app.reporting.disclosure import PopulationDef

from .atoms import AuditError
from .audit import audit
from .rawdata import check_figures, members, recompute
from .synth import BASE, SPECS, Publisher, group, person

GRID = [
    {"a": 1, "b": 5},
    {"a": 2},
    {"a": 4, "b": 4},
    {"a": 5, "b": 1},
    {"a": 3, "b": 2},
    {"a": 2, "b": 3},
]


def rows() -> list:
    """Six people, five NGO and one private, with every type answered (one skip each)."""
    out = []
    for i in range(6):
        answers = {
            "sector": "private" if i == 5 else "ngo",
            "rating": 1 + i % 5,
            "skills": [
                ["law"],
                ["law", "data"],
                ["advocacy"],
                ["data"],
                ["law", "advocacy"],
                ["data", "advocacy"],
            ][i],
            "grid": GRID[i],
            "ranked": [("x", "y"), ("y", "z"), ("z", "x"), ("x", "z"), ("y", "x"), ("z", "y")][i],
            "years": [3, 7, 12, 20, 25, 31][i],
        }
        if i != 2:
            answers["agree"] = "yes" if i % 2 else "no"
        if i in (1, 5):
            answers["why"] = "text"
        out.append(person(i, **answers))
    return out


def attack(release) -> set[tuple[str, str | None, str | None]]:
    """Show the whole training and the five NGO people (the private one is hidden): leaks."""
    pub = Publisher(rows())
    for definition in (BASE, group("ngo")):
        release(pub, pub.show(definition))
    pub.hide(group("private"))
    result = audit(pub.json(), pub.rows, SPECS)
    return {(t.question, t.sub, t.item) for t in result.leaks if "private" in t.population}


def test_multi_choice_counts_are_subtracted():
    leaks = attack(lambda pub, pop: pub.counts(pop, "skills", ["law", "data", "advocacy"]))
    assert ("skills", None, "advocacy") in leaks


def test_matrix_row_mean_and_n_pin_the_row():
    leaks = attack(lambda pub, pop: pub.mean(pop, "grid", row="b", digits=2))
    assert ("grid", "b", None) in leaks  # the private person's "b" answered (3), via the sum


def test_ranking_positions_are_subtracted():
    leaks = attack(lambda pub, pop: pub.counts(pop, "ranked", ["x@1", "y@1", "z@1"]))
    assert ("ranked", "@1", "z") in leaks


def test_number_histogram_bins_and_mean_pin_the_value():
    def release(pub, pop):
        pub.counts(pop, "years", ["0..9", "10..19", "20..40"])
        pub.mean(pop, "years", digits=1)

    assert ("years", None, "20..40") in attack(release)


def test_answered_population_and_shown_counts():
    """Figures of "those who answered agree" and "shown why" are modelled too."""

    def release(pub, pop):
        answered = pub.show(pop.definition.narrowed(answered="agree"))
        pub.counts(answered, "agree", ["yes", "no"])
        pub.disclosure.release(pop, "shown", pub_shown(pub, pop), question="why")
        pub.disclosure.release(pop, "answered", pub_answered(pub, pop), question="why")

    leaks = attack(release)
    assert ("agree", None, "yes") in leaks
    assert ("why", None, None) in leaks


def pub_shown(pub, pop) -> int:
    return sum(r.was_shown("why") for r in members(pub.rows, pop.definition))


def pub_answered(pub, pop) -> int:
    return sum("why" in r.answers for r in members(pub.rows, pop.definition))


def test_same_types_through_the_rules_pass():
    pub = Publisher(rows(), k=3)
    total = pub.ask(BASE)
    pub.counts(total, "skills", ["law", "data", "advocacy"])
    pub.mean(total, "grid", row="b")
    pub.counts(total, "ranked", ["x@1", "y@1", "z@1", "x@2"])
    pub.counts(total, "years", ["0..9", "10..19", "20..40"])
    pub.percent(total, "agree", "yes", digits=1)
    assert pub.breakdown(total, "sector") == []  # NGO 5 would leave a residual of 1
    result = audit(pub.json(), pub.rows, SPECS)
    assert result.targets
    assert result.ok, [str(t) for t in result.leaks]


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        ({"statistic": "size"}, 6),
        ({"statistic": "answered", "question": "agree"}, 5),
        ({"statistic": "shown", "question": "why"}, 2),
        ({"statistic": "count", "question": "skills", "item": "data"}, 3),
        ({"statistic": "count", "question": "ranked", "item": "x@2"}, 2),
        ({"statistic": "count", "question": "ranked", "item": "x"}, 4),
        ({"statistic": "count", "question": "years", "item": "10..19"}, 1),
        ({"statistic": "count", "question": "grid", "row": "a", "item": "2"}, 2),
        ({"statistic": "percent", "question": "agree", "item": "yes", "digits": 1}, 60.0),
        ({"statistic": "percent", "question": "rating", "item": "1..2", "digits": 0}, 50.0),
        ({"statistic": "mean", "question": "grid", "row": "b", "digits": 2}, 3.0),
        ({"statistic": "mean", "question": "years", "digits": 1}, 16.3),
        ({"statistic": "mean", "question": "rating", "digits": 2}, 2.67),
    ],
)
def test_recompute_from_raw_rows(figure, expected):
    assert (
        recompute(rows(), BASE, {"row": None, "item": None, "digits": None, **figure}) == expected
    )


def test_a_figure_that_differs_from_the_raw_rows_is_reported():
    pub = Publisher(rows())
    pub.counts(pub.show(BASE), "agree", ["yes"])
    data = pub.json()
    assert check_figures(data, pub.rows).checked == 2
    assert not check_figures(data, pub.rows).mismatches
    data["figures"][0]["value"] += 1
    assert len(check_figures(data, pub.rows).mismatches) == 1
    with pytest.raises(AuditError, match="recount"):
        audit(data, pub.rows, SPECS)


def test_unmodelled_populations_fail_loudly():
    pub = Publisher(rows())
    pub.counts(
        pub.show(PopulationDef("synthetic", training=1, submitted_from="2026-01-01")),
        "agree",
        ["yes"],
    )
    with pytest.raises(AuditError, match="dates"):
        audit(pub.json(), pub.rows, SPECS)


def test_a_population_of_who_answered_a_matrix_as_a_whole_is_modelled():
    """Its size alone (a block's "answered by n"), with no figure of the matrix, used to
    stop the audit: the "answered any row" flag was only made for other figures."""
    rows = [person(i, sector="ngo", rating=3, grid={"a": 1 + i % 5}) for i in range(6)]
    rows += [person(6 + i, sector="ngo", rating=3) for i in range(2)]
    pub = Publisher(rows)
    assert pub.ask(BASE.narrowed(answered="grid")) is not None
    pub.counts(pub.show(BASE), "rating", ["3"])
    assert audit(pub.json(), pub.rows, SPECS).ok
