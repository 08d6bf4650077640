"""Typed settings read from the environment (prefix SURVEY_) or given by tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything the app needs to start; nothing else reads the environment."""

    model_config = SettingsConfigDict(env_prefix="SURVEY_", env_file=".env", extra="ignore")

    #: Where the generated secret key and the default SQLite file live.
    instance_dir: Path = ROOT / "instance"
    #: Defaults to an SQLite file in `instance_dir`; PostgreSQL in production.
    database_url: str = ""
    questionnaires_dir: Path = ROOT / "questionnaires"
    #: Report definitions, checked against the questionnaires at startup.
    reports_dir: Path = ROOT / "reports"
    #: Generated once and kept in `instance_dir/secret_key` when not given.
    secret_key: SecretStr | None = None
    #: Key of the participant-code hashes (with argon2id); generated once and kept in
    #: `instance_dir/pairing_pepper` when not given. Keep it out of the database and its
    #: backups. Rotating it breaks pairing for trainings still collecting: see SECURITY.md.
    pairing_pepper: SecretStr | None = None
    #: argon2id cost of one participant-code hash (tests lower it; production keeps these).
    pairing_kdf_time_cost: int = Field(default=2, ge=1)
    pairing_kdf_memory_kib: int = Field(default=64 * 1024, ge=8)
    #: Also store near-miss tags of each code, so that a code with one element mistyped is
    #: reported as a probable pair. Off by default: with the database and the pepper, the
    #: tags make a training's codes about 30 times cheaper to search (SECURITY.md).
    near_miss_pairing: bool = False
    #: A whole questionnaire post is a few KiB; anything far larger is refused with 413.
    max_request_bytes: int = 256 * 1024
    #: How long a form's CSRF token stays valid; an expired one re-shows the answers.
    csrf_time_limit_seconds: int = 3 * 3600
    #: Seconds an SQLite writer waits for the lock before giving up.
    sqlite_busy_timeout_seconds: float = 30.0
    #: Cookies only over HTTPS; turn off for plain-HTTP local runs.
    secure_cookies: bool = False
    #: A session cookie not re-issued for this long is refused: staff log in again each day.
    session_lifetime_hours: float = Field(default=12, gt=0)
    #: Where participants reach the app (e.g. https://survey.example.org, with any path
    #: prefix): every participant link and QR code starts with it. `make run` sets it to its
    #: own address; left empty, pages fall back to the request's Host (local runs only).
    public_url: str = ""
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host to believe
    #: (1 behind nginx). With 0 behind a proxy, every login would come from the proxy's
    #: address, and the per-address lockout would lock everybody out at once.
    proxy_hops: int = Field(default=0, ge=0)
    #: Strict-Transport-Security max-age sent on HTTPS requests (0: no header).
    hsts_seconds: int = Field(default=365 * 24 * 3600, ge=0)
    #: Submissions stored from one client address (an IPv6 address by its /64) within
    #: the window below; 0 turns the limit off. A room on a venue's Wi-Fi shares one
    #: address: keep this above the largest room that answers at once.
    submission_limit_per_address: int = Field(default=60, ge=0)
    #: Submissions stored through one participant link (a training's phase), or to one open
    #: questionnaire, within the window; 0 turns it off. Stops stuffing from many addresses.
    submission_limit_per_form: int = Field(default=300, ge=0)
    #: How far back the submission limits count, in minutes.
    submission_limit_window_minutes: float = Field(default=10, gt=0)
    #: How long a PDF download waits for its build before showing a progress page instead.
    report_wait_seconds: float = Field(default=2.0, ge=0)
    #: k for new trainings: figures of fewer people are never shown (at least 3).
    default_group_minimum: int = Field(default=5, ge=3, le=1000)
    #: k_text for new trainings: free text prints only for this many writers or more.
    default_text_group_minimum: int = Field(default=10, ge=3, le=1000)
    #: SMTP server for the optional follow-up reminders (reminders.py); empty host: none.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    #: Login for the SMTP server (with STARTTLS when it offers it); empty: no login.
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    #: The reminders' From address.
    smtp_from: str = ""
    testing: bool = False
    csrf_enabled: bool = True

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.instance_dir / 'survey.db'}"
        if self.public_url and not self.public_url.startswith(("http://", "https://")):
            raise ValueError("public_url must start with http:// or https://")
        return self

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept under the instance folder."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return self._instance_secret("secret_key")

    def resolved_pairing_pepper(self) -> bytes:
        """The key of participant-code hashes: configured, or generated once beside the
        secret key. Never stored in the database, so a copy of it cannot test codes."""
        if self.pairing_pepper is not None:
            return self.pairing_pepper.get_secret_value().encode()
        return self._instance_secret("pairing_pepper").encode()

    def prepare_instance_dir(self) -> Path:
        """The instance folder, created (or narrowed to) owner-only access: it holds the
        secrets and, by default, the database."""
        self.instance_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(PermissionError):  # someone else's folder: leave it be
            self.instance_dir.chmod(0o700)
        return self.instance_dir

    def _instance_secret(self, name: str) -> str:
        self.prepare_instance_dir()
        path = self.instance_dir / name
        if not path.exists() or not path.read_text().strip():
            # Write a private temporary file and link it into place: a crash leaves no empty
            # key behind, and of workers starting together the first one's key wins for all
            # (a rename would let a later one replace a key another already uses).
            tmp = path.with_name(f".{name}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            try:
                os.link(tmp, path)
            except FileExistsError:
                if not path.read_text().strip():  # an empty file from an older version
                    os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        return path.read_text().strip()

    def to_flask_config(self) -> dict[str, Any]:
        """The Flask config keys these settings stand for."""
        return {
            "SECRET_KEY": self.resolved_secret_key(),
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            # hide_parameters: a logged database error never carries a participant's answers.
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
            "MAX_CONTENT_LENGTH": self.max_request_bytes,
            "MAX_FORM_MEMORY_SIZE": self.max_request_bytes,
            "WTF_CSRF_ENABLED": self.csrf_enabled,
            "WTF_CSRF_TIME_LIMIT": self.csrf_time_limit_seconds,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=self.session_lifetime_hours),
            # Logins never set "remember me"; should one ever do, its cookie is as guarded.
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_DURATION": dt.timedelta(hours=self.session_lifetime_hours),
            "TESTING": self.testing,
        }
