"""The customer's tier as the engine sees it: a customer without one is in the account's Base tier."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.loyalty.customers.models import Customer
from perks.loyalty.tiers.models import Tier
from perks.tenancy.context import AuthContext

_base_tiers: dict[str, str] = {}  # account id -> Base tier id (it can be renamed, never deleted)


async def base_tier_id(session: AsyncSession, ctx: AuthContext) -> str | None:
    cached = _base_tiers.get(ctx.account_id)
    if cached is None:
        cached = await session.scalar(
            select(Tier.id).where(Tier.account_id == ctx.account_id, Tier.is_base.is_(True))
        )
        if cached is not None:
            _base_tiers[ctx.account_id] = cached
    return cached


async def tier_of(session: AsyncSession, ctx: AuthContext, customer: Customer) -> str | None:
    return customer.tier_id or await base_tier_id(session, ctx)
