"""Commissions on the affiliate face: list, get, create, update, and delete at the documented
`/comissions` spelling as well as `/commissions`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from perks.affiliate.commissions import service
from perks.affiliate.commissions.rendering import commission_out
from perks.affiliate.commissions.schemas import CommissionCreate, CommissionOut, CommissionUpdate
from perks.affiliate.face import Envelope, Message, Page, ServerAuth, Session, done, ok, page_of, router
from perks.affiliate.listing import LIST_FILTERS_OPENAPI, ListFilters, list_filters
from perks.affiliate.wire import id_query

commissions_router = router(tags=["affiliate: commissions"])
CommissionId = Annotated[str, Depends(id_query("commissionId"))]
Filters = Annotated[ListFilters, Depends(list_filters)]


@commissions_router.get(
    "/commissions/list", response_model=Envelope[Page[CommissionOut]], openapi_extra=LIST_FILTERS_OPENAPI
)
async def list_commissions(
    session: Session, ctx: ServerAuth, filters: Filters
) -> Envelope[Page[CommissionOut]]:
    """Query parameters: page, limit, orderType, orderValue, workspaceId, campaignId, affiliateId, status."""
    result = await service.list_commissions(session, ctx, filters)
    return ok(
        page_of(result, [commission_out(row) for row in result.items]), "Commissions fetched successfully"
    )


@commissions_router.get("/commissions", response_model=Envelope[CommissionOut])
async def get_commission(
    session: Session, ctx: ServerAuth, commission_id: CommissionId
) -> Envelope[CommissionOut]:
    commission = await service.get_commission(session, ctx, commission_id)
    return ok(commission_out(commission), "Commission fetched successfully")


@commissions_router.post("/commissions", status_code=201, response_model=Envelope[CommissionOut])
async def create_commission(
    session: Session, ctx: ServerAuth, body: CommissionCreate
) -> Envelope[CommissionOut]:
    commission = await service.create_commission(session, ctx, body)
    return ok(commission_out(commission), "Commission created successfully", 201)


@commissions_router.put("/commissions", response_model=Envelope[CommissionOut])
async def update_commission(
    session: Session, ctx: ServerAuth, commission_id: CommissionId, body: CommissionUpdate
) -> Envelope[CommissionOut]:
    commission = await service.update_commission(session, ctx, commission_id, body)
    return ok(commission_out(commission), "Commission updated successfully")


@commissions_router.delete("/comissions", response_model=Message)
@commissions_router.delete("/commissions", response_model=Message)
async def delete_commission(session: Session, ctx: ServerAuth, commission_id: CommissionId) -> Message:
    await service.delete_commission(session, ctx, commission_id)
    return done("Commission deleted successfully")
