"""SQL of coupon redemptions, scoped to the caller's account. A code is claimed, and a redemption
reversed, by one conditional UPDATE each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.base import table_of
from perks.loyalty.coupons.models import CouponCode
from perks.loyalty.coupons.redemptions.models import CouponRedemption, RedemptionStatus
from perks.loyalty.events.models import BehaviorEvent
from perks.sql import Runner, statement
from perks.tenancy.context import AuthContext


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
            CouponRedemption.status == RedemptionStatus.ACTIVE,
        )
        .values(status=RedemptionStatus.REVERSED, reversed_at=now)
        .returning(CouponRedemption.id)
        .execution_options(synchronize_session=False)
    )
    return changed is not None


async def record_event(session: AsyncSession, ctx: AuthContext, event: BehaviorEvent) -> None:
    """The REVERSED_COUPON event in the customer's event history (the events engine's table)."""
    event.account_id = ctx.account_id
    session.add(event)
    await session.flush()


# Core statements of the group-committed redemption (perks.sql).

_CODES = table_of(CouponCode)
_REDEMPTIONS = table_of(CouponRedemption)
_CLAIM = statement(
    lambda: (
        update(_CODES)
        .where(
            _CODES.c.account_id == bindparam("account_id"),
            _CODES.c.code == bindparam("code"),
            _CODES.c.redeemed_at.is_(None),
        )
        .values(
            redeemed_at=bindparam("now", type_=_CODES.c.redeemed_at.type),
            redeemed_by=bindparam("customer_id"),
        )
        .returning(_CODES.c.campaign_id)
    )
)
_CODE_CAMPAIGN = statement(
    lambda: select(_CODES.c.campaign_id).where(
        _CODES.c.account_id == bindparam("account_id"), _CODES.c.code == bindparam("code")
    )
)
_INSERT = statement(
    lambda: _REDEMPTIONS.insert().values(
        {column.key: bindparam(column.key, type_=column.type) for column in _REDEMPTIONS.columns}
    )
)


async def claim_code_with(
    runner: Runner, ctx: AuthContext, code: str, customer_id: str, now: datetime
) -> str | None:
    """claim_code through a runner."""
    values = {"account_id": ctx.account_id, "code": code, "now": now, "customer_id": customer_id}
    row = await runner.first(_CLAIM, values)
    return None if row is None else str(row[0])


async def code_campaign(runner: Runner, ctx: AuthContext, code: str) -> str | None:
    """The campaign of a code of the account, or None when there is no such code."""
    row = await runner.first(_CODE_CAMPAIGN, {"account_id": ctx.account_id, "code": code})
    return None if row is None else str(row[0])


async def insert_redemption(runner: Runner, values: dict[str, object]) -> None:
    await runner.execute(_INSERT, values)
