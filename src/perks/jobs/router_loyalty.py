"""Jobs on the loyalty face: GET /jobs, GET /jobs/{id}, GET /jobs/{id}/errors and .../errors.csv."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from perks.db import Database
from perks.jobs import service
from perks.jobs.schemas import JobErrorOut, JobOut
from perks.loyalty.face import Data, ServerAuth, Session, router

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
    return Data(data=service.job_out(await service.get(session, ctx, job_id)))


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
