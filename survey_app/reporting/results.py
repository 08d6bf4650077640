"""Plain data passed from aggregation to charts to templates (no ORM objects, no session)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Chart:
    """An SVG document and the text alternative printed with it."""

    svg: str
    alt: str

    @property
    def data_uri(self) -> str:
        """The SVG as a `data:` URL, for the report's `<img>`.

        Why an image and not inline `<svg>`: WeasyPrint then parses the chart as one SVG
        document instead of running thousands of its nodes through the HTML parser and
        the page's CSS cascade (about a second per report), and in the browser preview an
        image's own `style` attributes are not subject to the page's CSP.
        """
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode("ascii")


@dataclass(frozen=True)
class BlockResult:
    """Base of every block's computed result; each block type subclasses it."""

    #: Heading printed in the report and the table of contents.
    heading: str
    intro: str | None = None
    #: Short sentences printed under the block (suppression notes, caveats).
    notes: tuple[str, ...] = ()
    #: True when there is nothing to show (no responses, all suppressed): the block says so.
    empty: bool = False


@dataclass(frozen=True)
class RenderedBlock:
    """A block ready for the template: its result, its charts and where it sits."""

    number: int
    anchor: str
    block_type: str
    result: Any
    charts: tuple[Chart, ...] = field(default_factory=tuple)
