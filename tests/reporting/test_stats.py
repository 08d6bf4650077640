"""Pre/post statistics against hand-worked values, published values and a brute-force path."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from scipy import stats as scipy_stats

from survey_app.reporting.stats import (
    METHOD_LABELS,
    gain_band,
    match_rate,
    mean_paired_difference,
    normalised_gain,
    rank_biserial_ci,
    wilcoxon_signed_rank,
    wilson_interval,
)

#: The worked example of the Wikipedia article "Wilcoxon signed-rank test" (10 pairs,
#: one zero difference, one tie).
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


def pratt_ranks(d: list[float]) -> list[float]:
    """Mean ranks of |d| among all differences, zeros included (written out by hand)."""
    ordered = sorted(abs(x) for x in d)
    return [ordered.index(abs(x)) + 1 + (ordered.count(abs(x)) - 1) / 2 for x in d]


def brute_force_p(d: list[float]) -> float:
    """Two-sided p of W+ over every sign flip of the differences, counted one by one."""
    ranks = pratt_ranks(d)
    observed = sum(r for r, x in zip(ranks, d, strict=True) if x > 0)
    nonzero = [(r, x) for r, x in zip(ranks, d, strict=True) if x != 0]
    sums = [
        sum(r for (r, _), s in zip(nonzero, signs, strict=True) if s > 0)
        for signs in itertools.product((1, -1), repeat=len(nonzero))
    ]
    eps = 1e-9
    low = sum(w <= observed + eps for w in sums) / len(sums)
    high = sum(w >= observed - eps for w in sums) / len(sums)
    return min(1.0, 2 * min(low, high))


def test_four_tied_changes_and_two_unchanged_pairs_give_the_exact_p() -> None:
    """The issue's case: the normal approximation said 0.120; every sign flip gives 3/16."""
    result = wilcoxon_signed_rank([0, 0, -1, 1, 1, 1, 1, 2])
    assert result.method == "exact permutation"
    assert result.method_label == "exact permutation, ties and zeros kept"
    assert result.p_value == pytest.approx(0.1875)
    assert result.p_value == pytest.approx(brute_force_p([0, 0, -1, 1, 1, 1, 1, 2]))


def test_five_identical_pairs_reach_the_exact_minimum_not_less() -> None:
    """Five equal changes: the smallest two-sided p there is, 2/2⁵ (the approximation: 0.037)."""
    result = wilcoxon_signed_rank([1, 1, 1, 1, 1])
    assert result.p_value == pytest.approx(0.0625)
    assert result.method == "exact permutation"


def test_without_ties_or_zeros_the_p_value_is_scipys_exact_one() -> None:
    """Ranks 1..8, only rank 4 negative: P(W− <= 4) = 7 subsets of 2⁸, two-sided 14/256."""
    result = wilcoxon_signed_rank([1, 2, 3, -4, 5, 6, 7, 8])
    assert result.method == "exact"
    assert (result.w_plus, result.w_minus) == (32.0, 4.0)
    assert result.p_value == pytest.approx(14 / 256)


def test_exact_p_value_matches_the_critical_value_table() -> None:
    """n = 10, T = 8 is the two-sided 5% critical value: P(T <= 8) = 2·25/1024 ≈ 0.049."""
    result = wilcoxon_signed_rank([-1, -3, -4, 2, 5, 6, 7, 8, 9, 10])
    assert result.p_value == pytest.approx(50 / 1024)
    assert wilcoxon_signed_rank([-1, -2, -6, 3, 4, 5, 7, 8, 9, 10]).p_value > 0.05


@pytest.mark.parametrize("seed", range(8))
def test_small_tied_samples_equal_the_brute_force_enumeration(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data
    d = [float(rng.choice([-2, -1, 0, 0, 1, 1, 2, 3])) for _ in range(rng.randint(4, 12))]
    if all(x == 0 for x in d):
        d[0] = 1.0
    result = wilcoxon_signed_rank(d)
    assert result.method in ("exact permutation", "exact")
    assert result.p_value == pytest.approx(brute_force_p(d), abs=1e-12)


def test_pratt_ranks_and_rank_sums_on_the_wikipedia_example() -> None:
    d = [float(after - before) for before, after in WIKIPEDIA_PAIRS]
    result = wilcoxon_signed_rank(d)
    ranks = pratt_ranks(d)
    assert (result.n, result.n_zero) == (10, 1)
    assert result.w_plus == sum(r for r, x in zip(ranks, d, strict=True) if x > 0) == 32
    assert result.w_minus == sum(r for r, x in zip(ranks, d, strict=True) if x < 0) == 22
    assert result.rank_biserial == pytest.approx((32 - 22) / 55)
    assert result.p_value == pytest.approx(brute_force_p(d))


def test_unchanged_pairs_keep_the_effect_size_below_one() -> None:
    """6 of 8 improved, 2 unchanged: r is (W+ − W−) / 36 = 33/36, not +1.00."""
    result = wilcoxon_signed_rank([0, 0, 1, 1, 1, 1, 1, 1])
    assert result.rank_biserial == pytest.approx(33 / 36)
    assert result.ci is not None
    assert wilcoxon_signed_rank([1, 2, 3]).rank_biserial == 1.0
    assert wilcoxon_signed_rank([-1, -2, -3]).rank_biserial == -1.0


def test_rank_biserial_interval_is_fisher_z_with_the_null_standard_error() -> None:
    n, r = 8, 33 / 36
    se = math.sqrt((2 * n**3 + 3 * n**2 + n) / 6) / (n * (n + 1) / 2)
    low, high = rank_biserial_ci(r, n) or (0, 0)
    assert low == pytest.approx(math.tanh(math.atanh(r) - 1.959963984540054 * se))
    assert high == pytest.approx(math.tanh(math.atanh(r) + 1.959963984540054 * se))
    assert low < r < high < 1
    assert rank_biserial_ci(1.0, 8) is None
    assert wilcoxon_signed_rank([1, 1, 1, 1, 1]).ci is None


def test_medium_tied_samples_use_seeded_random_flips_close_to_the_enumeration() -> None:
    rng = random.Random(4)  # noqa: S311 -- reproducible test data
    d = [float(rng.choice([-2, -1, 0, 1, 1, 2])) for _ in range(17)]
    nonzero = sum(1 for x in d if x)
    assert 13 < nonzero <= 16
    result = wilcoxon_signed_rank(d)
    assert result.method == "permutation"
    assert result.p_value == pytest.approx(brute_force_p(d), abs=0.01)
    assert wilcoxon_signed_rank(d).p_value == result.p_value  # fixed seed: the same report


def test_large_samples_use_scipys_normal_approximation() -> None:
    rng = random.Random(5)  # noqa: S311 -- reproducible test data
    d = [float(rng.choice([-3, -1, 0, 1, 2, 4])) for _ in range(80)]
    result = wilcoxon_signed_rank(d)
    assert result.method == "normal"
    assert result.method_label == METHOD_LABELS["normal"] == "normal approximation"
    expected = scipy_stats.wilcoxon(
        d, zero_method="pratt", correction=True, method="asymptotic"
    ).pvalue
    assert result.p_value == pytest.approx(float(expected))


def test_without_non_zero_differences_there_is_no_test() -> None:
    result = wilcoxon_signed_rank([0, 0, 0])
    assert (result.n, result.n_zero, result.method) == (3, 3, "none")
    assert (result.p_value, result.rank_biserial, result.ci) == (None, None, None)


def test_normalised_gain_follows_hake() -> None:
    """Hake (1998): <g> = (%post − %pre) / (100 − %pre) on class averages."""
    assert normalised_gain(40, 70) == pytest.approx(0.5)
    assert normalised_gain(80, 70) == pytest.approx(-0.5)
    assert normalised_gain(100, 100) is None


@pytest.mark.parametrize(
    ("gain", "band"),
    [
        (-0.5, "negative"),
        (-0.01, "negative"),
        (0.0, "low"),
        (0.2999, "low"),
        (0.3, "medium"),
        (0.6999, "medium"),
        (0.7, "high"),
        (1.0, "high"),
    ],
)
def test_gain_bands_are_hakes_with_a_negative_band(gain: float, band: str) -> None:
    assert gain_band(gain) == band


def test_match_rate_is_pairs_over_distinct_participants() -> None:
    assert match_rate(8, 12) == pytest.approx(8 / 12)
    assert match_rate(10, 10) == 1.0
    assert match_rate(0, 5) == 0.0
    assert match_rate(0, 0) is None
    assert match_rate(6, 5) is None


def test_wilson_interval_matches_the_closed_form() -> None:
    count, n, z = 3, 7, 1.959963984540054
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert wilson_interval(count, n) == (
        pytest.approx(centre - half),
        pytest.approx(centre + half),
    )
    low, high = wilson_interval(6, 6) or (0, 0)
    assert high == pytest.approx(1.0)
    assert 0.5 < low < 1
    assert wilson_interval(0, 0) is None


def test_mean_paired_difference_is_after_minus_before() -> None:
    assert mean_paired_difference([(1, 3), (2, 2), (4, 3)]) == pytest.approx(1 / 3)
    assert mean_paired_difference([]) is None


def test_one_change_among_ties_has_p_one_instead_of_failing():
    """A single non-zero difference: both sign flips are as extreme, so p is exactly 1."""
    result = wilcoxon_signed_rank([0.0, 0.0, 2.0])
    assert result.p_value == 1.0
    assert result.method == "exact permutation"
