"""Jobs: work too long for one request (big code batches, imports), done in short transactions by
`perks worker` processes, with progress anyone can read.

A job moves QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED. A worker holds it under a lease
(`lease_id`, `locked_until`); every step of work checks and renews the lease in the transaction that
commits the step and its progress (`position`, `done`, `skipped`, `errors`), so a job picked up again after
a crash goes on from its last committed step, and two workers never both advance it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin
from perks.db.types import JSONDocument, UTCDateTime
from perks.kit import clock


class JobState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


UNFINISHED = (JobState.QUEUED.value, JobState.RUNNING.value)


class Job(IdMixin, TenantMixin, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_account_created", "account_id", "created_at"),
        Index("ix_jobs_account_digest", "account_id", "input_digest"),
        Index("ix_jobs_account_subject", "account_id", "subject"),
        # The workers' queue, read across accounts like the outbox's.
        Index("ix_jobs_queue", "state", "locked_until"),
    )

    type: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED.value)
    params: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # What the job works on, when one thing (a code batch: its campaign's id), so a change to it can wait.
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True)
    total: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # How far the job has read its input (rows, or codes asked for): where a resumed job starts.
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    done: Mapped[int] = mapped_column(BigInteger, default=0)
    skipped: Mapped[int] = mapped_column(BigInteger, default=0)
    errors: Mapped[int] = mapped_column(BigInteger, default=0)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    # SHA-256 of the input file, so `perks import` run again on the same file resumes its job.
    input_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class JobInput(Base):
    """A job's input (normalised to JSON lines), in parts of at most PART_SIZE bytes."""

    __tablename__ = "job_inputs"

    account_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    job_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class JobError(Base):
    """Why one row of a job's input was refused. `line` is where the row starts in the file."""

    __tablename__ = "job_errors"

    account_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    job_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    line: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(255), nullable=True)
    field: Mapped[str | None] = mapped_column(String(255), nullable=True)
    message: Mapped[str] = mapped_column(Text)
