"""The customer's tier as the engine sees it: a customer without one is in the account's Base tier."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.loyalty.conditions import evaluate
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


async def upgrade(
    session: AsyncSession,
    ctx: AuthContext,
    customer: Customer,
    facts: Mapping[str, Any],
    tiers: Sequence[Tier] | None = None,
) -> Tier | None:
    """Move the customer up to the highest ACTIVE tier above their own whose entry conditions hold on
    `facts` (tiers without entry conditions are never entered automatically). Returns the new tier, or
    None when the customer stays. Tiers only go up here; exits happen at reporting periods. `tiers` are
    the account's ACTIVE tiers by level when the caller has them already."""
    if tiers is None:
        tiers = await active_tiers(session, ctx)
    current = next((tier.level for tier in tiers if tier.id == customer.tier_id), 1)
    reached = [
        tier
        for tier in tiers
        if tier.level > current and tier.entry_conditions and evaluate(tier.entry_conditions, facts)
    ]
    if not reached:
        return None
    customer.tier_id = reached[-1].id
    return reached[-1]


async def active_tiers(session: AsyncSession, ctx: AuthContext) -> Sequence[Tier]:
    rows = await session.scalars(
        select(Tier).where(Tier.account_id == ctx.account_id, Tier.status == "ACTIVE").order_by(Tier.level)
    )
    return rows.all()
