"""Small-cell suppression: no table or chart may single out fewer than k respondents."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)


def suppress_counts(
    counts: Mapping[K, int], k: int, *, additive: bool = True
) -> dict[K, int | None]:
    """One distribution: cells under k become None, plus one more where the total would tell.

    `additive` means the cells add up to a total that is shown (single choice); for
    multi-choice counts, which overlap, the primary suppression is enough.
    """
    table = suppress_table({("", key): n for key, n in counts.items()}, k, additive=additive)
    return {key: table[("", key)] for key in counts}


def suppress_table(
    counts: Mapping[tuple[R, C], int],
    k: int,
    *,
    additive: bool = True,
    fixed: Mapping[tuple[R, C], int | None] | None = None,
) -> dict[tuple[R, C], int | None]:
    """A cross-tab: primary suppression of 0 < n < k, then complementary suppression.

    Why: if a row (or column) total is printed and exactly one of its cells is hidden, that
    cell is the total minus the others. Hiding the next smallest cell of such a row or
    column, repeated until no line has a single hidden cell, closes that gap. Zero cells stay
    (they describe nobody) unless they are all that is left beside a hidden cell.

    `fixed` holds cells whose printed value (None = hidden) was settled elsewhere, such as
    the "all respondents" row of a breakdown, which every block prints the same way. They
    count in each line they sit in (a total hidden there but summed from shown group cells
    would be recovered), but only the other cells are hidden to protect them.
    """
    out: dict[tuple[R, C], int | None] = {
        key: (None if 0 < n < k else n) for key, n in counts.items()
    }
    if not additive:
        return out
    settled = dict(fixed or {})
    out.update(settled)
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines: dict[Hashable, list[tuple[R, C]]] = {}
            for key in out:
                lines.setdefault(key[axis], []).append(key)
            for keys in lines.values():
                hidden = [key for key in keys if out[key] is None]
                if len(hidden) != 1:
                    continue
                shown = [key for key in keys if out[key] and key not in settled]
                if not shown:
                    # Only zeros are left beside the hidden cell: with the total printed they
                    # would give it away, so they are hidden too.
                    zeros = [key for key in keys if out[key] == 0 and key not in settled]
                    for key in zeros:
                        out[key] = None
                    changed = changed or bool(zeros)
                    continue
                smallest = min(shown, key=lambda key: (counts[key], str(key)))
                out[smallest] = None
                changed = True
    return out


def share(count: int | None, total: int) -> float | None:
    """count / total, or None when suppressed or the total is zero."""
    if count is None or total <= 0:
        return None
    return count / total
