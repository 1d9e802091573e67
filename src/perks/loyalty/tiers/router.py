"""Tiers of the loyalty face: GET/POST /tiers, GET/PUT/DELETE /tiers/{id}."""

from __future__ import annotations

from perks.loyalty.face import Data, ServerAuth, Session, router
from perks.loyalty.tiers import service
from perks.loyalty.tiers.rendering import tier_out
from perks.loyalty.tiers.schemas import TierOut, TierWrite

tiers_router = router(tags=["loyalty: tiers"])


@tiers_router.get("/tiers", response_model=Data[list[TierOut]], summary="Get tiers")
async def list_tiers(session: Session, ctx: ServerAuth) -> Data[list[TierOut]]:
    return Data(data=[tier_out(tier) for tier in await service.list_tiers(session, ctx)])


@tiers_router.get("/tiers/{tier_id}", response_model=Data[TierOut], summary="Get a tier")
async def get_tier(session: Session, ctx: ServerAuth, tier_id: str) -> Data[TierOut]:
    return Data(data=tier_out(await service.get_tier(session, ctx, tier_id)))


@tiers_router.post("/tiers", status_code=201, response_model=Data[TierOut], summary="Create a tier")
async def create_tier(session: Session, ctx: ServerAuth, body: TierWrite) -> Data[TierOut]:
    return Data(data=tier_out(await service.create_tier(session, ctx, body)))


@tiers_router.put("/tiers/{tier_id}", response_model=Data[TierOut], summary="Update a tier")
async def update_tier(session: Session, ctx: ServerAuth, tier_id: str, body: TierWrite) -> Data[TierOut]:
    return Data(data=tier_out(await service.update_tier(session, ctx, tier_id, body)))


@tiers_router.delete("/tiers/{tier_id}", response_model=Data[TierOut], summary="Delete a tier")
async def delete_tier(session: Session, ctx: ServerAuth, tier_id: str) -> Data[TierOut]:
    tier = tier_out(await service.get_tier(session, ctx, tier_id))
    await service.delete_tier(session, ctx, tier_id)
    return Data(data=tier)
