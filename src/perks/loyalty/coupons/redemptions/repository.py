"""SQL of coupon redemptions, scoped to the caller's account. A code is claimed, and a redemption
reversed, by one conditional UPDATE each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.loyalty.coupons.models import CouponCode
from perks.loyalty.coupons.redemptions.models import CouponRedemption
from perks.loyalty.events.models import BehaviorEvent
from perks.tenancy.context import AuthContext

ACTIVE, REVERSED = "ACTIVE", "REVERSED"


async def find_code(session: AsyncSession, ctx: AuthContext, code: str) -> CouponCode | None:
    return await session.scalar(
        select(CouponCode).where(CouponCode.account_id == ctx.account_id, CouponCode.code == code)
    )


async def claim_code(
    session: AsyncSession, ctx: AuthContext, code: str, customer_id: str, now: datetime
) -> str | None:
    """Mark the code redeemed unless it already is (or does not exist): its campaign's id, or None. Of
    concurrent claims exactly one wins."""
    campaign_id: str | None = await session.scalar(
        update(CouponCode)
        .where(
            CouponCode.account_id == ctx.account_id,
            CouponCode.code == code,
            CouponCode.redeemed_at.is_(None),
        )
        .values(redeemed_at=now, redeemed_by=customer_id)
        .returning(CouponCode.campaign_id)
        .execution_options(synchronize_session=False)
    )
    return campaign_id


async def add(session: AsyncSession, redemption: CouponRedemption) -> None:
    session.add(redemption)
    await session.flush()


async def redemption_of(
    session: AsyncSession, ctx: AuthContext, code: str, customer_id: str
) -> CouponRedemption | None:
    return await session.scalar(
        select(CouponRedemption).where(
            CouponRedemption.account_id == ctx.account_id,
            CouponRedemption.code == code,
            CouponRedemption.customer_id == customer_id,
        )
    )


async def mark_reversed(session: AsyncSession, ctx: AuthContext, redemption_id: str, now: datetime) -> bool:
    """ACTIVE -> REVERSED; False when it was reversed already (also by a concurrent request)."""
    changed = await session.scalar(
        update(CouponRedemption)
        .where(
            CouponRedemption.account_id == ctx.account_id,
            CouponRedemption.id == redemption_id,
            CouponRedemption.status == ACTIVE,
        )
        .values(status=REVERSED, reversed_at=now)
        .returning(CouponRedemption.id)
        .execution_options(synchronize_session=False)
    )
    return changed is not None


async def record_event(session: AsyncSession, ctx: AuthContext, event: BehaviorEvent) -> None:
    """The REVERSED_COUPON event in the customer's event history (the events engine's table)."""
    event.account_id = ctx.account_id
    session.add(event)
    await session.flush()
