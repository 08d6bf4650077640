"""Participant-code hashes: argon2id keyed with a pepper that is not in the database.

Why: the code space is small (about 2.1 million codes), so a plain keyed hash whose key sits
in the database next to the hashes gives every code back from a copy of the database in
seconds. Here the key (the pepper) lives beside the app's secret key, and each guess costs
an argon2id computation (tens of MiB, ~0.1 s) salted per training.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from flask import Flask, current_app

from .models import Training

#: Marks a training whose codes use this scheme; its salt follows.
SALT_PREFIX = "argon2id:"
#: Trainings created before the scheme keep 64 hex characters of HMAC key: their open
#: collections go on pairing across the upgrade (and stay as weak as before).
LEGACY_SECRET_LENGTH = 64
EXTENSION = "survey_code_hasher"
#: Stands for the masked element of a near-miss tag; never part of a normalised code.
MASK = "*"
#: Domain separation: a tag is never equal to the hash of any whole code.
TAG_PREFIX = "near-miss:"


def new_pairing_salt() -> str:
    """A training's salt for its participant-code hashes (stored in `pairing_secret`)."""
    return SALT_PREFIX + secrets.token_hex(16)


@dataclass(frozen=True)
class CodeHasher:
    """Hashes normalised participant codes for one deployment (one pepper)."""

    pepper: bytes
    time_cost: int = 2
    memory_kib: int = 64 * 1024
    #: Whether submissions also store near-miss tags (SURVEY_NEAR_MISS_PAIRING).
    near_miss: bool = False

    def hash(self, training: Training, code: str) -> str:
        """64 hex characters that pair a training's codes; the code itself is never kept."""
        stored = training.pairing_secret
        if not stored.startswith(SALT_PREFIX):
            # The old scheme: HMAC-SHA256 keyed with the per-training secret in the database.
            return hmac.new(stored.encode(), code.encode("utf-8"), hashlib.sha256).hexdigest()
        return self._argon2(stored, code)

    def near_miss_tags(self, training: Training, code: str) -> str | None:
        """The code's near-miss tags (one per element, that element masked), comma-separated.

        None when near-miss pairing is off or the training keeps the old HMAC scheme. Each
        tag costs one argon2id computation, as the code's hash does (see SECURITY.md for
        what the tags cost an attacker who holds the database and the pepper).
        """
        stored = training.pairing_secret
        if not self.near_miss or not stored.startswith(SALT_PREFIX):
            return None
        return ",".join(self._argon2(stored, TAG_PREFIX + masked) for masked in masked_codes(code))

    def _argon2(self, salt: str, code: str) -> str:
        # argon2-cffi has no argon2 "secret" input: the pepper keys the code first.
        keyed = hmac.new(self.pepper, code.encode("utf-8"), hashlib.sha256).digest()
        digest = hash_secret_raw(
            keyed,
            salt.encode(),
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=1,
            hash_len=32,
            type=Type.ID,
        )
        return digest.hex()


def code_elements(code: str) -> list[str]:
    """A normalised code's five elements: each letter, the day, each digit.

    Why these: a participant mistypes or misremembers one of them (a letter of the name, a
    digit of the phone number, the day), rarely two.
    """
    letters, day, digits = code.split("|")
    return [letters[:1], letters[1:], day, digits[:1], digits[1:]]


def masked_codes(code: str) -> list[str]:
    """The code once per element with that element masked (position kept)."""
    elements = code_elements(code)
    return [
        "|".join(MASK if j == i else part for j, part in enumerate(elements))
        for i in range(len(elements))
    ]


def install_code_hasher(app: Flask, hasher: CodeHasher) -> None:
    """Make `hasher` the app's participant-code hasher."""
    app.extensions[EXTENSION] = hasher


def code_hasher() -> CodeHasher:
    """The current app's participant-code hasher."""
    hasher: CodeHasher = current_app.extensions[EXTENSION]
    return hasher
