"""Rewards of the loyalty face: GET/POST /rewards, GET/PUT/DELETE /rewards/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from perks.loyalty.face import Data, ServerAuth, Session, router
from perks.loyalty.paging import FROM_BOUNDS, TO_BOUNDS, record_range
from perks.loyalty.rewards import service
from perks.loyalty.rewards.rendering import reward_out
from perks.loyalty.rewards.schemas import RewardOut, RewardType, RewardWrite

rewards_router = router(tags=["loyalty: rewards"])


@rewards_router.get("/rewards", response_model=Data[list[RewardOut]], summary="Get rewards")
async def list_rewards(
    session: Session,
    ctx: ServerAuth,
    start: Annotated[
        int | None,
        Query(
            alias="from",
            description="Starting record index, starting from 0 (default 0)",
            json_schema_extra=FROM_BOUNDS,
        ),
    ] = None,
    end: Annotated[
        int | None,
        Query(
            alias="to",
            description="Ending record index, starting from 0 (default from + 9)",
            json_schema_extra=TO_BOUNDS,
        ),
    ] = None,
    brand_id: str | None = None,
    type: RewardType | None = None,
) -> Data[list[RewardOut]]:
    rewards = await service.list_rewards(session, ctx, record_range(start, end), brand_id, type)
    return Data(data=[reward_out(reward) for reward in rewards])


@rewards_router.get(
    "/rewards/{reward_id}",
    response_model=Data[RewardOut],
    summary="Get a reward",
    responses={404: {"description": "Reward not found"}},
)
async def get_reward(session: Session, ctx: ServerAuth, reward_id: str) -> Data[RewardOut]:
    return Data(data=reward_out(await service.get_reward(session, ctx, reward_id)))


@rewards_router.post("/rewards", status_code=201, response_model=Data[RewardOut], summary="Create a reward")
async def create_reward(session: Session, ctx: ServerAuth, body: RewardWrite) -> Data[RewardOut]:
    return Data(data=reward_out(await service.create_reward(session, ctx, body)))


@rewards_router.put("/rewards/{reward_id}", response_model=Data[RewardOut], summary="Update a reward")
async def update_reward(
    session: Session, ctx: ServerAuth, reward_id: str, body: RewardWrite
) -> Data[RewardOut]:
    return Data(data=reward_out(await service.update_reward(session, ctx, reward_id, body)))


@rewards_router.delete("/rewards/{reward_id}", response_model=Data[RewardOut], summary="Delete a reward")
async def delete_reward(session: Session, ctx: ServerAuth, reward_id: str) -> Data[RewardOut]:
    reward = reward_out(await service.get_reward(session, ctx, reward_id))
    await service.delete_reward(session, ctx, reward_id)
    return Data(data=reward)
