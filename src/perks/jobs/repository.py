"""SQL of jobs. Tenant-scoped reads for the API; the queue queries (claim, renew, advance, finish) work
by job id and lease, across accounts, like the outbox's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.database import insert_for
from perks.db.types import UTCDateTime
from perks.jobs.models import UNFINISHED, Job, JobError, JobInput, JobState
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


async def add(session: AsyncSession, job: Job, parts: Sequence[bytes]) -> None:
    session.add(job)
    await session.flush()
    if parts:
        rows = [
            {"account_id": job.account_id, "job_id": job.id, "part": index, "data": data}
            for index, data in enumerate(parts)
        ]
        await session.execute(insert_for(session)(JobInput), rows)


async def get(session: AsyncSession, ctx: AuthContext, job_id: str) -> Job | None:
    return await session.scalar(scoped.select(ctx, Job).where(Job.id == job_id))


async def recent(session: AsyncSession, ctx: AuthContext, before: str | None, limit: int) -> Sequence[Job]:
    statement = scoped.select(ctx, Job)
    if before is not None:
        statement = statement.where(Job.id < before)
    rows = await session.scalars(statement.order_by(Job.id.desc()).limit(limit))
    return rows.all()


async def unfinished(
    session: AsyncSession, ctx: AuthContext, *, subject: str | None = None, digest: str | None = None
) -> Job | None:
    """The oldest unfinished job on `subject`, or of an input with this digest."""
    statement = scoped.select(ctx, Job).where(Job.state.in_(UNFINISHED))
    if subject is not None:
        statement = statement.where(Job.subject == subject)
    if digest is not None:
        statement = statement.where(Job.input_digest == digest)
    return await session.scalar(statement.order_by(Job.created_at).limit(1))


async def claim(
    session: AsyncSession, now: datetime, lease_id: str, lease_until: datetime, job_id: str | None = None
) -> Job | None:
    """Lease the oldest job that is queued, or running under a lease that ran out (its worker died or
    gave it back), or the job `job_id` if it is such a job. PostgreSQL: FOR UPDATE SKIP LOCKED, so
    concurrent workers take different jobs; SQLite: the write transaction admits one claimer."""
    candidate = select(Job.id).where(
        Job.state.in_(UNFINISHED), or_(Job.locked_until.is_(None), Job.locked_until <= now)
    )
    if job_id is not None:
        candidate = candidate.where(Job.id == job_id)
    candidate = candidate.order_by(Job.created_at).limit(1).with_for_update(skip_locked=True)
    return await session.scalar(
        update(Job)
        .where(Job.id.in_(candidate.scalar_subquery()))
        .values(
            state=JobState.RUNNING.value,
            lease_id=lease_id,
            locked_until=lease_until,
            attempts=Job.attempts + 1,
            started_at=func.coalesce(Job.started_at, literal(now, UTCDateTime)),
            updated_at=now,
        )
        .returning(Job)
        .execution_options(synchronize_session=False, populate_existing=True)
    )


async def renew(session: AsyncSession, job_id: str, lease_id: str, until: datetime) -> Job | None:
    """Extend our lease and read the job (locking its row until commit on PostgreSQL); None when the
    lease is no longer ours or the job was finished or cancelled meanwhile."""
    return await session.scalar(
        update(Job)
        .where(Job.id == job_id, Job.lease_id == lease_id, Job.state == JobState.RUNNING.value)
        .values(locked_until=until)
        .returning(Job)
        .execution_options(synchronize_session=False, populate_existing=True)
    )


async def advance(session: AsyncSession, job_id: str, lease_id: str, values: dict[str, Any]) -> None:
    await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.lease_id == lease_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def add_errors(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert_for(session)(JobError).on_conflict_do_nothing(), list(rows))


async def input_part(session: AsyncSession, account_id: str, job_id: str, part: int) -> bytes | None:
    data: bytes | None = await session.scalar(
        scoped.select(account_id, JobInput, JobInput.data).where(
            JobInput.job_id == job_id, JobInput.part == part
        )
    )
    return data


async def errors_page(
    session: AsyncSession, ctx: AuthContext, job_id: str, after_line: int | None, limit: int
) -> Sequence[JobError]:
    statement = scoped.select(ctx, JobError).where(JobError.job_id == job_id)
    if after_line is not None:
        statement = statement.where(JobError.line > after_line)
    rows = await session.scalars(statement.order_by(JobError.line).limit(limit))
    return rows.all()


async def cancel(session: AsyncSession, ctx: AuthContext, subject: str, message: str, now: datetime) -> None:
    """End every unfinished job on `subject`; a worker running one finds it ended at its next step."""
    await session.execute(
        scoped.update(ctx, Job)
        .where(Job.subject == subject, Job.state.in_(UNFINISHED))
        .values(
            state=JobState.CANCELLED.value,
            message=message,
            finished_at=now,
            updated_at=now,
            lease_id=None,
            locked_until=None,
        )
        .execution_options(synchronize_session=False)
    )
