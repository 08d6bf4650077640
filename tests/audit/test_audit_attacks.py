"""The audit catches the attacks of issue 12 on staged figure lists, and passes the same data
released through the group-minimum rules."""

from __future__ import annotations

from survey_app.reporting.disclosure import PopulationDef

from .audit import SIZES, AuditResult, audit
from .synth import BASE, SPECS, Publisher, group, person

RATINGS = [1, 2, 3, 4, 5, 3]


def sectors(*sizes: tuple[str, int], rating: list[int] | None = None) -> list:
    """Respondents by sector, with varied ratings and agree answers."""
    rows = []
    for sector, n in sizes:
        for _ in range(n):
            i = len(rows)
            r = (rating or RATINGS)[i % len(rating or RATINGS)]
            rows.append(person(i, sector=sector, rating=r, agree="yes" if i % 3 else "no"))
    return rows


def leaked(result: AuditResult) -> set[str]:
    return {f"{t.statistic} {t.question} {t.item} [{t.population}]" for t in result.leaks}


def run(pub: Publisher) -> AuditResult:
    return audit(pub.json(), pub.rows, SPECS)


def test_hidden_cell_from_total_and_other_shown_cells_is_caught():
    """Total minus two shown groups gives the hidden group's counts (and its size)."""
    pub = Publisher(sectors(("ngo", 6), ("academia", 3), ("private", 2)))
    points = ["1", "2", "3", "4", "5"]
    pub.counts(pub.show(BASE), "rating", points)
    pub.counts(pub.show(group("ngo")), "rating", points)
    pub.counts(pub.show(group("academia")), "rating", points)
    pub.hide(group("private"))
    result = run(pub)
    assert any(t.startswith("count rating") and "private" in t for t in leaked(result))
    # Its size follows from the sizes alone, which the model prints (an overview's counts).
    assert [
        t.truth for t, basis in result.homogeneous if t.statistic == "size" and basis == SIZES
    ] == [2]


def test_same_data_through_the_residual_rule_passes():
    """6/3/2 at k=5: NGO and "Other groups" (5) show; academia and private cannot be solved."""
    pub = Publisher(sectors(("ngo", 6), ("academia", 3), ("private", 2), rating=[1, 2, 3, 2, 4, 5]))
    points = ["1", "2", "3", "4", "5"]
    total = pub.ask(BASE)
    pub.counts(total, "rating", points)
    for pop in pub.breakdown(total, "sector"):
        pub.counts(pop, "rating", points)
    result = run(pub)
    assert [t for t in result.targets if "academia" in t.population]
    assert result.ok, [str(t) for t in result.leaks]


def test_mean_n_and_shown_shares_pin_the_hidden_member():
    """Total mean and n, with the NGO group's shares, give the lone private rating."""
    rows = sectors(("ngo", 5), ("private", 1), rating=[1, 2, 4, 5, 5, 3])
    pub = Publisher(rows)
    pub.mean(pub.show(BASE), "rating", digits=2)
    ngo = pub.show(group("ngo"))
    for point in "12345":
        pub.percent(ngo, "rating", point)
    pub.hide(group("private"))
    result = run(pub)
    assert "count rating 3 [" + group("private").key() + "]" in leaked(result)


def test_mean_of_the_whole_training_alone_passes():
    """Residual 1 hides NGO too: the total's mean and shares leave the private rating open."""
    rows = sectors(("ngo", 5), ("private", 1), rating=[1, 2, 4, 5, 5, 3])
    pub = Publisher(rows)
    total = pub.ask(BASE)
    pub.mean(total, "rating")
    for point in "12345":
        pub.percent(total, "rating", point)
    assert pub.breakdown(total, "sector") == []
    result = run(pub)
    assert result.targets
    assert result.ok, [str(t) for t in result.leaks]


def post_rows() -> list:
    """7 post respondents, 5 of them paired; the 2 unmatched answer all 5s and yes."""
    rows = [
        person(i, "post", True, sector="ngo", rating=1 + i % 4, agree="no" if i % 2 else "yes")
        for i in range(5)
    ]
    rows += [person(5 + i, "post", False, sector="ngo", rating=5, agree="yes") for i in range(2)]
    return rows


def test_all_post_minus_paired_gives_the_unmatched_answers():
    pub = Publisher(post_rows())
    everyone = PopulationDef("synthetic", training=1, phase="post")
    for definition in (everyone, everyone.narrowed(paired=True)):
        pop = pub.show(definition)
        pub.counts(pop, "rating", list("12345"))
        pub.counts(pop, "agree", ["yes", "no"])
    result = run(pub)
    unmatched = [t for t in result.leaks if "minus" in t.population]
    assert {(t.question, t.item, t.truth) for t in unmatched} >= {
        ("rating", "5", 2),
        ("agree", "yes", 2),
    }


def test_paired_only_figures_keep_the_unmatched_open():
    """The paired-only plan: all post respondents show their number only."""
    pub = Publisher(post_rows())
    everyone = PopulationDef("synthetic", training=1, phase="post")
    pub.disclosure.release(pub.show(everyone), "size", 7)
    paired = pub.ask(
        everyone.narrowed(paired=True),
    )
    pub.counts(paired, "rating", list("12345"))
    pub.counts(paired, "agree", ["yes", "no"])
    result = run(pub)
    assert [t for t in result.targets if "minus" in t.population]
    assert result.ok, [str(t) for t in result.leaks]


def test_threshold_sentence_released_as_a_share_is_caught():
    """ "Fewer than 5 of 10 rate it 1-2 (threshold 40%)" as a share, with NGO's counts shown
    although the other 4 are fewer than k, gives the other 4's count of 1-2."""
    rows = sectors(
        ("ngo", 6), ("academia", 2), ("private", 2), rating=[1, 3, 4, 5, 2, 1, 4, 2, 5, 3]
    )
    pub = Publisher(rows)
    pub.percent(pub.show(BASE), "rating", "1..2")
    pub.counts(pub.show(group("ngo")), "rating", list("12345"))
    result = run(pub)
    assert any(t.item == "1..2" and "minus" in t.population for t in result.leaks)


def test_threshold_share_of_the_whole_training_passes():
    rows = sectors(
        ("ngo", 6), ("academia", 2), ("private", 2), rating=[1, 3, 4, 5, 2, 1, 4, 2, 5, 3]
    )
    pub = Publisher(rows)
    total = pub.ask(BASE)
    pub.percent(total, "rating", "1..2")
    assert pub.breakdown(total, "sector") == []  # residual 4 hides NGO as well
    assert run(pub).ok


def test_lone_private_participant_from_total_minus_shown_groups_is_caught():
    pub = Publisher(sectors(("ngo", 5), ("academia", 5), ("private", 1)))
    for definition in (BASE, group("ngo"), group("academia")):
        pub.counts(pub.show(definition), "agree", ["yes", "no"])
    result = run(pub)
    lone = [t for t in result.leaks if "private" in t.population]
    assert {(t.statistic, t.item, t.truth) for t in lone} >= {
        ("count", "yes", 1),
        ("count", "no", 0),
    }


def test_lone_private_participant_inside_other_groups_passes():
    pub = Publisher(sectors(("ngo", 5), ("academia", 5), ("private", 1)))
    total = pub.ask(BASE)
    pub.counts(total, "agree", ["yes", "no"])
    shown = pub.breakdown(total, "sector")
    assert [p.label for p in shown] == ["ngo", "Other groups"]
    for pop in shown:
        pub.counts(pop, "agree", ["yes", "no"])
    result = run(pub)
    assert [t for t in result.targets if "private" in t.population]
    assert result.ok, [str(t) for t in result.leaks]


def test_an_answer_everyone_gave_is_not_a_leak():
    """All 11 agree: that the lone member did not say no is known from the total alone."""
    rows = [person(i, sector="ngo" if i else "private", rating=3, agree="yes") for i in range(11)]
    pub = Publisher(rows)
    total = pub.ask(BASE)
    pub.counts(total, "agree", ["yes", "no"])
    pub.breakdown(total, "sector")
    result = run(pub)
    assert result.ok
    assert any(t.item == "no" and t.truth == 0 for t, _ in result.homogeneous)


def answered_by_ngo_only() -> Publisher:
    """8 NGO members who all answered `agree`, 2 private-sector members who left it blank;
    the overview hides every sector (NGO too: the residual would be the 2)."""
    rows = [person(i, sector="ngo", rating=3, agree="yes" if i % 3 else "no") for i in range(8)] + [
        person(8 + i, sector="private", rating=3) for i in range(2)
    ]
    pub = Publisher(rows)
    total = pub.ask(BASE)
    assert total is not None
    assert pub.breakdown(total, "sector") == []
    return pub


def test_answerers_all_in_one_shown_group_pin_the_small_groups_blank():
    """ "8 answered, all 8 NGOs" tells that the 2 others left the question blank."""
    pub = answered_by_ngo_only()
    pub.counts(pub.show(BASE.narrowed(answered="agree")), "agree", ["yes", "no"])
    pub.counts(pub.show(group("ngo").narrowed(answered="agree")), "agree", ["yes", "no"])
    lone = {(t.statistic, t.truth) for t in run(pub).leaks if "private" in t.population}
    assert ("answered", 0) in lone


def test_breakdown_of_who_answered_hides_a_group_that_would_pin_the_others_blank():
    pub = answered_by_ngo_only()
    answered = pub.ask(BASE.narrowed(answered="agree"))
    assert answered is not None
    pub.counts(answered, "agree", ["yes", "no"])
    assert pub.breakdown(answered, "sector", base=BASE) == []
    result = run(pub)
    assert [t for t in result.targets if "private" in t.population]
    assert result.ok, [str(t) for t in result.leaks]


def test_a_zero_of_a_shown_group_is_not_a_leak_of_its_members():
    """ "Other groups" (academia 3, private 2) rate 4.4 on average; the total has only two
    5s, so none of the five rated 2: a figure of a shown group of k, which each of its
    members shares (as "all 12 answered yes"), not the private members' own answers."""
    rating = [1, 2, 3, 3, 2, 1, 4, 5, 4, 5, 4]
    pub = Publisher(sectors(("ngo", 6), ("academia", 3), ("private", 2), rating=rating))
    total = pub.ask(BASE)
    pub.counts(total, "rating", ["1", "2", "3", "4", "5"])
    shown = pub.breakdown(total, "sector")
    assert [p.label for p in shown] == ["ngo", "Other groups"]
    for pop in shown:
        pub.mean(pop, "rating")
    result = run(pub)
    zeros = [(t, basis) for t, basis in result.homogeneous if basis.endswith("(none of them)")]
    assert ("2", 0) in {(t.item, t.truth) for t, _ in zeros if "private" in t.population}
    assert result.ok, [str(t) for t in result.leaks]
