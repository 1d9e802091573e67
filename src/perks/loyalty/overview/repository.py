"""Grouped queries of the overview, each one range of a date index of the caller's account (migration 0970
added those the charts lacked), bucketed by UTC day in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.kit.periods import utc_day
from perks.ledger.models import LedgerTransaction, TransactionType
from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.coupons.redemptions.models import CouponRedemption
from perks.loyalty.customers.models import Customer
from perks.loyalty.events.models import BehaviorEvent
from perks.tenancy.context import AuthContext

MOVEMENTS = (TransactionType.ACCUMULATION, TransactionType.REDEMPTION, TransactionType.EXPIRATION)


async def _per_day(
    session: AsyncSession, ctx: AuthContext, model: Any, column: Any, since: datetime
) -> dict[str, int]:
    day = utc_day(session, column)
    statement = (
        select(day, func.count())
        .select_from(model)
        .where(model.account_id == ctx.account_id, column >= since)
        .group_by(day)
    )
    return {str(bucket): int(count) for bucket, count in (await session.execute(statement)).all()}


async def events_per_day(session: AsyncSession, ctx: AuthContext, since: datetime) -> dict[str, int]:
    """Behavior events received per UTC day (ix_loyalty_events_account_created)."""
    return await _per_day(session, ctx, BehaviorEvent, BehaviorEvent.created_at, since)


async def coupon_redemptions_per_day(
    session: AsyncSession, ctx: AuthContext, since: datetime
) -> dict[str, int]:
    """Coupon codes redeemed per UTC day, reversed ones included (ix_loyalty_coupon_redemptions_redeemed)."""
    return await _per_day(session, ctx, CouponRedemption, CouponRedemption.redeemed_at, since)


async def customers_per_day(session: AsyncSession, ctx: AuthContext, since: datetime) -> dict[str, int]:
    """Customers by their registration day (ix_customers_registered)."""
    return await _per_day(session, ctx, Customer, Customer.registration_date, since)


async def movements_per_day(
    session: AsyncSession, ctx: AuthContext, since: datetime
) -> Sequence[tuple[str, str, str, Decimal]]:
    """(UTC day, type, reward id, signed sum) of accumulations, redemptions and expirations
    (ix_ledger_transactions_account_created)."""
    day = utc_day(session, LedgerTransaction.created_at)
    statement = (
        select(day, LedgerTransaction.type, LedgerTransaction.reward_id, func.sum(LedgerTransaction.amount))
        .where(
            LedgerTransaction.account_id == ctx.account_id,
            LedgerTransaction.created_at >= since,
            LedgerTransaction.type.in_([kind.value for kind in MOVEMENTS]),
        )
        .group_by(day, LedgerTransaction.type, LedgerTransaction.reward_id)
    )
    rows = await session.execute(statement)
    return [
        (str(bucket), kind, reward_id, Decimal(total or 0)) for bucket, kind, reward_id, total in rows.all()
    ]


async def top_campaigns(
    session: AsyncSession, ctx: AuthContext, since: datetime, limit: int
) -> Sequence[tuple[str, str, int]]:
    """(campaign id, name, rewards granted) of the campaigns that granted most rewards (accumulations)
    since `since`, most first: the transactions grouped by campaign over the date index, then the few
    campaigns joined for their names."""
    granted = (
        select(LedgerTransaction.campaign_id.label("campaign_id"), func.count().label("granted"))
        .where(
            LedgerTransaction.account_id == ctx.account_id,
            LedgerTransaction.created_at >= since,
            LedgerTransaction.type == TransactionType.ACCUMULATION.value,
            LedgerTransaction.campaign_id.is_not(None),
        )
        .group_by(LedgerTransaction.campaign_id)
        .subquery()
    )
    statement = (
        select(granted.c.campaign_id, Campaign.name, granted.c.granted)
        .join(Campaign, (Campaign.account_id == ctx.account_id) & (Campaign.id == granted.c.campaign_id))
        .order_by(granted.c.granted.desc(), Campaign.name)
        .limit(limit)
    )
    rows = await session.execute(statement)
    return [(str(campaign_id), name, int(count)) for campaign_id, name, count in rows.all()]
