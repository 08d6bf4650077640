"""URL converters shared by every blueprint."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

#: The largest id a table can hold on every database we run on (PostgreSQL's INTEGER).
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` limited to ids a table can hold, so a huge number is a 404, not a 500.

    Why: SQLite raises OverflowError and PostgreSQL "integer out of range" for a number
    past the column's range; the lookup never gets to say "not found".
    """

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(url_map, *args, **kwargs)
