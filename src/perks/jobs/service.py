"""Jobs for the API and the CLI: enqueue work with its input, read progress and per-row errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import IO

from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.database import Database
from perks.errors import NotFound, invalid
from perks.jobs import repository
from perks.jobs.models import Job, JobError, JobState
from perks.jobs.rendering import error_out, job_out
from perks.jobs.schemas import JobErrorOut, JobOut
from perks.kit import clock, cursors
from perks.kit.csv_stream import csv_text
from perks.tenancy.context import AuthContext

PART_SIZE = 1 << 20  # bytes of input per stored part
DEFAULT_PAGE = 100
MAX_PAGE = 1000
ERRORS_CHUNK = 5000
REPORT_COLUMNS = ("line", "id", "field", "error")


class JobNotFound(NotFound):
    def __init__(self, job_id: str) -> None:
        super().__init__(f"No job with id {job_id!r} in this account", title="Job not found")


async def enqueue(
    session: AsyncSession,
    ctx: AuthContext,
    job_type: str,
    *,
    params: dict[str, object],
    total: int | None,
    subject: str | None = None,
    digest: str | None = None,
    source: IO[bytes] | None = None,
) -> Job:
    """A QUEUED job (with its input, stored in parts) that the next free worker claims."""
    now = clock.now()
    job = Job(
        account_id=ctx.account_id,
        type=job_type,
        state=JobState.QUEUED.value,
        params=params,
        subject=subject,
        total=total,
        position=0,
        done=0,
        skipped=0,
        errors=0,
        attempts=0,
        input_digest=digest,
        created_at=now,
        updated_at=now,
    )
    parts: list[bytes] = []
    while source is not None and (part := source.read(PART_SIZE)):
        parts.append(part)
    await repository.add(session, job, parts)
    return job


async def get(session: AsyncSession, ctx: AuthContext, job_id: str) -> Job:
    job = await repository.get(session, ctx, job_id)
    if job is None:
        raise JobNotFound(job_id)
    return job


async def unfinished(
    session: AsyncSession, ctx: AuthContext, *, subject: str | None = None, digest: str | None = None
) -> Job | None:
    return await repository.unfinished(session, ctx, subject=subject, digest=digest)


async def cancel(session: AsyncSession, ctx: AuthContext, subject: str, message: str) -> None:
    await repository.cancel(session, ctx, subject, message, clock.now())


async def recent(
    session: AsyncSession, ctx: AuthContext, cursor: str | None, limit: int = DEFAULT_PAGE
) -> tuple[list[JobOut], str | None]:
    """The account's jobs, newest first."""
    _check_limit(limit)
    before = cursors.decode(cursor, length=1)[0] if cursor else None
    rows = await repository.recent(session, ctx, before, limit + 1)
    shown = rows[:limit]
    return [job_out(job) for job in shown], cursors.encode([shown[-1].id]) if len(rows) > limit else None


async def errors_page(
    session: AsyncSession, ctx: AuthContext, job_id: str, cursor: str | None, limit: int = DEFAULT_PAGE
) -> tuple[list[JobErrorOut], str | None]:
    """A job's per-row errors in the order of the input's lines."""
    _check_limit(limit)
    await get(session, ctx, job_id)
    rows = await repository.errors_page(session, ctx, job_id, _line(cursor), limit + 1)
    shown = rows[:limit]
    following = cursors.encode([str(shown[-1].line)]) if len(rows) > limit else None
    return [error_out(row) for row in shown], following


async def iterate_errors(database: Database, ctx: AuthContext, job_id: str) -> AsyncIterator[list[JobError]]:
    """Every per-row error of a job, a chunk per short read transaction (for reports of any size)."""
    after: int | None = None
    while True:
        async with database.transaction(read_only=True) as session:
            rows = list(await repository.errors_page(session, ctx, job_id, after, ERRORS_CHUNK))
        if rows:
            yield rows
        if len(rows) < ERRORS_CHUNK:
            return
        after = rows[-1].line


def error_report(database: Database, ctx: AuthContext, job_id: str) -> AsyncIterator[str]:
    """The per-row error report as CSV (`line,id,field,error`), a chunk at a time."""
    return csv_text(
        REPORT_COLUMNS,
        iterate_errors(database, ctx, job_id),
        lambda row: (row.line, row.reference or "", row.field or "", row.message),
    )


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise invalid("limit", f"must be from 1 to {MAX_PAGE}")


def _line(cursor: str | None) -> int | None:
    if not cursor:
        return None
    [line] = cursors.decode(cursor, length=1)
    if not line.isdigit():
        raise invalid("cursor", "is not a cursor this list handed out")
    return int(line)
