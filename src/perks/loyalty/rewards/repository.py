"""SQL for rewards, always scoped to the caller's account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.base import table_of
from perks.db.writes import delete_owned
from perks.errors import Conflict
from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.kit.pagination import Slice
from perks.loyalty.campaigns.models import CampaignEffect
from perks.loyalty.rewards.models import Reward
from perks.sql import Runner, attribute_columns, in_list, listed, loaded, sized
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


async def list_rewards(
    session: AsyncSession, ctx: AuthContext, window: Slice, brand_id: str | None, reward_type: str | None
) -> Sequence[Reward]:
    statement = scoped.select(ctx, Reward)
    if brand_id is not None:
        statement = statement.where(Reward.brand_id == brand_id)
    if reward_type is not None:
        statement = statement.where(Reward.type == reward_type)
    return (await session.scalars(window.apply(statement.order_by(Reward.created_at, Reward.id)))).all()


async def page_rewards(
    session: AsyncSession, ctx: AuthContext, search: str, reward_type: str | None, keyset: Keyset
) -> KeysetPage[Reward]:
    """Newest first (on the account's created_at index), optionally of one type or matching a name."""
    statement = scoped.select(ctx, Reward)
    if reward_type is not None:
        statement = statement.where(Reward.type == reward_type)
    if search:
        statement = statement.where(func.lower(Reward.name).contains(search.lower(), autoescape=True))
    return await keyset_page(session, statement, (Reward.created_at, Reward.id), keyset, descending=True)


async def choices(session: AsyncSession, ctx: AuthContext, limit: int) -> list[tuple[str, str, str]]:
    """(id, name, type) of the account's rewards by name, for a form's select."""
    rows = await session.execute(
        scoped.select(ctx, Reward, Reward.id, Reward.name, Reward.type)
        .order_by(Reward.name, Reward.id)
        .limit(limit)
    )
    return [(reward_id, name, reward_type) for reward_id, name, reward_type in rows.all()]


async def get(session: AsyncSession, ctx: AuthContext, reward_id: str) -> Reward | None:
    return await session.scalar(scoped.select(ctx, Reward).where(Reward.id == reward_id))


async def by_ids(session: AsyncSession, ctx: AuthContext, ids: set[str]) -> Sequence[Reward]:
    if not ids:
        return []
    return (await session.scalars(scoped.select(ctx, Reward).where(Reward.id.in_(ids)))).all()


async def types_of(session: AsyncSession, ctx: AuthContext, ids: set[str]) -> dict[str, str]:
    rows = await session.execute(scoped.select(ctx, Reward, Reward.id, Reward.type).where(Reward.id.in_(ids)))
    return {reward_id: reward_type for reward_id, reward_type in rows.all()}


async def add(session: AsyncSession, reward: Reward) -> None:
    session.add(reward)
    await session.flush()


async def delete_reward(session: AsyncSession, ctx: AuthContext, reward_id: str) -> None:
    # The foreign key from campaign effects refuses the delete while a campaign uses the reward.
    used = Conflict("A campaign uses this reward; it cannot be deleted", title="Reward in use")
    await delete_owned(session, ctx, Reward, reward_id, used)


async def in_use(session: AsyncSession, ctx: AuthContext, reward_id: str) -> bool:
    """Whether a campaign effect names the reward (the link rows campaigns keep for their effects)."""
    used = exists().where(scoped.owned(CampaignEffect, ctx), CampaignEffect.reward_id == reward_id)
    return bool(await session.scalar(select(used)))


_REWARDS = table_of(Reward)
_REWARD_KEYS, _REWARD_COLUMNS = attribute_columns(Reward)
_BY_IDS = sized(
    lambda count: scoped.select(scoped.bound(), _REWARDS, *_REWARD_COLUMNS).where(
        in_list(_REWARDS.c.id, count, "id")
    )
)


_VERSIONS_BY_IDS = sized(
    lambda count: scoped.select(scoped.bound(), _REWARDS, _REWARDS.c.id, _REWARDS.c.updated_at).where(
        in_list(_REWARDS.c.id, count, "id")
    )
)


async def read_versions(runner: Runner, ctx: AuthContext, ids: Sequence[str]) -> list[tuple[str, datetime]]:
    """(id, updated_at) of the account's rewards among `ids`: what says whether a shown reward is current."""
    if not ids:
        return []
    rows = await runner.rows(_VERSIONS_BY_IDS(len(ids)), {"account_id": ctx.account_id, **listed("id", ids)})
    return [(row[0], row[1]) for row in rows]


async def read_by_ids(runner: Runner, ctx: AuthContext, ids: Sequence[str]) -> list[Reward]:
    """by_ids through a runner."""
    if not ids:
        return []
    rows = await runner.rows(_BY_IDS(len(ids)), {"account_id": ctx.account_id, **listed("id", ids)})
    return [loaded(Reward, _REWARD_KEYS, row) for row in rows]
