"""Block types: one schema model + one compute + one chart function + one partial template.

A new block type adds a module here defining `KIND` and a row to `registry.BLOCKS`;
`tests/reporting` checks that every type in `schema.BLOCK_TYPES` has all four parts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..context import ReportContext
from ..results import BlockResult, Chart


@dataclass(frozen=True)
class BlockKind:
    """What the pipeline needs for one block type."""

    compute: Callable[[ReportContext, Any], BlockResult]
    charts: Callable[[Any], tuple[Chart, ...]]
    #: Partial under templates/reports/blocks/.
    template: str
