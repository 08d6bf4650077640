"""Progress of long command-line work, as `label: n of N` lines on stderr.

Why stderr: stdout stays the command's result (a file name, figures), so it can be piped.
Why lines rather than a redrawn bar: they read the same in a terminal, a log and a cron mail.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

import click

T = TypeVar("T")


class Progress:
    """Counts work done and prints a line each time another tenth (by default) is done."""

    def __init__(self, label: str, total: int, steps: int = 10) -> None:
        self.label, self.total, self.steps = label, total, steps
        self.done = 0
        self._shown = 0  # how many of the `steps` have been printed

    def advance(self, amount: int = 1) -> None:
        """Count `amount` more units; print when a step is crossed or the work is done."""
        self.done += amount
        reached = self.steps if self.total <= 0 else self.done * self.steps // self.total
        if reached > self._shown:
            self._shown = min(reached, self.steps)
            click.echo(f"{self.label}: {self.done:,} of {max(self.total, self.done):,}", err=True)

    def iterate(self, items: Iterable[T]) -> Iterator[T]:
        """The items, each counted once it has been handed on."""
        for item in items:
            yield item
            self.advance()


def stage(number: int, total: int, text: str) -> None:
    """`step 2 of 3: text` on stderr, for work that goes by stages rather than by rows."""
    click.echo(f"step {number} of {total}: {text}", err=True)
