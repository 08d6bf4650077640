"""What the per-type aggregators return: frozen dataclasses of plain numbers and strings.

A hidden figure is None. Most are under k; the positions listed in `withheld` are hidden
only so that a figure under k cannot be worked out from a total (complementary
suppression). Tables and charts print both kinds alike, "not shown" (`results.HIDDEN`):
`withheld` is for tests and checks, never for the page.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Key of the "everyone in scope" row.
TOTAL = "_total"
#: Key of the pooled row of a breakdown: small groups and respondents who left `by` blank.
REST = "_rest"


@dataclass(frozen=True)
class Category:
    """One column of a distribution: an option, scale point, country, bin or period."""

    value: str
    label: str


@dataclass(frozen=True)
class Distribution:
    """Respondents per category for everyone, one group or the pooled rest."""

    key: str
    label: str
    #: Respondents who answered: the base of `shares`; None when fewer than k.
    n: int | None
    counts: tuple[int | None, ...] = ()
    shares: tuple[float | None, ...] = ()
    #: Mean of the answers (scale), None when hidden or not meaningful.
    mean: float | None = None
    #: Positions of `counts` hidden only to protect another cell.
    withheld: tuple[int, ...] = ()

    @property
    def hidden(self) -> bool:
        """Whether any figure of this row is hidden."""
        return self.n is None or any(c is None for c in self.counts)

    @property
    def shows_anything(self) -> bool:
        """Whether at least one count above zero is shown."""
        return any(c for c in self.counts)


@dataclass(frozen=True)
class GroupMeans:
    """Mean rating per matrix row for one group of a breakdown."""

    key: str
    label: str
    n: int | None
    #: Respondents who rated each matrix row, in YAML order; None when hidden.
    ns: tuple[int | None, ...]
    means: tuple[float | None, ...]
    withheld: tuple[int, ...] = ()


@dataclass(frozen=True)
class RankedOption:
    """How one ranking option fared."""

    value: str
    label: str
    #: Respondents who placed it anywhere in their top list.
    times_ranked: int | None
    times_first: int | None
    #: Mean place among those who ranked it (1 = top).
    mean_rank: float | None
    #: Points (top + 1 - place) summed over respondents, divided by respondents who answered.
    borda: float | None
    ranked_withheld: bool = False
    first_withheld: bool = False


@dataclass(frozen=True)
class GroupRanking:
    """Borda score and mean rank per option (in the summary's option order) for one group."""

    key: str
    label: str
    n: int | None
    borda: tuple[float | None, ...]
    mean_rank: tuple[float | None, ...]
    withheld: tuple[int, ...] = ()


@dataclass(frozen=True)
class NumberStats:
    """Location and spread of a number question's answers for everyone or one group."""

    key: str
    label: str
    n: int | None
    mean: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True, kw_only=True)
class Summary:
    """Fields every question summary has."""

    question_id: str
    question_type: str
    prompt: str
    k: int
    #: Responses in scope (None when fewer than k).
    respondents: int | None
    #: The breakdown question, if any, and how many of its groups were pooled into REST.
    by: str | None = None
    by_prompt: str | None = None
    pooled_groups: int = 0

    @property
    def empty(self) -> bool:
        """Nothing to show: no answers, or every figure hidden."""
        raise NotImplementedError

    @property
    def suppressed(self) -> bool:
        """Whether any figure is hidden."""
        raise NotImplementedError

    @property
    def withheld(self) -> bool:
        """Whether any figure is hidden only to protect another."""
        raise NotImplementedError


def _rows_hidden(rows: tuple[Distribution, ...]) -> bool:
    return any(row.hidden for row in rows)


def _rows_withheld(rows: tuple[Distribution, ...]) -> bool:
    return any(row.withheld for row in rows)


@dataclass(frozen=True, kw_only=True)
class DistributionSummary(Summary):
    """Choice, country, scale, date and text questions: counts per category, per group."""

    categories: tuple[Category, ...]
    total: Distribution
    groups: tuple[Distribution, ...] = ()
    #: Multi-choice: shares are of respondents and add up to more than 100%.
    multiple: bool = False

    @property
    def empty(self) -> bool:
        if not self.categories:
            return not self.total.n
        return not self.total.shows_anything

    @property
    def suppressed(self) -> bool:
        return _rows_hidden((self.total, *self.groups))

    @property
    def withheld(self) -> bool:
        return _rows_withheld((self.total, *self.groups))


@dataclass(frozen=True, kw_only=True)
class ChoiceSummary(DistributionSummary):
    """single_choice, multi_choice and country: respondents per option."""


@dataclass(frozen=True, kw_only=True)
class ScaleSummary(DistributionSummary):
    """One Likert item: respondents per point and the mean, per group."""


@dataclass(frozen=True, kw_only=True)
class DateSummary(DistributionSummary):
    """Dates counted per month (per year or decade when they span longer)."""

    period: str = "month"


@dataclass(frozen=True, kw_only=True)
class TextSummary(DistributionSummary):
    """Free text: only how many answered; the answers are never part of a summary."""


@dataclass(frozen=True, kw_only=True)
class MatrixSummary(Summary):
    """Several Likert rows: the distribution and mean of each row; means per group."""

    #: Respondents who rated at least one row (None when fewer than k).
    n: int | None
    points: tuple[Category, ...]
    #: One distribution per matrix row, in YAML order (key = row value).
    rows: tuple[Distribution, ...]
    groups: tuple[GroupMeans, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(row.shows_anything for row in self.rows)

    @property
    def suppressed(self) -> bool:
        return _rows_hidden(self.rows) or any(g.n is None or None in g.means for g in self.groups)

    @property
    def withheld(self) -> bool:
        return _rows_withheld(self.rows) or any(g.withheld for g in self.groups)


@dataclass(frozen=True, kw_only=True)
class RankingSummary(Summary):
    """A ranking: per option times ranked, times first, mean rank and Borda score."""

    top: int
    #: Respondents who ranked at least one option.
    n: int | None
    #: Sorted by Borda score, highest first (hidden scores last).
    options: tuple[RankedOption, ...]
    groups: tuple[GroupRanking, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.n or not any(o.times_ranked for o in self.options)

    @property
    def suppressed(self) -> bool:
        return (
            self.n is None
            or any(o.times_ranked is None or o.times_first is None for o in self.options)
            or any(None in g.borda for g in self.groups)
        )

    @property
    def withheld(self) -> bool:
        return any(o.ranked_withheld or o.first_withheld for o in self.options) or any(
            g.withheld for g in self.groups
        )


@dataclass(frozen=True, kw_only=True)
class NumberSummary(Summary):
    """A number: n, mean, quartiles, min/max and a histogram, per group."""

    unit: str | None = None
    integer: bool = True
    total: NumberStats
    #: Histogram bins (label "10–14"); counts in `histogram`, per group in `group_histograms`.
    bins: tuple[Category, ...] = ()
    histogram: Distribution | None = None
    groups: tuple[NumberStats, ...] = ()
    group_histograms: tuple[Distribution, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.total.n

    @property
    def suppressed(self) -> bool:
        rows = (self.histogram,) if self.histogram else ()
        return self.total.n is None or _rows_hidden((*rows, *self.group_histograms))

    @property
    def withheld(self) -> bool:
        rows = (self.histogram,) if self.histogram else ()
        return _rows_withheld((*rows, *self.group_histograms))
