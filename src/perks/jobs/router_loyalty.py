"""Jobs on the loyalty face: GET /jobs, GET /jobs/{id}, GET /jobs/{id}/errors and .../errors.csv."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.database import Database
from perks.idempotency import service as idempotency
from perks.jobs import rendering, service
from perks.jobs.models import Job
from perks.jobs.schemas import JobErrorOut, JobOut
from perks.loyalty.face import Claimed, Data, ServerAuth, Session, revoked, router
from perks.tenancy import service as tenancy

jobs_router = router(tags=["loyalty: jobs"])

CursorQuery = Annotated[str | None, Query(description="The `cursor` of the previous page")]
LimitQuery = Annotated[
    int,
    Query(
        description=f"Items per page, at most {service.MAX_PAGE}",
        json_schema_extra={"minimum": 1, "maximum": service.MAX_PAGE},
    ),
]


class JobPage(BaseModel):
    data: list[JobOut]
    cursor: str | None


class JobErrorPage(BaseModel):
    data: list[JobErrorOut]
    cursor: str | None


@jobs_router.get("/jobs", response_model=JobPage, summary="List jobs, newest first")
async def list_jobs(
    session: Session, ctx: ServerAuth, cursor: CursorQuery = None, limit: LimitQuery = service.DEFAULT_PAGE
) -> JobPage:
    jobs, following = await service.recent(session, ctx, cursor, limit)
    return JobPage(data=jobs, cursor=following)


@jobs_router.get(
    "/jobs/{job_id}",
    response_model=Data[JobOut],
    summary="Get a job: state and progress",
    description="`state` is QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED; of `total` units (rows of "
    "an import, codes of a batch), `done` were written, `skipped` were there already and `errors` were "
    "refused (GET /jobs/{id}/errors says why).",
)
async def get_job(session: Session, ctx: ServerAuth, job_id: str) -> Data[JobOut]:
    return Data(data=rendering.job_out(await service.get(session, ctx, job_id)))


@jobs_router.get(
    "/jobs/{job_id}/errors", response_model=JobErrorPage, summary="The rows a job refused, and why"
)
async def job_errors(
    session: Session,
    ctx: ServerAuth,
    job_id: str,
    cursor: CursorQuery = None,
    limit: LimitQuery = service.DEFAULT_PAGE,
) -> JobErrorPage:
    errors, following = await service.errors_page(session, ctx, job_id, cursor, limit)
    return JobErrorPage(data=errors, cursor=following)


@jobs_router.get(
    "/jobs/{job_id}/errors.csv",
    response_class=StreamingResponse,
    summary="The rows a job refused, as a CSV report",
    responses={200: {"content": {"text/csv": {}}}},
)
async def job_error_report(
    request: Request, session: Session, ctx: ServerAuth, job_id: str
) -> StreamingResponse:
    await service.get(session, ctx, job_id)
    database: Database = request.app.state.db
    return StreamingResponse(
        service.error_report(database, ctx, job_id),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="job-{job_id}-errors.csv"'},
    )


async def accepted(
    request: Request, claimed: Claimed, enqueue: Callable[[AsyncSession], Awaitable[Job]]
) -> Response:
    """202 with the job `enqueue` makes, in a transaction of its own: for `@own_transaction` routes that
    take a large body (an import's file, a migration's batch), read and checked before the transaction
    opens, so a slow upload never holds SQLite's writer. The key must still be active; an Idempotency-Key
    is claimed, and its answer stored, in the same transaction."""
    database: Database = request.app.state.db
    async with database.transaction() as session:
        if not await tenancy.active_keys(session, [claimed.ctx]):
            raise revoked()
        claim = claimed.idempotency
        record_id = (
            await idempotency.begin(session, claimed.ctx, claim.key, claim.fingerprint, claim.ttl)
            if claim is not None
            else None
        )
        job = await enqueue(session)
        body = Data(data=rendering.job_out(job)).model_dump_json()
        if record_id is not None:
            secret = request.app.state.settings.signing_secret
            await idempotency.finish(session, record_id, 202, idempotency.seal(body, secret))
    return Response(body, status_code=202, media_type="application/json")
