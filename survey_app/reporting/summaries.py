"""What the per-type aggregators return: frozen dataclasses of plain numbers and strings.

Every number in a summary is the value the disclosure layer released (rounded as it
prints); a row whose population is hidden has `n` None and no figures at all. Shares are
percentages (0-100), as released.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Key of the "everyone in scope who answered" row.
TOTAL = "_total"
#: Key of the "Other groups" row of a breakdown: hidden groups and respondents who left
#: `by` blank, shown together because they are k or more.
REST = "_rest"


@dataclass(frozen=True)
class Category:
    """One column of a distribution: an option, scale point, country, bin or period."""

    value: str
    label: str


@dataclass(frozen=True)
class Distribution:
    """Respondents per category for everyone, one group or the other groups together."""

    key: str
    label: str
    #: Respondents who answered: the base of `shares`; None when the population is hidden.
    n: int | None
    counts: tuple[int, ...] = ()
    #: Percentages of n, as released.
    shares: tuple[float, ...] = ()
    #: Mean of the answers (scale), None when hidden or not meaningful.
    mean: float | None = None
    #: Wilson 95% interval of each share, in percent, where the table prints one.
    intervals: tuple[tuple[float, float], ...] = ()

    @property
    def hidden(self) -> bool:
        """Whether the row's population is hidden (then nothing of it prints)."""
        return self.n is None

    @property
    def shows_anything(self) -> bool:
        """Whether at least one count above zero is shown."""
        return any(self.counts)


@dataclass(frozen=True)
class GroupMeans:
    """Mean rating per matrix row for one group of a breakdown."""

    key: str
    label: str
    n: int | None
    #: In YAML row order; None where nobody of the group rated the row.
    means: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class RankedOption:
    """How one ranking option fared (all None when the question's population is hidden)."""

    value: str
    label: str
    #: Respondents who placed it anywhere in their top list.
    times_ranked: int | None
    times_first: int | None
    #: Mean place among those who ranked it (1 = top).
    mean_rank: float | None
    #: Points (top + 1 - place) summed over respondents, divided by respondents who answered.
    borda: float | None


@dataclass(frozen=True)
class GroupRanking:
    """Borda score and mean rank per option (in the summary's option order) for one group."""

    key: str
    label: str
    n: int | None
    borda: tuple[float | None, ...] = ()
    mean_rank: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class NumberStats:
    """How many answered a number question and their mean, for everyone or one group.

    No minimum, maximum, median or quartiles: each of those is one person's answer (or
    lies between two people's answers); the histogram shows the spread instead.
    """

    key: str
    label: str
    n: int | None
    mean: float | None = None


@dataclass(frozen=True, kw_only=True)
class Summary:
    """Fields every question summary has."""

    question_id: str
    question_type: str
    prompt: str
    k: int
    #: Responses in scope (None when the scope is hidden).
    respondents: int | None
    #: Respondents in scope who answered (None when the scope is hidden).
    answered: int | None = None
    #: Respondents in scope the question was shown to (skip logic); None when unconditional.
    shown: int | None = None
    #: The breakdown question, if any, and how many of its groups are not shown by name.
    by: str | None = None
    by_prompt: str | None = None
    hidden_groups: int = 0

    @property
    def empty(self) -> bool:
        """Nothing to show: no answers, or the population is hidden."""
        raise NotImplementedError

    @property
    def suppressed(self) -> bool:
        """Whether any row or item is hidden."""
        raise NotImplementedError


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
        return self.total.hidden or bool(self.hidden_groups)


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

    #: Respondents who rated at least one row (None when hidden).
    n: int | None
    points: tuple[Category, ...]
    #: One distribution per matrix row, in YAML order (key = row value); each row is the
    #: population of those who rated it.
    rows: tuple[Distribution, ...]
    groups: tuple[GroupMeans, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(row.shows_anything for row in self.rows)

    @property
    def suppressed(self) -> bool:
        return any(row.hidden for row in self.rows) or bool(self.hidden_groups)


@dataclass(frozen=True, kw_only=True)
class RankingSummary(Summary):
    """A ranking: per option times ranked, times first, mean rank and Borda score."""

    top: int
    #: Respondents who ranked at least one option.
    n: int | None
    #: Sorted by Borda score, highest first.
    options: tuple[RankedOption, ...]
    groups: tuple[GroupRanking, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.n or not any(o.times_ranked for o in self.options)

    @property
    def suppressed(self) -> bool:
        return self.n is None or bool(self.hidden_groups)


@dataclass(frozen=True, kw_only=True)
class NumberSummary(Summary):
    """A number: n, mean and a histogram, per group."""

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
        return self.total.n is None or bool(self.hidden_groups)
