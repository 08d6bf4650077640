"""Where the labels of a scatter chart go: near their points, never over one another."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

#: Estimated size of a point label at 8 pt (digits and commas), with its white box.
LABEL_CHAR_PT = 5.0
LABEL_PAD_PT = 2.5
LABEL_HEIGHT_PT = 12.0
#: A label closer to its point than this needs no leader line.
LABEL_NEAR_PT = 9.0
#: Around each point, the space no label may cover.
MARKER_PT = 3.5

Rect = tuple[float, float, float, float]


def place_labels(
    anchors: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    bounds: Rect,
    obstacles: Sequence[Rect] = (),
) -> list[tuple[float, float]]:
    """Offsets (in points) of each label's centre from its anchor, so that no two labels,
    no label and a point, and no label and an obstacle overlap, all inside `bounds`.

    Greedy: each label, in order, takes the first free place on rings of growing radius
    around its point (up-right first). Why not a force-directed "repel": this is
    deterministic, never oscillates, and two points at the same place simply get their
    labels on different sides. If nothing is free up to the largest ring, the label takes
    the free-most place inside the bounds (the overlap is then reported by `overlaps`).
    """
    taken: list[Rect] = list(obstacles)
    taken += [(x - MARKER_PT, y - MARKER_PT, x + MARKER_PT, y + MARKER_PT) for x, y in anchors]
    out: list[tuple[float, float]] = []
    for (x, y), (w, h) in zip(anchors, sizes, strict=True):
        best: tuple[int, float, float, Rect] | None = None
        for radius in (8.0, 12.0, 17.0, 23.0, 30.0, 38.0, 47.0, 57.0):
            for step in range(16):
                angle = math.pi / 4 + step * math.pi / 8
                dx, dy = radius * math.cos(angle), radius * math.sin(angle)
                cand = (x + dx - w / 2, y + dy - h / 2, x + dx + w / 2, y + dy + h / 2)
                if not _inside(cand, bounds):
                    continue
                clashes = sum(_overlap(cand, other) for other in taken)
                if best is None or clashes < best[0]:
                    best = (clashes, dx, dy, cand)
                if clashes == 0:
                    break
            if best is not None and best[0] == 0:
                break
        if best is None:  # pragma: no cover - bounds smaller than one label
            best = (0, 0.0, 0.0, (x - w / 2, y - h / 2, x + w / 2, y + h / 2))
        taken.append(best[3])
        out.append((best[1], best[2]))
    return out


def overlaps(boxes: Sequence[Rect]) -> list[tuple[int, int]]:
    """Pairs of boxes (by index) that overlap."""
    return [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if _overlap(boxes[i], boxes[j])
    ]


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(a: Rect, bounds: Rect) -> bool:
    return a[0] >= bounds[0] and a[1] >= bounds[1] and a[2] <= bounds[2] and a[3] <= bounds[3]


def rect(extent: Any) -> Rect:
    """A matplotlib extent (Bbox) as a plain (x0, y0, x1, y1)."""
    return (float(extent.x0), float(extent.y0), float(extent.x1), float(extent.y1))
