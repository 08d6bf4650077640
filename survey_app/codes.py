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


def new_pairing_salt() -> str:
    """A training's salt for its participant-code hashes (stored in `pairing_secret`)."""
    return SALT_PREFIX + secrets.token_hex(16)


@dataclass(frozen=True)
class CodeHasher:
    """Hashes normalised participant codes for one deployment (one pepper)."""

    pepper: bytes
    time_cost: int = 2
    memory_kib: int = 64 * 1024

    def hash(self, training: Training, code: str) -> str:
        """64 hex characters that pair a training's codes; the code itself is never kept."""
        stored = training.pairing_secret
        if not stored.startswith(SALT_PREFIX):
            # The old scheme: HMAC-SHA256 keyed with the per-training secret in the database.
            return hmac.new(stored.encode(), code.encode("utf-8"), hashlib.sha256).hexdigest()
        # argon2-cffi has no argon2 "secret" input: the pepper keys the code first.
        keyed = hmac.new(self.pepper, code.encode("utf-8"), hashlib.sha256).digest()
        digest = hash_secret_raw(
            keyed,
            stored.encode(),
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=1,
            hash_len=32,
            type=Type.ID,
        )
        return digest.hex()


def install_code_hasher(app: Flask, hasher: CodeHasher) -> None:
    """Make `hasher` the app's participant-code hasher."""
    app.extensions[EXTENSION] = hasher


def code_hasher() -> CodeHasher:
    """The current app's participant-code hasher."""
    hasher: CodeHasher = current_app.extensions[EXTENSION]
    return hasher
