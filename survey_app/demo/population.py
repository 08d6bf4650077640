"""Who answers: synthetic participants from South and Southeast Asia (and a few elsewhere).

Every answer of a participant is drawn from these traits, which is what makes the
answers correlate (see answers.py).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..questionnaire.questions import Scale


class Weighted:
    """Draws one value by weight; weights for values a question lacks are dropped."""

    def __init__(self, weights: Mapping[str, float], allowed: Sequence[str] | None = None):
        pairs = [(v, w) for v, w in weights.items() if allowed is None or v in allowed]
        if not pairs and allowed:
            pairs = [(v, 1.0) for v in allowed]
        self.values = [v for v, _ in pairs]
        self.cumulative: list[float] = []
        total = 0.0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)

    def pick(self, rng: random.Random) -> str:
        """One value, with probability proportional to its weight."""
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


STAKEHOLDERS = Weighted({"ngo": 60, "academia": 25, "private": 10, "other": 5})
#: South and Southeast Asia, plus a few participants from elsewhere.
COUNTRIES = Weighted(
    {
        **{"TH": 12, "PH": 11, "ID": 11, "IN": 9, "VN": 8, "MY": 7, "KH": 7, "BD": 6},
        **{"PK": 5, "NP": 5, "LK": 5, "MM": 4, "LA": 3, "SG": 2, "TL": 1, "BN": 1},
        **{"MV": 1, "BT": 1, "AU": 1, "JP": 1, "GB": 0.5, "US": 0.5, "AT": 0.5, "AE": 0.5},
        "JO": 0.5,
    }
)
#: Share whose organisation has contributed to a review or consultation before.
ENGAGED_SHARE = {"ngo": 0.38, "academia": 0.30, "private": 0.15, "other": 0.30}
FAMILIARITY_SHIFT = {"yes": 1.3, "no": 0.0, "unsure": -0.3}


@dataclass(frozen=True, slots=True)
class Respondent:
    """The traits every answer of one synthetic participant is drawn from."""

    #: ngo, academia, private or other.
    stakeholder: str
    country: str
    years: int
    #: yes, no or unsure.
    engaged: str
    #: Familiarity with UNTOC on a 1-5 scale, before rounding.
    familiarity: float
    #: Personal rating style: some people rate everything higher or lower.
    style: float
    #: Chance of answering a knowledge-test question correctly.
    knows: float
    #: Answering after the training.
    trained: bool
    submitted_at: dt.datetime


def draw_respondent(
    rng: random.Random, start: dt.datetime, days: int, *, trained: bool = False
) -> Respondent:
    """One participant, submitting within `days` days from `start` (UTC)."""
    stakeholder = STAKEHOLDERS.pick(rng)
    academic = stakeholder == "academia"
    # Skewed: most have a few years, a long tail has decades.
    years = min(60, int(rng.lognormvariate(1.8 + 0.25 * academic, 0.65)))
    yes = ENGAGED_SHARE[stakeholder] + 0.01 * min(years, 20)
    u = rng.random()
    engaged = "yes" if u < yes else "unsure" if u < yes + 0.12 else "no"
    shift = FAMILIARITY_SHIFT[engaged] + 0.4 * academic + 0.04 * min(years, 20)
    familiarity = clamp(1.85 + shift + rng.gauss(0, 0.6), 1, 5)
    knows = 0.2 + 0.12 * (familiarity - 1) + 0.3 * trained
    # Office hours in South and Southeast Asia (UTC+5 to UTC+8) are mostly 01:00-12:00 UTC.
    hours = rng.triangular(0.5, 12, 4) if rng.random() < 0.85 else rng.random() * 24
    offset = dt.timedelta(days=rng.randrange(days) if days else 0, seconds=int(hours * 3600))
    return Respondent(
        stakeholder=stakeholder,
        country=COUNTRIES.pick(rng),
        years=years,
        engaged=engaged,
        familiarity=familiarity,
        style=rng.gauss(0, 0.35),
        knows=clamp(knows, 0.05, 0.95),
        trained=trained,
        submitted_at=start + offset,
    )


def clamp(x: float, low: float, high: float) -> float:
    """`x` limited to low..high."""
    return low if x < low else high if x > high else x


def on_scale(x: float, scale: Scale) -> int:
    """A 1-5 latent value as a point of `scale`, rounded and clipped."""
    if scale.min != 1 or scale.max != 5:
        x = scale.min + (x - 1) * (scale.max - scale.min) / 4
    return int(clamp(round(x), scale.min, scale.max))
