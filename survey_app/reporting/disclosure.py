"""The one place that decides what a report may show: populations, k, and every released figure.

The model (group minimums, as employee-survey tools that take anonymity seriously use):

- Every printed figure describes a *population*: the responses a report counts (one
  questionnaire, a training phase, a date range), the paired set, a breakdown group, and
  those of them who answered a question.
- A population of fewer than k people shows nothing at all: no n, share, mean, chart bar,
  rank or mention in a recommendation. A population of k or more shows its full figures.
- No hidden population can be worked out by subtraction. Within a breakdown, the hidden
  groups together (the residual) are either empty or at least k people (then they print
  as one "Other groups" row); otherwise the next smallest group is hidden too. Two shown
  populations where one contains the other (all post respondents and the paired ones)
  differ by no one or by at least k people; otherwise only one of them is shown.
- A value that is one person's answer (a minimum or maximum) is never released.
- Who took part in a phase and who was paired are facts about the process, not answers:
  their counts are printed. Whether someone answered an optional question is printed as
  "answered by n of N"; the answers of the N - n are not there to be derived.

Blocks never compare a count with k. They ask `Disclosure.population` (or `breakdown`)
and get back a `Population` or a `Hidden` with its reason; every number they print goes
through `Disclosure.release`, which records it as a `Figure`. That record is the JSON
report, the PDF prints nothing else, and the audit test solves for hidden values over it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: The smallest minimum group size a report may set.
MIN_K = 3
#: How every table and chart marks a hidden figure, whatever the reason it is hidden.
#: Why one marker: if groups under k and groups hidden only to protect them were marked
#: differently, a reader would learn which hidden groups are small.
HIDDEN_MARK = "fewer than k"


def round_half_up(value: float, digits: int = 0) -> float:
    """Round as people do (2.25 → 2.3, 0.5 → 1), not to even as Python's round() does."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Group:
    """Respondents whose answer to `question` is one of `values` (or, with `exclude`, none)."""

    question: str
    values: tuple[str, ...]
    #: True for the "Other groups" row: every other answer, and no answer at all.
    exclude: bool = False


@dataclass(frozen=True)
class PopulationDef:
    """Which people a population is, stated so that anyone can recount it from raw rows."""

    questionnaire: str
    training: int | None = None
    #: Every training of this programme (programme reports; `training` is then None).
    programme: int | None = None
    #: "pre" or "post" within the training; None for both or no training.
    phase: str | None = None
    submitted_from: str | None = None
    submitted_to: str | None = None
    #: Only respondents whose pre and post responses are paired by their code.
    paired: bool = False
    group: Group | None = None
    #: Only those who answered this question (and `row` of it, for a matrix).
    answered: str | None = None
    row: str | None = None
    #: And who also answered this question (the same `row` of it): the pairs of a gap.
    also_answered: str | None = None
    #: Paired only: and whose response of the other phase answered `answered` (`row`) too.
    answered_both: bool = False
    #: Probable pairs instead: codes of the two phases one element apart (pairing.py).
    probable: bool = False
    #: Only respondents whose code answered all three waves (pre, post and follow-up; the
    #: latest response per code in each, waves.py). With `answered_both`: who answered
    #: `answered` (`row`) in all three.
    waves: bool = False
    #: Only responses to these version numbers of the questionnaire (None: any version).
    #: Why: a question is counted only over the versions that define it as the report does.
    versions: tuple[int, ...] | None = None

    def key(self) -> str:
        """A stable identifier, also used in the JSON report."""
        parts = [self.questionnaire]
        if self.training is not None:
            parts.append(f"training={self.training}")
        if self.programme is not None:
            parts.append(f"programme={self.programme}")
        if self.phase:
            parts.append(f"phase={self.phase}")
        if self.submitted_from or self.submitted_to:
            parts.append(f"dates={self.submitted_from or ''}..{self.submitted_to or ''}")
        if self.paired:
            parts.append("paired")
        if self.probable:
            parts.append("probable pairs")
        if self.waves:
            parts.append("all three waves")
        if self.group is not None:
            op = "not in" if self.group.exclude else "in"
            parts.append(f"{self.group.question} {op} {','.join(self.group.values)}")
        if self.answered:
            parts.append(f"answered={self.answered}" + (f".{self.row}" if self.row else ""))
            if self.answered_both:
                parts.append("in all three waves" if self.waves else "in both phases")
        if self.also_answered:
            also = self.also_answered + (f".{self.row}" if self.row else "")
            parts.append(f"also answered={also}")
        if self.versions is not None:
            parts.append(f"versions={','.join(str(v) for v in self.versions)}")
        return " | ".join(parts)

    def narrowed(self, **changes: Any) -> PopulationDef:
        """The same population with fields replaced (a group, an answered question...)."""
        values = {**self.__dict__, **changes}
        return PopulationDef(**values)


@dataclass(frozen=True)
class Population:
    """A population cleared for printing: k people or more."""

    definition: PopulationDef
    label: str
    size: int

    @property
    def key(self) -> str:
        """The definition's identifier."""
        return self.definition.key()


@dataclass(frozen=True)
class Hidden:
    """A population that shows nothing, and why (printed on the disclosure page)."""

    definition: PopulationDef
    label: str
    reason: str

    @property
    def key(self) -> str:
        """The definition's identifier."""
        return self.definition.key()


#: Statistics whose figures are linear in the answers; the audit test turns each into a
#: constraint. `item` is an option value (a scale point for scales and matrix rows, a bin
#: "lo..hi" for numbers, "option@rank" for a ranking position).
#: - size: people in the population (no question).
#: - answered: people in the population who answered `question` (`row` of a matrix).
#: - shown: people in the population who were shown a conditional `question`.
#: - count: people in the population who gave `item` to `question` (`row`).
#: - percent: 100 x count / answered, rounded to `digits`.
#: - mean: mean of the numeric answers to `question` (`row`), rounded to `digits`.
#: Any other statistic (median, p, r, gain, scores, ranks) describes a shown population
#: too but is not linear; the audit leaves it out and the disclosure page says so.
LINEAR_STATISTICS = ("size", "answered", "shown", "count", "percent", "mean")


@dataclass(frozen=True)
class Figure:
    """One printed number: the population it describes, what it is, and its printed value."""

    block: int | None
    population: str
    statistic: str
    value: float
    question: str | None = None
    row: str | None = None
    item: str | None = None
    #: Decimal places it was rounded to (half up); None when exact.
    digits: int | None = None


@dataclass(frozen=True)
class BreakdownPlan:
    """The rows of a breakdown: groups shown by name, then "Other groups" if it is k or more."""

    groups: tuple[tuple[str, Population], ...]
    other: Population | None
    hidden: tuple[Hidden, ...]

    @property
    def populations(self) -> tuple[Population, ...]:
        """Shown rows in print order."""
        rows = tuple(pop for _, pop in self.groups)
        return (*rows, self.other) if self.other else rows


@dataclass
class Disclosure:
    """Decides, for one report build, which populations show; records what is released."""

    k: int
    k_text: int
    #: The block being computed; recorded with each figure.
    block: int | None = None
    #: Questions that define groups in this report (breakdowns, the overview's stakeholder
    #: and country): their own distributions print only groups that may show, since each
    #: count of theirs is the size of a group.
    dimensions: frozenset[str] = frozenset()
    figures: list[Figure] = field(default_factory=list)
    shown: dict[str, Population] = field(default_factory=dict)
    hidden: dict[str, Hidden] = field(default_factory=dict)
    #: Sentences for the disclosure page about what was left out of the whole report.
    notes: list[str] = field(default_factory=list)
    #: Where k and k_text came from (the report, a training), for the disclosure page.
    k_source: str = ""

    def __post_init__(self) -> None:
        if self.k < MIN_K:
            raise ValueError(f"the minimum group size must be at least {MIN_K}")
        self.k_text = max(self.k, self.k_text)

    @property
    def reason_small(self) -> str:
        """Why a population of fewer than k people shows nothing."""
        return f"fewer than {self.k} people"

    @property
    def reason_protect(self) -> str:
        """Why a population that may itself be large shows nothing."""
        return (
            f"fewer than {self.k} people, or hidden so that a group of fewer than {self.k} "
            "cannot be worked out by subtraction"
        )

    def population(
        self,
        definition: PopulationDef,
        label: str,
        size: int,
        *,
        within: Population | Hidden | None = None,
        also_within: Iterable[Population | Hidden | None] = (),
    ) -> Population | Hidden:
        """The population if it may show, else Hidden.

        `within` is a shown population that contains this one for a reason other than
        answering a question (all post respondents around the paired ones): if both were
        printed and they differed by 1 to k-1 people, those people's answers would be the
        difference of the two sets of figures. `also_within`: more such populations (the
        three-wave set lies within each wave's respondents and within the pre/post pairs).
        """
        if size < self.k:
            return self._hide(definition, label, self.reason_small)
        for around in (within, *also_within):
            if isinstance(around, Population) and 0 < around.size - size < self.k:
                reason = (
                    f"differs from “{around.label}” by fewer than {self.k} people, whose "
                    "answers the difference would give away"
                )
                return self._hide(definition, label, reason)
        return self._show(definition, label, size)

    def drawn_from_counts(
        self,
        definition: PopulationDef,
        label: str,
        size: int,
        *,
        counts: Iterable[tuple[str, int]],
    ) -> Population | Hidden:
        """A population drawn from sets whose sizes print as counts (the probable pairs,
        from the unmatched codes of each phase): shown at k or more, and only when it
        differs from each of those sets by no one or by k people or more.

        Why: a printed count minus this population's size would be a group of 1 to k-1
        people (those whose codes matched nothing even one element apart).
        """
        if size < self.k:
            return self._hide(definition, label, self.reason_small)
        for source, total in counts:
            if 0 < total - size < self.k:
                reason = (
                    f"differs from “{source}” by fewer than {self.k} people, who would be "
                    "the difference"
                )
                return self._hide(definition, label, reason)
        return self._show(definition, label, size)

    def text_population(
        self, definition: PopulationDef, label: str, size: int
    ) -> Population | Hidden:
        """The population if its free-text answers may print (k_text people or more).

        Why not recorded as hidden: the same people's counts may show elsewhere (k is
        lower than k_text); only their texts stay out, and the block says so.
        """
        if size < self.k_text:
            return Hidden(definition, label, f"fewer than {self.k_text} people (free text)")
        return self.population(definition, label, size)

    def breakdown(
        self,
        within: Population,
        by: str,
        sizes: Mapping[str, int],
        labels: Mapping[str, str],
        *,
        max_groups: int = 8,
        other_label: str = "Other groups",
        before: tuple[int, Mapping[str, int]] | None = None,
    ) -> BreakdownPlan:
        """Groups of `within` by their answer to `by`, with the residual rule applied.

        `sizes` counts, per answer to `by`, the members of `within` (people who left `by`
        blank are the difference to `within.size`). Groups of k or more show, largest
        first up to `max_groups`, printed in the order of `sizes`; while the residual is
        between 1 and k-1, the smallest shown group is hidden as well.

        `before` is, when `within` is "those who answered a question", the people before
        that restriction and their group sizes. An empty residual then also says that
        the base's other groups answered nothing: while those are 1 to k-1 people, the
        smallest shown group is hidden too.
        """
        order = [g for g in sizes if sizes[g] > 0]
        largest = sorted((g for g in order if sizes[g] >= self.k), key=lambda g: (-sizes[g], g))
        shown = [g for g in order if g in largest[:max_groups]]

        def residual() -> int:
            return within.size - sum(sizes[g] for g in shown)

        def pinned() -> bool:
            # Why: "12 answered, all 12 of them NGOs" tells that the 1 to k-1 people of
            # the other groups (or with no group) all left the question blank.
            if before is None or residual() != 0:
                return False
            people, base_sizes = before
            return 0 < people - sum(base_sizes.get(g, 0) for g in shown) < self.k

        while shown and (0 < residual() < self.k or pinned()):
            shown.remove(min(shown, key=lambda g: (sizes[g], g)))
        base = within.definition
        groups = tuple(
            (g, self._show(base.narrowed(group=Group(by, (g,))), labels.get(g, g), sizes[g]))
            for g in shown
        )
        # Hidden groups are recorded without their answer: naming one on the disclosure
        # page or in the JSON would tell that someone with that answer took part.
        unnamed = base.narrowed(group=Group(by, ()))
        hidden = tuple(
            self._hide(unnamed, f"Groups by “{by}” not shown by name", self.reason_protect)
            for g in order
            if g not in shown
        )
        other = None
        if shown and residual() >= self.k:
            definition = base.narrowed(group=Group(by, tuple(shown), exclude=True))
            other = self._show(definition, other_label, residual())
        return BreakdownPlan(groups, other, hidden)

    def release(
        self,
        population: Population,
        statistic: str,
        value: float,
        *,
        digits: int | None = None,
        question: str | None = None,
        row: str | None = None,
        item: str | None = None,
    ) -> float:
        """Record a figure of a shown population and return it as printed (rounded half up)."""
        if population.key not in self.shown:
            raise ValueError(f"population {population.key!r} was not cleared for printing")
        printed = round_half_up(value, digits) if digits is not None else value
        self.figures.append(
            Figure(self.block, population.key, statistic, printed, question, row, item, digits)
        )
        return printed

    def release_count(
        self, population: Population, statistic: str, value: int, **where: Any
    ) -> int:
        """`release` for whole numbers: counts, sizes, ranks."""
        return int(self.release(population, statistic, value, **where))

    def release_share(
        self, population: Population, count: int, base: int, *, digits: int = 0, **where: Any
    ) -> float:
        """A share as a percentage (0-100), rounded as printed; the count is not released."""
        return self.release(population, "percent", 100 * count / base, digits=digits, **where)

    def hide_note(self, sentence: str) -> None:
        """Say on the disclosure page that something was left out of the whole report."""
        if sentence not in self.notes:
            self.notes.append(sentence)

    def hidden_list(self) -> list[Hidden]:
        """Every hidden population, in the order they were met."""
        return list(self.hidden.values())

    def as_json(self) -> dict[str, Any]:
        """The machine-readable report: k, populations shown and hidden, released figures."""
        return {
            "k": self.k,
            "k_text": self.k_text,
            "k_source": self.k_source,
            "notes": list(self.notes),
            "populations": [
                {
                    "key": p.key,
                    "label": p.label,
                    "size": p.size,
                    "definition": _fields(p.definition),
                }
                for p in self.shown.values()
            ],
            "hidden": [
                {
                    "key": h.key,
                    "label": h.label,
                    "reason": h.reason,
                    "definition": _fields(h.definition),
                }
                for h in self.hidden.values()
            ],
            "figures": [asdict(f) for f in self.figures],
        }

    def _show(self, definition: PopulationDef, label: str, size: int) -> Population:
        population = Population(definition, label, size)
        self.shown.setdefault(population.key, population)
        return population

    def _hide(self, definition: PopulationDef, label: str, reason: str) -> Hidden:
        hidden = Hidden(definition, label, reason)
        self.hidden.setdefault(hidden.key, hidden)
        return hidden


#: Definition fields added with follow-ups and programmes: in the JSON only when set, so
#: the records of reports that use neither read as before.
_OPTIONAL_FIELDS = ("waves", "programme")


def _fields(definition: PopulationDef) -> dict[str, Any]:
    """A definition as JSON data, leaving out the optional fields it does not use."""
    return {
        name: value
        for name, value in asdict(definition).items()
        if name not in _OPTIONAL_FIELDS or value not in (None, False)
    }


def shown_only(items: Iterable[Population | Hidden]) -> list[Population]:
    """The populations among `items` that may show."""
    return [p for p in items if isinstance(p, Population)]
