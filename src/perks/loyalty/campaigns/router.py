"""Campaigns of the loyalty face: GET/POST /campaigns, GET/PUT/DELETE /campaigns/{id}, and the published
catalogue of condition types, operators and primitives (GET /conditions/catalogue)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from perks.config import Settings
from perks.errors import invalid
from perks.jobs import rendering as jobs_rendering
from perks.kit import clock
from perks.loyalty import conditions
from perks.loyalty.campaigns import service
from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.campaigns.rendering import campaign_out
from perks.loyalty.campaigns.repository import Filters
from perks.loyalty.campaigns.schemas import (
    CampaignOut,
    CampaignPage,
    CampaignSummary,
    CampaignType,
    CampaignWrite,
    Include,
    StatusFilter,
)
from perks.loyalty.coupons import service as coupons
from perks.loyalty.face import Data, ServerAuth, Session, router
from perks.loyalty.paging import FROM_BOUNDS, TO_BOUNDS, record_range
from perks.tenancy.context import AuthContext

campaigns_router = router(tags=["loyalty: campaigns"])

# Optional in the signature only so that a missing type gets an answer saying where it goes.
TypeQuery = Annotated[
    CampaignType | None, Query(description="Required: the campaign type; the body must match its form")
]
IncludesQuery = Annotated[
    str | None, Query(description="CODES_SUMMARY adds attributes.codes_summary to COUPONS campaigns")
]
CustomerQuery = Annotated[str | None, Query(description="Filter for a specific customer")]


def _includes(raw: str | None) -> set[Include]:
    values = {part.strip() for part in (raw or "").split(",") if part.strip()}
    unknown = values - {item.value for item in Include}
    if unknown:
        raise invalid("includes", f"unknown value {sorted(unknown)[0]}; allowed: CODES_SUMMARY")
    return {Include(value) for value in values}


def _summary(campaign: Campaign) -> CampaignSummary:
    return CampaignSummary(
        id=campaign.id,
        name=campaign.name,
        status=service.derived_status(campaign, clock.now()),
        attributes=campaign.attributes,
    )


@campaigns_router.get("/campaigns", response_model=CampaignPage, summary="Get campaigns")
async def list_campaigns(
    session: Session,
    ctx: ServerAuth,
    start: Annotated[
        int | None,
        Query(alias="from", description="Starting record index, from 0", json_schema_extra=FROM_BOUNDS),
    ] = None,
    end: Annotated[
        int | None, Query(alias="to", description="Ending record index, from 0", json_schema_extra=TO_BOUNDS)
    ] = None,
    type: Annotated[CampaignType | None, Query(description="Filter by campaign type")] = None,
    brand_id: str | None = None,
    customer_id: Annotated[str | None, Query(description="Campaigns a customer can take part in now")] = None,
    status: StatusFilter | None = None,
    labels: Annotated[str | None, Query(description="Filter by campaign labels (, separated values)")] = None,
    funded_by: Annotated[str | None, Query(description="Filter by funder")] = None,
    includes: IncludesQuery = None,
) -> CampaignPage:
    window = record_range(start, end)
    filters = Filters(
        type=type.value if type else None,
        brand_id=brand_id,
        status=status,
        labels=tuple(label.strip() for label in (labels or "").split(",") if label.strip()),
        funded_by=funded_by,
        running_only=customer_id is not None,
    )
    found, total = await service.list_campaigns(session, ctx, filters, window)
    summaries = await service.codes_summaries(session, ctx, found, _includes(includes), customer_id)
    now = clock.now()
    items = [campaign_out(campaign, now, summaries.get(campaign.id)) for campaign in found]
    return CampaignPage(data=items, from_=window.offset, to=window.last, count=total)


@campaigns_router.get(
    "/campaigns/{campaign_id}",
    response_model=Data[CampaignOut],
    summary="Get a campaign",
    responses={404: {"description": "Campaign not found"}},
)
async def get_campaign(
    session: Session,
    ctx: ServerAuth,
    campaign_id: str,
    customer_id: Annotated[
        str | None, Query(description="Filter coupon availability for a specific customer (COUPONS only)")
    ] = None,
    includes: IncludesQuery = None,
) -> Data[CampaignOut]:
    campaign = await service.get_campaign(session, ctx, campaign_id)
    summaries = await service.codes_summaries(session, ctx, [campaign], _includes(includes), customer_id)
    return Data(data=campaign_out(campaign, clock.now(), summaries.get(campaign.id)))


JOB_NOTE = (
    " A COUPONS campaign whose codes are more than PERKS_CODES_JOB_THRESHOLD (100,000) gets them from a "
    "job: the answer then also has `job` (see GET /jobs/{id}), and the codes become redeemable as the job "
    "commits them, a chunk at a time."
)


async def _with_job(
    session: AsyncSession, ctx: AuthContext, campaign: Campaign, answer: BaseModel, status_code: int
) -> BaseModel | JSONResponse:
    """The answer, with the job generating the campaign's codes when there is one."""
    job = await coupons.pending_job(session, ctx, campaign.id)
    if job is None:
        return answer
    body = answer.model_dump(mode="json", by_alias=True) | {
        "job": jobs_rendering.job_out(job).model_dump(mode="json")
    }
    return JSONResponse(body, status_code=status_code)


def _required(chosen: CampaignType | None, body: CampaignWrite, route: str) -> CampaignType:
    """The `type` query parameter, or a 400 that says where it goes (a common first mistake is to put it
    in the body, as older docs did)."""
    if chosen is not None:
        return chosen
    sent = (body.model_extra or {}).get("type")
    example = sent if isinstance(sent, str) and sent in CampaignType.__members__ else "BEHAVIOR"
    raise invalid(
        "type",
        f"is required in the query string, not in the body: {route}?type={example} "
        f"(one of {', '.join(CampaignType)})",
    )


def _threshold(request: Request) -> int:
    settings: Settings = request.app.state.settings
    return settings.codes_job_threshold


@campaigns_router.post(
    "/campaigns",
    status_code=201,
    response_model=Data[CampaignOut],
    summary="Create a campaign",
    description=JOB_NOTE.strip(),
)
async def create_campaign(
    request: Request, session: Session, ctx: ServerAuth, body: CampaignWrite, type: TypeQuery = None
) -> Any:
    campaign = await service.create_campaign(
        session, ctx, _required(type, body, "POST /campaigns"), body, codes_job_threshold=_threshold(request)
    )
    return await _with_job(session, ctx, campaign, Data(data=campaign_out(campaign, clock.now())), 201)


@campaigns_router.put(
    "/campaigns/{campaign_id}",
    response_model=Data[CampaignSummary],
    summary="Update a campaign",
    description=JOB_NOTE.strip(),
)
async def update_campaign(
    request: Request,
    session: Session,
    ctx: ServerAuth,
    campaign_id: str,
    body: CampaignWrite,
    type: TypeQuery = None,
) -> Any:
    chosen = _required(type, body, f"PUT /campaigns/{campaign_id}")
    campaign = await service.update_campaign(
        session, ctx, campaign_id, chosen, body, codes_job_threshold=_threshold(request)
    )
    return await _with_job(session, ctx, campaign, Data(data=_summary(campaign)), 200)


@campaigns_router.delete(
    "/campaigns/{campaign_id}", response_model=Data[CampaignSummary], summary="Delete a campaign"
)
async def delete_campaign(session: Session, ctx: ServerAuth, campaign_id: str) -> Data[CampaignSummary]:
    campaign = await service.get_campaign(session, ctx, campaign_id)
    summary = _summary(campaign)
    await service.delete_campaign(session, ctx, campaign_id)
    return Data(data=summary)


@campaigns_router.get(
    "/conditions/catalogue",
    response_model=Data[dict[str, Any]],
    summary="Condition types, operators, primitives",
)
async def condition_catalogue(ctx: ServerAuth) -> Data[dict[str, Any]]:
    return Data(data=conditions.catalogue())
