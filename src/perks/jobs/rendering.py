"""Jobs and their per-row errors as the API shows them (times to the millisecond, as the docs write them)."""

from __future__ import annotations

from perks.jobs.models import Job, JobError
from perks.jobs.schemas import JobErrorOut, JobOut
from perks.kit.clock import iso_millis


def job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id,
        type=job.type,
        state=job.state,
        total=job.total,
        done=job.done,
        skipped=job.skipped,
        errors=job.errors,
        message=job.message,
        params=job.params,
        created_at=iso_millis(job.created_at) or "",
        started_at=iso_millis(job.started_at),
        finished_at=iso_millis(job.finished_at),
        updated_at=iso_millis(job.updated_at) or "",
    )


def error_out(row: JobError) -> JobErrorOut:
    return JobErrorOut(line=row.line, id=row.reference, field=row.field, error=row.message)
