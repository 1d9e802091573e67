"""POST /imports: a file of customers, balances or events, imported by a job (GET /jobs/{id})."""

from __future__ import annotations

import asyncio
import tempfile
from enum import StrEnum
from typing import IO, Annotated

from fastapi import Query, Request, Response

from perks.imports import service
from perks.imports.records import Format
from perks.jobs.router_loyalty import accepted
from perks.jobs.schemas import JobOut
from perks.loyalty.face import Data, ServerClaim, router
from perks.web.body_limit import body_limit
from perks.web.unit_of_work import own_transaction

imports_router = router(tags=["loyalty: imports"])


class ImportType(StrEnum):
    CUSTOMERS = "customers"
    BALANCES = "balances"
    EVENTS = "events"


@imports_router.post(
    "/imports",
    status_code=202,
    response_model=Data[JobOut],
    summary="Import a file of customers, balances or events",
    description="The request body is the file itself: CSV with a header line, or JSON lines (one object "
    "per line), e.g. `curl --data-binary @customers.csv`. The file's format and columns are checked at "
    "once (400 naming `file`); the rows are imported by a job, at most 1,000 per transaction: the answer "
    "is the job (202), whose progress GET /jobs/{id} shows and whose refused rows GET /jobs/{id}/errors "
    "lists. Rows imported before (by id, or purchase_id) are skipped, so sending a file again is safe. "
    "Up to PERKS_IMPORT_MAX_BYTES (200 MiB by default).",
    responses={413: {"description": "The file is larger than PERKS_IMPORT_MAX_BYTES"}},
)
@own_transaction
@body_limit(
    lambda settings: settings.import_max_bytes,
    "file: larger than {limit} bytes (PERKS_IMPORT_MAX_BYTES); split it, or raise the setting",
)
async def import_file(
    request: Request,
    claimed: ServerClaim,
    type: Annotated[ImportType, Query(description="What the file holds")],
    format: Annotated[
        Format | None, Query(description="csv or jsonl; guessed from the file when omitted")
    ] = None,
) -> Response:
    with await _received(request) as upload:
        prepared = await asyncio.to_thread(service.prepare_file, type.value, upload, format)
    with prepared.records:
        return await accepted(
            request,
            claimed,
            lambda session: service.enqueue(session, claimed.ctx, type.value, prepared, source="api"),
        )


async def _received(request: Request) -> IO[bytes]:
    """The request body, spooled to disk past a few megabytes (its size is bounded by @body_limit)."""
    upload = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - the caller closes it
    try:
        async for chunk in request.stream():
            upload.write(chunk)
    except BaseException:
        upload.close()
        raise
    upload.seek(0)
    return upload
