"""The staff password policy: long enough, and not a common or breached password."""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 1024
MIN_DISTINCT_CHARACTERS = 5
#: 20,000 common passwords, lowercased (from Django; see data/README.md for the source).
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt.gz"
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, read once per process."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def password_problem(password: str, email: str = "") -> str | None:
    """Why the password is refused, in words fit to show; None when it is acceptable.

    Why these rules (NIST SP 800-63B): length and a blocklist of known passwords, not
    composition rules, which make passwords harder to remember and no harder to guess.
    """
    if len(password) < MIN_LENGTH:
        return f"The password must have at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"The password must have at most {MAX_LENGTH} characters."
    lowered = password.lower()
    core = _DECORATION.sub("", lowered)
    if lowered in common_passwords() or (len(core) >= 4 and core in common_passwords()):
        return "This password is on a list of common or breached passwords. Choose another."
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS or _is_repetition(lowered):
        return "This password is too regular (a short piece repeated, or few different characters)."
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in lowered:
        return "The password must not contain your email address."
    return None


def _is_repetition(text: str) -> bool:
    """Whether the text is a shorter piece repeated (abcabcabcabc, passwordpassword)."""
    return (text + text).find(text, 1) < len(text)
