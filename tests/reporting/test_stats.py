"""Pre/post statistics against hand-worked and published values."""

from __future__ import annotations

import pytest

from survey_app.reporting.stats import (
    gain_band,
    match_rate,
    mean_paired_difference,
    normalised_gain,
    wilcoxon_signed_rank,
)

#: The worked example of the Wikipedia article "Wilcoxon signed-rank test" (10 pairs,
#: one zero difference, one tie): signed-rank sum W = 9, so W+ = 27 and W− = 18.
WIKIPEDIA_PAIRS = [
    (110, 125),
    (122, 115),
    (125, 130),
    (120, 140),
    (140, 140),
    (124, 115),
    (123, 140),
    (137, 125),
    (135, 140),
    (145, 135),
]


def test_wilcoxon_drops_zero_differences_and_averages_tied_ranks() -> None:
    result = wilcoxon_signed_rank([after - before for before, after in WIKIPEDIA_PAIRS])
    assert (result.n, result.n_zero) == (9, 1)
    assert (result.w_plus, result.w_minus) == (27.0, 18.0)
    assert result.w_plus - result.w_minus == 9
    assert result.statistic == 18.0


def test_wilcoxon_with_ties_uses_the_normal_approximation_with_corrections() -> None:
    """Hand-worked: var = 9·10·19/24 − (2³−2)/48 = 71.125; z = (18 − 22.5 + 0.5)/√71.125."""
    result = wilcoxon_signed_rank([after - before for before, after in WIKIPEDIA_PAIRS])
    assert result.method == "normal"
    assert result.z == pytest.approx(-4 / 71.125**0.5)
    assert result.z == pytest.approx(-0.4742953, abs=1e-7)
    # SciPy 1.17 wilcoxon(zero_method="wilcox", correction=True, method="approx") agrees.
    assert result.p_value == pytest.approx(0.6352893188352069, abs=1e-12)


def test_wilcoxon_without_ties_gives_the_exact_p_value() -> None:
    """Ranks 1..8, only rank 4 negative: P(W− <= 4) = 7 subsets of 2⁸, two-sided 14/256."""
    result = wilcoxon_signed_rank([1, 2, 3, -4, 5, 6, 7, 8])
    assert result.method == "exact"
    assert (result.w_plus, result.w_minus, result.statistic) == (32.0, 4.0, 4.0)
    assert result.z is None
    assert result.p_value == pytest.approx(14 / 256)


def test_wilcoxon_exact_p_value_matches_the_critical_value_table() -> None:
    """n = 10, T = 8 is the two-sided 5% critical value: P(T <= 8) = 2·25/1024 ≈ 0.049."""
    result = wilcoxon_signed_rank([-1, -3, -4, 2, 5, 6, 7, 8, 9, 10])
    assert result.statistic == 8.0
    assert result.p_value == pytest.approx(50 / 1024)
    assert result.p_value < 0.05
    assert wilcoxon_signed_rank([-1, -2, -6, 3, 4, 5, 7, 8, 9, 10]).p_value > 0.05


def test_wilcoxon_on_many_tied_likert_differences_matches_scipy() -> None:
    """40 differences of −3..4 with 7 zeros; expected values from SciPy 1.17 (approx)."""
    differences = [0, 1, 3, 4, -3, -2, 3, 4, -2, -1, 3, 0, -1, 3, -1, 0, 2, 1, -3, -3]
    differences += [3, 3, 3, 1, 3, -1, 0, 3, -3, -1, -3, 0, 4, -2, 0, 0, 4, -2, 1, -1]
    result = wilcoxon_signed_rank(differences)
    assert (result.n, result.n_zero, result.method) == (33, 7, "normal")
    assert result.statistic == 197.5
    assert result.z == pytest.approx(-1.4935949781323132, abs=1e-12)
    assert result.p_value == pytest.approx(0.13528151281628314, abs=1e-12)


def test_rank_biserial_is_the_signed_share_of_rank_sums() -> None:
    assert wilcoxon_signed_rank([1, 2, 3, -4, 5, 6, 7, 8]).rank_biserial == pytest.approx(28 / 36)
    wiki = wilcoxon_signed_rank([after - before for before, after in WIKIPEDIA_PAIRS])
    assert wiki.rank_biserial == pytest.approx(9 / 45)
    assert wilcoxon_signed_rank([-1, -2, -3]).rank_biserial == -1.0


def test_wilcoxon_without_non_zero_differences_reports_no_test() -> None:
    result = wilcoxon_signed_rank([0, 0, 0])
    assert (result.n, result.n_zero, result.method) == (0, 3, "none")
    assert result.p_value is None
    assert result.rank_biserial is None


def test_wilcoxon_with_all_differences_tied_has_a_defined_p_value() -> None:
    result = wilcoxon_signed_rank([1.0] * 30)
    assert result.method == "normal"
    assert result.w_plus == 30 * 31 / 2
    assert result.p_value is not None
    assert result.p_value < 0.001


def test_normalised_gain_follows_hake() -> None:
    """Hake (1998): <g> = (%post − %pre) / (100 − %pre) on class averages."""
    assert normalised_gain(40, 70) == pytest.approx(0.5)
    assert normalised_gain(80, 70) == pytest.approx(-0.5)
    assert normalised_gain(100, 100) is None


@pytest.mark.parametrize(
    ("gain", "band"),
    [
        (-0.2, "low"),
        (0.0, "low"),
        (0.2999, "low"),
        (0.3, "medium"),
        (0.6999, "medium"),
        (0.7, "high"),
        (1.0, "high"),
    ],
)
def test_gain_bands_are_hakes(gain: float, band: str) -> None:
    assert gain_band(gain) == band


def test_match_rate_counts_each_participant_once() -> None:
    assert match_rate(20, 16, 12) == pytest.approx(12 / 24)
    assert match_rate(10, 10, 10) == 1.0
    assert match_rate(10, 0, 0) == 0.0
    assert match_rate(0, 0, 0) is None
    assert match_rate(5, 3, 4) is None


def test_mean_paired_difference_is_after_minus_before() -> None:
    assert mean_paired_difference([(1, 3), (2, 2), (4, 3)]) == pytest.approx(1 / 3)
    assert mean_paired_difference([]) is None
