"""Stats on the affiliate face: `GET /affiliates/stats?affiliateId=`, `GET /campaigns/stats?campaignId=`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from perks.affiliate.face import Envelope, ServerAuth, Session, ok, router
from perks.affiliate.stats import service
from perks.affiliate.stats.schemas import Stats
from perks.affiliate.wire import id_query

stats_router = router(tags=["affiliate: stats"])


@stats_router.get("/affiliates/stats", response_model=Envelope[Stats], response_model_exclude_none=True)
async def affiliate_stats(
    session: Session, ctx: ServerAuth, affiliate_id: Annotated[str, Depends(id_query("affiliateId"))]
) -> Envelope[Stats]:
    return ok(
        await service.affiliate_stats(session, ctx, affiliate_id), "Affiliate stats fetched successfully"
    )


@stats_router.get("/campaigns/stats", response_model=Envelope[Stats], response_model_exclude_none=True)
async def campaign_stats(
    session: Session, ctx: ServerAuth, campaign_id: Annotated[str, Depends(id_query("campaignId"))]
) -> Envelope[Stats]:
    return ok(await service.campaign_stats(session, ctx, campaign_id), "Campaign stats fetched successfully")
