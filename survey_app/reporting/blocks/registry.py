"""The block types a report may use, by their `type` tag."""

from __future__ import annotations

from . import BlockKind

#: Each block module defines KIND = BlockKind(compute, charts, template); add it here.
BLOCKS: dict[str, BlockKind] = {}
