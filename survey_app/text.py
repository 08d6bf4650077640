"""What free text the app keeps and exports: no control characters but tab and newline."""

from __future__ import annotations

import re

#: C0 controls but tab and newline (NUL included), DEL, C1 controls, the two non-characters
#: XML forbids and lone surrogates. None is typed on purpose (they come with pasted text);
#: PostgreSQL refuses NUL in text, and XML, thus XLSX, refuses the rest.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """Typed text as stored: newlines as `\\n` (browsers send CRLF; lengths count what the
    participant sees), without the characters above."""
    return without_controls(value.replace("\r\n", "\n").replace("\r", "\n"))


def without_controls(value: str) -> str:
    """The text without the characters above; everything else, CR included, as it is."""
    return _UNWANTED.sub("", value)
