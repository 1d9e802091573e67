"""Campaigns on the affiliate face: list, get, create, update, delete (`?campaignId=`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from perks.affiliate.campaigns import service
from perks.affiliate.campaigns.rendering import campaign_out
from perks.affiliate.campaigns.schemas import CampaignCreate, CampaignOut, CampaignUpdate
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
from perks.affiliate.wire import id_query

campaigns_router = router(tags=["affiliate: campaigns"])
CampaignId = Annotated[str, Depends(id_query("campaignId"))]


@campaigns_router.get("/campaigns/list", response_model=Envelope[Page[CampaignOut]])
async def list_campaigns(
    session: Session,
    ctx: ServerAuth,
    page: PageQuery,
    workspace_id: Annotated[str | None, Query(alias="workspaceId")] = None,
) -> Envelope[Page[CampaignOut]]:
    result = await service.list_campaigns(session, ctx, page, workspace_id)
    return ok(page_of(result, [campaign_out(row) for row in result.items]), "Campaigns fetched successfully")


@campaigns_router.get("/campaigns", response_model=Envelope[CampaignOut])
async def get_campaign(session: Session, ctx: ServerAuth, campaign_id: CampaignId) -> Envelope[CampaignOut]:
    campaign = await service.get_campaign(session, ctx, campaign_id)
    return ok(campaign_out(campaign), "Campaign fetched successfully")


@campaigns_router.post("/campaigns", status_code=201, response_model=Envelope[CampaignOut])
async def create_campaign(session: Session, ctx: ServerAuth, body: CampaignCreate) -> Envelope[CampaignOut]:
    campaign = await service.create_campaign(session, ctx, body)
    return ok(campaign_out(campaign), "Campaign created successfully", 201)


@campaigns_router.put("/campaigns", response_model=Envelope[CampaignOut])
async def update_campaign(
    session: Session, ctx: ServerAuth, campaign_id: CampaignId, body: CampaignUpdate
) -> Envelope[CampaignOut]:
    campaign = await service.update_campaign(session, ctx, campaign_id, body)
    return ok(campaign_out(campaign), "Campaign updated successfully")


@campaigns_router.delete("/campaigns", response_model=Message)
async def delete_campaign(session: Session, ctx: ServerAuth, campaign_id: CampaignId) -> Message:
    await service.delete_campaign(session, ctx, campaign_id)
    return done("Campaign deleted successfully")
