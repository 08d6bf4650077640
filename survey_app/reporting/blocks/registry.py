"""The block types a report may use, by their `type` tag."""

from __future__ import annotations

from . import BlockKind
from .comments import KIND as COMMENTS
from .gap import KIND as GAP
from .overview import KIND as OVERVIEW
from .pre_post import KIND as PRE_POST
from .priorities import KIND as PRIORITIES
from .question import KIND as QUESTION
from .recommendations import KIND as RECOMMENDATIONS
from .retention import KIND as RETENTION

#: Each block module defines KIND = BlockKind(compute, charts, template); add it here.
BLOCKS: dict[str, BlockKind] = {
    "overview": OVERVIEW,
    "question": QUESTION,
    "priorities": PRIORITIES,
    "gap": GAP,
    "pre_post": PRE_POST,
    "retention": RETENTION,
    "recommendations": RECOMMENDATIONS,
    "comments": COMMENTS,
}
