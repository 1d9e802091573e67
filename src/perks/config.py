"""Settings, read from PERKS_* environment variables."""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./perks.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PERKS_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str | None = None
    # Where a generated secret is kept when PERKS_SECRET_KEY is unset (default: beside the SQLite
    # database, or ./perks.secret for a server database).
    secret_file: Path | None = None
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    rate_limit: str = "1200/minute"
    rate_limit_enabled: bool = True
    token_ttl_seconds: int = 3600
    idempotency_ttl_hours: int = 24
    database_pool_size: int = 10
    with_worker: bool = False
    # Freeze what the built app holds and collect the young generation less often (perks.kit.collector):
    # set by `perks serve` for its processes.
    gc_tuning: bool = False
    webhook_retry_base_seconds: float = 60.0
    allow_private_webhooks: bool = False
    # Test hook: a file holding a clock offset in seconds, read on every clock call (never set in production).
    clock_offset_file: Path | None = None
    public_base_url: str | None = Field(default=None, description="Base URL used to build tracking links")
    # Webhook worker: how long an idle worker waits before looking again, and how many deliveries it
    # claims (and sends concurrently) per batch.
    worker_poll_seconds: float = 1.0
    webhook_batch_size: int = 50
    # Customer one-time codes (POST /auth/totp): length, lifetime, and the failed verifications an account
    # may make per window (`limits` notation) before verification answers 429.
    one_time_code_digits: int = Field(default=6, ge=4, le=10)
    one_time_code_ttl_seconds: int = Field(default=300, ge=30, le=3600)
    one_time_code_failures: str = "20/10 minutes"
    # The largest request body a route accepts unless it declares more (perks.web.body_limit).
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    # The console: how long a sign-in lasts, sign-in attempts allowed per email and per client address
    # (shared through Redis when configured), and the email of the owner created on the first start.
    console_session_hours: int = 12
    sign_in_limit_per_email: str = "10/minute"
    sign_in_limit_per_address: str = "30/minute"
    owner_email: str = "owner@example.com"
    # Jobs (perks/jobs): a worker's hold on a job lapses this long after its last step, and another
    # worker goes on with it.
    job_lease_seconds: float = 60.0
    # A COUPONS campaign asking for more codes than this gets them from a job, a chunk per transaction.
    codes_job_threshold: int = 100_000
    codes_job_chunk: int = 5_000
    # Imports: the largest file POST /imports accepts (a route of its own, above the general body limit),
    # and rows per transaction (at most 1,000).
    import_max_bytes: int = 200 * 1024 * 1024
    import_batch_size: int = Field(default=1000, ge=1, le=1000)
    # Housekeeping by perks worker: rows older than this many days are deleted (0 keeps them forever),
    # prune_batch_size rows per transaction.
    prune_clicks_after_days: int = Field(default=90, ge=0)
    prune_deliveries_after_days: int = Field(default=30, ge=0)
    prune_outbox_after_days: int = Field(default=30, ge=0)
    prune_batch_size: int = Field(default=500, ge=1)
    # The affiliate portal's sign-in links by email: smtp://user:password@host:587 (STARTTLS when the
    # server offers it) or smtps://…:465 (TLS); unset, the portal's sign-in page says to ask the manager.
    smtp_url: str | None = None
    smtp_from: str = "Perks <no-reply@localhost>"
    portal_session_hours: int = 24

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @cached_property
    def signing_secret(self) -> str:
        """The secret that signs tokens and hashes API keys; generated once and kept if not configured."""
        if self.secret_key:
            return self.secret_key
        return _load_or_create_secret(self._secret_path())

    def _secret_path(self) -> Path:
        if self.secret_file is not None:
            return self.secret_file
        if self.is_sqlite:
            database = self.database_url.split("///", 1)[-1]
            if database and database != ":memory:":
                return Path(database + ".secret")
        return Path("perks.secret")


def _load_or_create_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    draft.write_text(secrets.token_urlsafe(48))
    draft.chmod(0o600)
    try:
        # link() is atomic and refuses to overwrite: when several processes start at once, one wins
        # and the others read the winner's complete file.
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()
