"""Affiliates on the affiliate face: list (search with `contains`), get, create, update, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from perks.affiliate.affiliates import service
from perks.affiliate.affiliates.models import AffiliateStatusValue
from perks.affiliate.affiliates.rendering import affiliate_out
from perks.affiliate.affiliates.schemas import AffiliateCreate, AffiliateOut, AffiliateUpdate
from perks.affiliate.face import (
    Envelope,
    Message,
    Page,
    PageQuery,
    ServerAuth,
    Session,
    done,
    ok,
    page_of,
    router,
)
from perks.affiliate.wire import id_query, required_id
from perks.kit import json_input

affiliates_router = router(tags=["affiliate: affiliates"])
AffiliateId = Annotated[str, Depends(id_query("affiliateId"))]


async def affiliate_id_for_delete(
    request: Request, value: Annotated[str | None, Query(alias="affiliateId")] = None
) -> str:
    """The docs' DELETE sample sends no query string, so the id may also come in a JSON body."""
    if not value:
        try:
            body = json_input.loads(await request.body() or b"{}")
        except ValueError:
            body = {}
        found = body.get("affiliateId") if isinstance(body, dict) else None
        value = found if isinstance(found, str) else None
    return required_id("affiliateId", value)


@affiliates_router.get("/affiliates/list", response_model=Envelope[Page[AffiliateOut]])
async def list_affiliates(
    session: Session,
    ctx: ServerAuth,
    page: PageQuery,
    workspace_id: Annotated[str | None, Query(alias="workspaceId")] = None,
    campaign_id: Annotated[str | None, Query(alias="campaignId")] = None,
    status: AffiliateStatusValue | None = None,
    contains: Annotated[
        str | None, Query(max_length=200, description="Search email, first, last name")
    ] = None,
) -> Envelope[Page[AffiliateOut]]:
    result = await service.list_affiliates(
        session,
        ctx,
        page,
        workspace_id=workspace_id,
        campaign_id=campaign_id,
        status=status,
        contains=contains,
    )
    items = [affiliate_out(row) for row in result.items]
    return ok(page_of(result, items), "Affiliates fetched successfully")


@affiliates_router.get("/affiliates", response_model=Envelope[AffiliateOut])
async def get_affiliate(
    session: Session, ctx: ServerAuth, affiliate_id: AffiliateId
) -> Envelope[AffiliateOut]:
    affiliate = await service.get_affiliate(session, ctx, affiliate_id)
    return ok(affiliate_out(affiliate), "Affiliate fetched successfully")


@affiliates_router.post("/affiliates", status_code=201, response_model=Envelope[AffiliateOut])
async def create_affiliate(
    session: Session, ctx: ServerAuth, body: AffiliateCreate
) -> Envelope[AffiliateOut]:
    affiliate = await service.create_affiliate(session, ctx, body)
    return ok(affiliate_out(affiliate), "Affiliate created successfully", 201)


@affiliates_router.put("/affiliates", response_model=Envelope[AffiliateOut])
async def update_affiliate(
    session: Session, ctx: ServerAuth, affiliate_id: AffiliateId, body: AffiliateUpdate
) -> Envelope[AffiliateOut]:
    affiliate = await service.update_affiliate(session, ctx, affiliate_id, body)
    return ok(affiliate_out(affiliate), "Affiliate updated successfully")


@affiliates_router.delete("/affiliates", response_model=Message)
async def delete_affiliate(
    session: Session, ctx: ServerAuth, affiliate_id: Annotated[str, Depends(affiliate_id_for_delete)]
) -> Message:
    await service.delete_affiliate(session, ctx, affiliate_id)
    return done("Affiliate deleted successfully")
