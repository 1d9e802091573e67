"""Rewards: POINTS, DISCOUNT, GIFT_CARD, PRODUCT, with conditions and type-specific attributes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import Conflict, or_not_found
from perks.kit.keyset import Keyset, KeysetPage
from perks.kit.pagination import Slice
from perks.loyalty.brands import service as brands
from perks.loyalty.conditions import validate_conditions
from perks.loyalty.rewards import repository
from perks.loyalty.rewards.attributes import check_attributes
from perks.loyalty.rewards.models import Reward
from perks.loyalty.rewards.rendering import reward_out
from perks.loyalty.rewards.schemas import RewardWrite
from perks.sql import Runner
from perks.tenancy.context import AuthContext

NOT_FOUND = "Reward not found"
CHOICES_LIMIT = 500


async def list_rewards(
    session: AsyncSession, ctx: AuthContext, window: Slice, brand_id: str | None, reward_type: str | None
) -> Sequence[Reward]:
    return await repository.list_rewards(session, ctx, window, brand_id, reward_type)


async def page_rewards(
    session: AsyncSession, ctx: AuthContext, search: str, reward_type: str | None, keyset: Keyset
) -> KeysetPage[Reward]:
    return await repository.page_rewards(session, ctx, search.strip(), reward_type, keyset)


async def reward_choices(session: AsyncSession, ctx: AuthContext) -> list[tuple[str, str, str]]:
    """(id, name, type) of the account's rewards by name (the first CHOICES_LIMIT), for a form's select."""
    return await repository.choices(session, ctx, CHOICES_LIMIT)


async def get_reward(session: AsyncSession, ctx: AuthContext, reward_id: str) -> Reward:
    return or_not_found(await repository.get(session, ctx, reward_id), NOT_FOUND)


async def reward_objects(session: AsyncSession, ctx: AuthContext, ids: set[str]) -> dict[str, dict[str, Any]]:
    """The rewards named by `ids` as the API shows them, keyed by id (one query)."""
    return _shown(await repository.by_ids(session, ctx, ids))


async def read_reward_objects(runner: Runner, ctx: AuthContext, ids: set[str]) -> dict[str, dict[str, Any]]:
    """reward_objects through a runner (perks.sql): the rewards' versions first, whole rows (and their JSON
    columns) only for a reward whose shown form is not cached at its current version."""
    shown: dict[str, dict[str, Any]] = {}
    stale: list[str] = []
    for reward_id, updated_at in await repository.read_versions(runner, ctx, sorted(ids)):
        found = _SHOWN.get((reward_id, updated_at))
        if found is None:
            stale.append(reward_id)
        else:
            shown[reward_id] = found
    if stale:
        shown.update(_shown(await repository.read_by_ids(runner, ctx, stale)))
    return shown


def _shown(rewards: Sequence[Reward]) -> dict[str, dict[str, Any]]:
    return {reward.id: _reward_object(reward) for reward in rewards}


# Rewards as shown, by id and version: every wallet shown (each customer read, event and redemption)
# shows its rewards, which change rarely. Rewards are changed through the ORM only, which moves
# `updated_at`. Callers treat the objects as read-only.
_SHOWN: dict[tuple[str, datetime], dict[str, Any]] = {}
_SHOWN_LIMIT = 10_000


def _reward_object(reward: Reward) -> dict[str, Any]:
    key = (reward.id, reward.updated_at)
    found = _SHOWN.get(key)
    if found is None:
        if len(_SHOWN) >= _SHOWN_LIMIT:
            _SHOWN.clear()
        found = _SHOWN[key] = reward_out(reward).model_dump(mode="json")
    return found


async def reward_types(session: AsyncSession, ctx: AuthContext, ids: set[str]) -> dict[str, str]:
    """{reward id: type} for the ids that are rewards of this account."""
    return await repository.types_of(session, ctx, ids) if ids else {}


async def create_reward(session: AsyncSession, ctx: AuthContext, body: RewardWrite) -> Reward:
    reward = Reward(account_id=ctx.account_id)
    await _apply(session, ctx, reward, body)
    await repository.add(session, reward)
    return reward


async def update_reward(session: AsyncSession, ctx: AuthContext, reward_id: str, body: RewardWrite) -> Reward:
    reward = await get_reward(session, ctx, reward_id)
    if body.type != reward.type and await repository.in_use(session, ctx, reward_id):
        # Campaign effects carry the reward's type; they would silently change meaning.
        raise Conflict("A campaign uses this reward; its type cannot change", title="Reward in use")
    await _apply(session, ctx, reward, body)
    await session.flush()
    return reward


async def delete_reward(session: AsyncSession, ctx: AuthContext, reward_id: str) -> None:
    await get_reward(session, ctx, reward_id)
    await repository.delete_reward(session, ctx, reward_id)


async def _apply(session: AsyncSession, ctx: AuthContext, reward: Reward, body: RewardWrite) -> None:
    await brands.require_brand(session, ctx, body.brand_id)
    reward.brand_id = body.brand_id
    reward.platforms = body.platforms
    reward.name = body.name
    reward.description = body.description
    reward.type = body.type
    reward.conditions = validate_conditions(body.conditions, "conditions")
    reward.attributes = check_attributes(body.type, dict(body.attributes))
