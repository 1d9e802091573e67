"""A COUPONS campaign's codes: GET /campaigns/{id}/codes (pages) and GET /campaigns/{id}/codes.csv (all)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from perks.db.database import Database
from perks.errors import invalid
from perks.kit import clock
from perks.loyalty.campaigns import service as campaigns
from perks.loyalty.coupons import service
from perks.loyalty.coupons.service import CodeStatus
from perks.loyalty.face import ServerAuth, Session, router

codes_router = router(tags=["loyalty: coupon codes"])

StatusQuery = Annotated[str | None, Query(description="AVAILABLE or REDEEMED (any case); both when omitted")]


class CodeOut(BaseModel):
    code: str
    status: str
    redeemed_at: str | None
    customer_id: str | None


class CodePageOut(BaseModel):
    """`cursor` is what to send as `?cursor=` for the next page; null on the last page."""

    data: list[CodeOut]
    cursor: str | None


def _status(raw: str | None) -> CodeStatus | None:
    if not raw:
        return None
    try:
        return CodeStatus(raw.upper())
    except ValueError:
        raise invalid("status", "must be AVAILABLE or REDEEMED") from None


@codes_router.get(
    "/campaigns/{campaign_id}/codes",
    response_model=CodePageOut,
    summary="List a COUPONS campaign's codes",
    description="Available codes in code order, then redeemed codes in the order they were redeemed, a page "
    "at a time: pass the answer's `cursor` to get the next page (null on the last one).",
)
async def list_codes(
    session: Session,
    ctx: ServerAuth,
    campaign_id: str,
    status: StatusQuery = None,
    cursor: Annotated[str | None, Query(description="The `cursor` of the previous page")] = None,
    limit: Annotated[
        int,
        Query(
            description=f"Codes per page, at most {service.MAX_CODES_PAGE}",
            json_schema_extra={"minimum": 1, "maximum": service.MAX_CODES_PAGE},
        ),
    ] = service.DEFAULT_CODES_PAGE,
) -> dict[str, Any]:
    await campaigns.require_coupons(session, ctx, campaign_id)
    page = await service.page_of_codes(session, ctx, campaign_id, _status(status), cursor, limit)
    return {"data": [row.as_json() for row in page.codes], "cursor": page.cursor}


@codes_router.get(
    "/campaigns/{campaign_id}/codes.csv",
    response_class=StreamingResponse,
    summary="Export every code of a COUPONS campaign as CSV",
    description="Columns `code,status,redeemed_at,customer_id`, in the order of GET .../codes. Streamed: "
    "the file is written as it is read, a few thousand codes at a time.",
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_codes(
    request: Request, session: Session, ctx: ServerAuth, campaign_id: str, status: StatusQuery = None
) -> StreamingResponse:
    await campaigns.require_coupons(session, ctx, campaign_id)
    database: Database = request.app.state.db
    filename = f"codes-{campaign_id}-{clock.now().date().isoformat()}.csv"
    return StreamingResponse(
        service.codes_csv(database, ctx, campaign_id, _status(status)),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
