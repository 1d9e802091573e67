"""Imports for the API and the CLI: check and store a file as a job's input; the job does the rest."""

from __future__ import annotations

from typing import IO

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import invalid
from perks.imports import jobs as _registered  # noqa: F401 - the importers register themselves
from perks.imports.importers import IMPORTERS, JOB_PREFIX, Importer
from perks.imports.records import Format, Prepared, prepare
from perks.jobs import service as jobs
from perks.jobs.models import Job
from perks.tenancy.context import AuthContext


def importer(name: str) -> Importer[object]:
    found = IMPORTERS.get(name)
    if found is None:
        raise invalid("type", f"must be one of {', '.join(sorted(IMPORTERS))}")
    return found


def prepare_file(name: str, source: IO[bytes], wanted: Format | None = None) -> Prepared:
    """Read the whole file (blocking: run it in a thread from async code): a 400 naming `file` for a
    file that cannot be imported at all; per-row problems are left for the job to report."""
    return prepare(source, importer(name).columns, wanted)


async def enqueue(
    session: AsyncSession, ctx: AuthContext, name: str, prepared: Prepared, *, source: str
) -> Job:
    """The import job of a prepared file; `source` says where it came from (shown in the job's params)."""
    return await jobs.enqueue(
        session,
        ctx,
        JOB_PREFIX + importer(name).name,
        params={"source": source, "format": prepared.format.value, "rows": prepared.total},
        total=prepared.total,
        digest=prepared.digest,
        source=prepared.records,
    )


async def resumable(session: AsyncSession, ctx: AuthContext, name: str, digest: str) -> Job | None:
    """An unfinished import of the same file, to go on with instead of starting another."""
    job = await jobs.unfinished(session, ctx, digest=digest)
    return job if job is not None and job.type == JOB_PREFIX + name else None
