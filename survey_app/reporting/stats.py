"""Statistics for pre/post comparisons: normalised gain, match rate, Wilcoxon signed-rank.

Plain floats in, frozen results out; the distributions come from scipy, never written by
hand. Figures are computed unrounded; blocks round them (half up) when they release them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

#: Largest number of non-zero differences whose p-value enumerates every sign flip
#: (2^13 = 8,192 of them). Why 13: scipy's own cut-off for a deterministic permutation
#: p-value; above it the enumeration takes seconds per item (2^16: about one).
EXACT_PERMUTATION_MAX = 13
#: Largest number of differences for scipy's exact null distribution without ties or zeros.
EXACT_MAX = 50
#: Random sign flips, from a fixed seed, for samples too large to enumerate and too small
#: (or too tied) for the normal approximation: the p-value's standard error is below 0.002.
RESAMPLES = 20_000
#: Above this many non-zero differences, the normal approximation.
RESAMPLED_MAX = 50
SEED = 20_261_205

GainBand = Literal["negative", "low", "medium", "high"]
Method = Literal["exact", "exact permutation", "permutation", "normal", "none"]

#: How each method is named in the tables.
METHOD_LABELS: dict[str, str] = {
    "exact": "exact",
    "exact permutation": "exact permutation, ties and zeros kept",
    "permutation": f"permutation, {RESAMPLES:,} random sign flips",
    "normal": "normal approximation",
    "none": "no test: no pair changed",
}


def normalised_gain(pre_percent: float, post_percent: float) -> float | None:
    """Hake's <g> = (post% − pre%) / (100 − pre%) on group means; None when pre% is 100."""
    if pre_percent >= 100:
        return None
    return (post_percent - pre_percent) / (100 - pre_percent)


def gain_band(gain: float) -> GainBand:
    """Hake's bands (low below 0.3, medium below 0.7, high), and "negative" below 0.

    Why a band of its own: a group that scored lower after the training did not make a
    "low" gain, it lost ground, and the report must not file that under a gain.
    """
    if gain < 0:
        return "negative"
    if gain >= 0.7:
        return "high"
    if gain >= 0.3:
        return "medium"
    return "low"


def match_rate(pairs: int, participants: int) -> float | None:
    """Share of the distinct participants of both phases who are paired: pairs / participants.

    Participants are people, not responses: a code submitted twice in a phase is one
    person; a pre code that no post code matches and a post code that matches no pre
    code are two (nothing tells that they are one person who mistyped).
    """
    if participants <= 0 or not 0 <= pairs <= participants:
        return None
    return pairs / participants


def mean_paired_difference(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Mean of (after − before) over (before, after) pairs; None without pairs."""
    if not pairs:
        return None
    return sum(after - before for before, after in pairs) / len(pairs)


@dataclass(frozen=True)
class WilcoxonResult:
    """Wilcoxon signed-rank test of paired differences (two-sided), zeros kept (Pratt)."""

    #: Differences, zeros included.
    n: int
    #: Zero differences: ranked (Pratt), but counted towards neither sign.
    n_zero: int
    #: Rank sums of the positive and negative differences (ranks of |d| among all n).
    w_plus: float
    w_minus: float
    p_value: float | None
    method: Method
    #: Matched-pairs rank-biserial correlation (W+ − W−) / (n(n+1)/2), in −1..1.
    rank_biserial: float | None
    #: 95% interval of the rank-biserial correlation (Fisher z); None when |r| = 1.
    ci: tuple[float, float] | None

    @property
    def method_label(self) -> str:
        """How the p-value was computed, as the tables say it."""
        return METHOD_LABELS[self.method]


def wilcoxon_signed_rank(differences: Sequence[float]) -> WilcoxonResult:
    """Two-sided Wilcoxon signed-rank test of (after − before) differences.

    Zeros follow Pratt: every difference is ranked by its absolute value (ties get the
    mean rank), and a zero's rank counts towards neither W+ nor W−. Why Pratt: dropping
    unchanged pairs first (Wilcoxon's own method) turns "6 of 8 improved, 2 unchanged"
    into r = +1.00, as if every participant had improved.

    The p-value, by scipy: without ties or zeros, the exact null distribution (up to
    EXACT_MAX differences); with them, every sign flip of the non-zero differences is
    enumerated (up to EXACT_PERMUTATION_MAX, then RESAMPLES random flips from a fixed
    seed, up to RESAMPLED_MAX); beyond that, the normal approximation with the tie,
    zero (Cureton) and continuity corrections.
    """
    from scipy import stats

    d = [float(x) for x in differences]
    n = len(d)
    n_zero = sum(1 for x in d if x == 0)
    m = n - n_zero
    if m == 0:
        return WilcoxonResult(n, n_zero, 0.0, 0.0, None, "none", None, None)
    ranks = [float(r) for r in stats.rankdata([abs(x) for x in d])]
    w_plus = sum(r for r, x in zip(ranks, d, strict=True) if x > 0)
    w_minus = sum(r for r, x in zip(ranks, d, strict=True) if x < 0)
    total = n * (n + 1) / 2
    r = (w_plus - w_minus) / total
    tied = n_zero > 0 or len(set(ranks)) < n
    method: Method
    if not tied and n <= EXACT_MAX:
        method = "exact"
        p = float(stats.wilcoxon(d, method="exact").pvalue)
    elif m == 1:
        # One change: its two sign flips give W+ = 0 and W+ = its rank, each as extreme.
        method, p = "exact permutation", 1.0
    elif m <= RESAMPLED_MAX:
        method = "exact permutation" if m <= EXACT_PERMUTATION_MAX else "permutation"
        p = _sign_flip_p(d, ranks, exact=m <= EXACT_PERMUTATION_MAX)
    else:
        method = "normal"
        p = float(
            stats.wilcoxon(d, zero_method="pratt", correction=True, method="asymptotic").pvalue
        )
    return WilcoxonResult(
        n, n_zero, w_plus, w_minus, min(1.0, p), method, r, rank_biserial_ci(r, n)
    )


def _sign_flip_p(d: Sequence[float], ranks: Sequence[float], *, exact: bool) -> float:
    """Two-sided p of W+ over sign flips of the non-zero differences (scipy permutation_test).

    Why only the non-zero ones, with the ranks of all: flipping a zero changes nothing, so
    the distribution is the same with 2^zeros times fewer flips; the ranks of |d| do not
    change under a flip, so W+ is the sum of the ranks whose difference is positive.
    """
    import numpy as np
    from scipy import stats

    values = np.array([x for x in d if x != 0])
    weights = np.array([r for r, x in zip(ranks, d, strict=True) if x != 0])

    def w_plus(x: Any, axis: int) -> Any:
        return np.sum(np.where(x > 0, weights, 0.0), axis=axis)

    result = stats.permutation_test(
        (values,),
        w_plus,
        permutation_type="samples",
        vectorized=True,
        n_resamples=2 ** len(values) if exact else RESAMPLES,
        batch=4096,
        alternative="two-sided",
        rng=np.random.default_rng(SEED),
    )
    return float(result.pvalue)


def rank_biserial_ci(r: float, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Interval of a matched-pairs rank-biserial r over n pairs, by Fisher's z.

    The standard error on the z scale is that of r under the null hypothesis,
    sqrt((2n³ + 3n² + n) / 6) / (n(n+1)/2), as R's effectsize package computes it.
    None at |r| = 1 (z is infinite there) or with fewer than two pairs.
    """
    from scipy.stats import norm

    if n < 2 or abs(r) >= 1:
        return None
    se = math.sqrt((2 * n**3 + 3 * n**2 + n) / 6) / (n * (n + 1) / 2)
    z = math.atanh(r)
    half = float(norm.ppf(0.5 + confidence / 2)) * se
    return math.tanh(z - half), math.tanh(z + half)


def wilson_interval(count: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval of a share count/n (0-1), right for small n and shares near 0 or 1."""
    from scipy.stats import binomtest

    if n <= 0:
        return None
    ci = binomtest(count, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)
