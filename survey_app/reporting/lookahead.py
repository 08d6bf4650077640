"""A second pass over a report's blocks, from the last, that computes their aggregates
while the report's own pass computes the blocks in order.

Why: at 100,000 responses most of a build is the database answering a few joint counts,
one at a time, while the second core idles. The look-ahead pass reads the same snapshot
on its own connection (`database.snapshot_peer`) and shares the build's results
(`shared.SharedResults`): whichever pass asks first computes a result, the other takes
it. Only the results are shared: the look-ahead's own figures and disclosure decisions
are thrown away, so the report is exactly what the ordered pass alone would print.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from .blocks.registry import BLOCKS
from .context import ReportContext

log = logging.getLogger(__name__)


@contextmanager
def looking_ahead(ctx: ReportContext, peer: Connection | None) -> Iterator[None]:
    """Run the look-ahead pass on `peer` (none when it is None) while the body runs; on
    exit, stop it (it asks for nothing new) and wait for the query it is in."""
    if peer is None:
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(
        target=_look_ahead, args=(ctx, peer, stop), name="report-lookahead", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _look_ahead(ctx: ReportContext, peer: Connection, stop: threading.Event) -> None:
    with Session(bind=peer) as session:
        try:
            ahead = replace(ctx, session=session, stop=stop)
        except Exception:  # a warm-up: the ordered pass reports every failure
            log.debug("report look-ahead could not start", exc_info=True)
            return
        numbered = list(enumerate(ctx.report.blocks, start=1))
        for number, block in reversed(numbered):
            if stop.is_set():
                return
            ahead.disclosure.block = number
            try:
                BLOCKS[block.type].compute(ahead, block)
            except Exception:  # as above; a stopped pass ends here too
                log.debug("report look-ahead skipped block %s", number, exc_info=True)
