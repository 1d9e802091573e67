"""Tiers: levels 1..10 unique per account, an undeletable Base tier at level 1, entry and exit conditions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import Conflict, invalid, or_not_found
from perks.loyalty.conditions import validate_conditions
from perks.loyalty.tiers import repository
from perks.loyalty.tiers.models import Tier
from perks.loyalty.tiers.schemas import TierWrite
from perks.tenancy.context import AuthContext

MAX_LEVEL = 10


async def ensure_base_tier(session: AsyncSession, account_id: str) -> None:
    await repository.ensure_base(session, account_id)


async def list_tiers(session: AsyncSession, ctx: AuthContext) -> Sequence[Tier]:
    return await repository.list_tiers(session, ctx)


async def get_tier(session: AsyncSession, ctx: AuthContext, tier_id: str) -> Tier:
    return or_not_found(await repository.get(session, ctx, tier_id), "Tier not found")


async def find_tier(session: AsyncSession, ctx: AuthContext, tier_id: str) -> Tier | None:
    """The tier, or None (no 404): a customer's tier may have been deleted."""
    return await repository.get(session, ctx, tier_id)


async def active_tiers(session: AsyncSession, ctx: AuthContext) -> Sequence[Tier]:
    """The account's ACTIVE tiers by level (the tiers a customer can move to)."""
    return await repository.active(session, ctx)


async def base_tier(session: AsyncSession, ctx: AuthContext) -> Tier | None:
    return await repository.base(session, ctx)


async def base_tier_id(session: AsyncSession, ctx: AuthContext) -> str | None:
    return await repository.base_id(session, ctx)


# A reversal's tier reassessment, through a runner (perks.sql): the repository's own functions, so the hot
# path takes no extra call.
read_active_tiers = repository.read_active
write_customer_tier = repository.write_customer_tier


async def unknown_tiers(session: AsyncSession, ctx: AuthContext, ids: set[str]) -> set[str]:
    """The ids in `ids` that are not tiers of this account."""
    return ids - await repository.existing_ids(session, ctx, ids) if ids else set()


async def create_tier(session: AsyncSession, ctx: AuthContext, body: TierWrite) -> Tier:
    level = body.level if body.level is not None else await repository.next_level(session, ctx)
    if level > MAX_LEVEL:
        raise invalid("level", f"an account has at most {MAX_LEVEL} tier levels")
    tier = Tier(account_id=ctx.account_id, level=level, is_base=False)
    _apply(tier, body)
    await repository.save(session, tier)
    return tier


async def update_tier(session: AsyncSession, ctx: AuthContext, tier_id: str, body: TierWrite) -> Tier:
    tier = await get_tier(session, ctx, tier_id)
    level = body.level if body.level is not None else tier.level
    if tier.is_base and level != repository.BASE_LEVEL:
        raise invalid("level", "the Base tier stays at level 1")
    tier.level = level
    _apply(tier, body)
    await repository.save(session, tier)
    return tier


async def delete_tier(session: AsyncSession, ctx: AuthContext, tier_id: str) -> None:
    tier = await get_tier(session, ctx, tier_id)
    if tier.is_base:
        raise Conflict("The Base tier cannot be deleted", title="Tier cannot be deleted")
    await repository.delete_tier(session, ctx, tier_id)


def _apply(tier: Tier, body: TierWrite) -> None:
    tier.name = body.name
    tier.description = body.description
    tier.status = body.status
    tier.entry_conditions = validate_conditions(body.entry_conditions, "entry_conditions")
    tier.exit_conditions = validate_conditions(body.exit_conditions, "exit_conditions")
