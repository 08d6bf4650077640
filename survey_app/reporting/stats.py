"""Pure statistics for pre/post comparisons: normalised gain, match rate, Wilcoxon signed-rank.

No database, no numpy: plain floats in, frozen results out, so the trainings issue only has
to feed the pairs and every figure is testable against textbook values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

#: Largest number of non-zero differences for which the exact null distribution is used.
EXACT_MAX_N = 25

GainBand = Literal["low", "medium", "high"]


def normalised_gain(pre_percent: float, post_percent: float) -> float | None:
    """Hake's <g> = (post% − pre%) / (100 − pre%) on group means; None when pre% is 100."""
    if pre_percent >= 100:
        return None
    return (post_percent - pre_percent) / (100 - pre_percent)


def gain_band(gain: float) -> GainBand:
    """Hake's bands: low below 0.3, medium from 0.3 below 0.7, high from 0.7."""
    if gain >= 0.7:
        return "high"
    if gain >= 0.3:
        return "medium"
    return "low"


def match_rate(n_pre: int, n_post: int, n_pairs: int) -> float | None:
    """Share of participants seen in both phases: pairs / (pre + post − pairs).

    Why this denominator: it counts each participant once whichever phase they answered,
    so the rate is the same whether attrition happened before or after the training.
    """
    participants = n_pre + n_post - n_pairs
    if n_pairs < 0 or n_pairs > min(n_pre, n_post) or participants <= 0:
        return None
    return n_pairs / participants


def mean_paired_difference(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Mean of (after − before) over (before, after) pairs; None without pairs."""
    if not pairs:
        return None
    return sum(after - before for before, after in pairs) / len(pairs)


@dataclass(frozen=True)
class WilcoxonResult:
    """Wilcoxon signed-rank test on paired differences (two-sided)."""

    #: Non-zero differences, the ones ranked.
    n: int
    #: Zero differences, dropped before ranking (Wilcoxon's method).
    n_zero: int
    w_plus: float
    w_minus: float
    #: min(W+, W−), the statistic tables and most software report.
    statistic: float
    #: None with the exact method.
    z: float | None
    p_value: float | None
    method: Literal["exact", "normal", "none"]
    #: Matched-pairs rank-biserial correlation (W+ − W−) / (W+ + W−), in −1..1.
    rank_biserial: float | None


def wilcoxon_signed_rank(differences: Sequence[float]) -> WilcoxonResult:
    """Two-sided Wilcoxon signed-rank test of (after − before) differences.

    Zero differences are dropped (Wilcoxon's method) and tied absolute differences get
    their mean rank. With at most EXACT_MAX_N differences and no ties the p-value is exact
    (the null distribution of W+ by counting); otherwise it is the normal approximation
    with the tie correction of the variance and a continuity correction of 0.5.
    """
    nonzero = [float(d) for d in differences if d != 0]
    n_zero = len(differences) - len(nonzero)
    n = len(nonzero)
    if n == 0:
        return WilcoxonResult(0, n_zero, 0.0, 0.0, 0.0, None, None, "none", None)
    ranks, tie_sizes = _mean_ranks([abs(d) for d in nonzero])
    w_plus = sum(r for r, d in zip(ranks, nonzero, strict=True) if d > 0)
    w_minus = sum(r for r, d in zip(ranks, nonzero, strict=True) if d < 0)
    statistic = min(w_plus, w_minus)
    rank_biserial = (w_plus - w_minus) / (w_plus + w_minus)
    if n <= EXACT_MAX_N and not tie_sizes:
        p = min(1.0, 2 * _exact_lower_tail(n, round(statistic)))
        return WilcoxonResult(
            n, n_zero, w_plus, w_minus, statistic, None, p, "exact", rank_biserial
        )
    mean = n * (n + 1) / 4
    variance = n * (n + 1) * (2 * n + 1) / 24 - sum(t**3 - t for t in tie_sizes) / 48
    if variance <= 0:
        return WilcoxonResult(
            n, n_zero, w_plus, w_minus, statistic, None, None, "none", rank_biserial
        )
    deviation = statistic - mean
    # Continuity correction: move the statistic half a unit towards the mean.
    deviation -= math.copysign(min(0.5, abs(deviation)), deviation)
    z = deviation / math.sqrt(variance)
    p = min(1.0, math.erfc(abs(z) / math.sqrt(2)))
    return WilcoxonResult(n, n_zero, w_plus, w_minus, statistic, z, p, "normal", rank_biserial)


def _mean_ranks(values: Sequence[float]) -> tuple[list[float], list[int]]:
    """Ranks 1..n with ties given their mean rank, and the sizes of the tie groups (> 1)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    tie_sizes: list[int] = []
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        mean_rank = (start + end) / 2 + 1
        for i in order[start : end + 1]:
            ranks[i] = mean_rank
        if end > start:
            tie_sizes.append(end - start + 1)
        start = end + 1
    return ranks, tie_sizes


def _exact_lower_tail(n: int, statistic: int) -> float:
    """P(W+ <= statistic) under H0 for ranks 1..n: subsets of {1..n} with that sum or less."""
    total = n * (n + 1) // 2
    ways = [1] + [0] * total
    for rank in range(1, n + 1):
        for s in range(total, rank - 1, -1):
            ways[s] += ways[s - rank]
    return sum(ways[: statistic + 1]) / (1 << n)


def wilson_interval(count: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval of a share count/n (0-1), right for small n and shares near 0 or 1."""
    from scipy.stats import binomtest

    if n <= 0:
        return None
    ci = binomtest(count, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)
