"""A training's group minimums (k, k_text): set by staff, frozen when collection opens.

Why frozen: participants answer trusting the minimum they were promised; lowering it after
answers arrive would show groups that were hidden when they answered. Raising it only
hides more, so it stays allowed (and audit-logged by the caller).
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Training, utcnow
from .reporting.disclosure import MIN_K


class GroupMinimumError(ValueError):
    """A change to a training's group minimums that is not allowed; the message says why."""


@dataclass(frozen=True)
class GroupMinimums:
    """k and k_text of a training."""

    k: int
    k_text: int

    def __post_init__(self) -> None:
        if self.k < MIN_K or self.k_text < MIN_K:
            raise GroupMinimumError(f"A group minimum must be at least {MIN_K}.")

    def describe(self) -> str:
        """How the audit log and messages name them."""
        return f"k={self.k}, k_text={self.k_text}"


def current_minimums(training: Training) -> GroupMinimums:
    """The training's minimums as stored."""
    return GroupMinimums(training.min_group_size, training.min_text_group_size)


def change_minimums(training: Training, wanted: GroupMinimums) -> str | None:
    """Set the training's minimums; returns "old → new" when they changed, else None.

    Raises GroupMinimumError, changing nothing, when collection has opened and either
    minimum would fall.
    """
    old = current_minimums(training)
    if wanted == old:
        return None
    frozen = training.group_minimums_frozen_at
    if frozen is not None and (wanted.k < old.k or wanted.k_text < old.k_text):
        raise GroupMinimumError(
            f"The group minimums were frozen when collection opened on {frozen:%Y-%m-%d} "
            f"({old.describe()}): they can be raised but not lowered, so that no group "
            "hidden when participants answered is shown later."
        )
    training.min_group_size = wanted.k
    training.min_text_group_size = wanted.k_text
    return f"{old.describe()} → {wanted.describe()}"


def freeze_minimums(training: Training) -> None:
    """Record when collection first opened; the minimums can only rise from then on."""
    if training.group_minimums_frozen_at is None:
        training.group_minimums_frozen_at = utcnow()
