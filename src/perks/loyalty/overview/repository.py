"""Grouped queries of the overview, each one range of a date index of the caller's account (migration 0970
added those the charts lacked), bucketed by UTC day in SQL; and the saved figures of closed days."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from perks.db import insert_for
from perks.kit.periods import utc_day
from perks.ledger.models import LedgerTransaction, TransactionType
from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.coupons.redemptions.models import CouponRedemption
from perks.loyalty.customers.models import Customer
from perks.loyalty.events.models import BehaviorEvent
from perks.loyalty.overview.models import OverviewDay
from perks.tenancy.context import AuthContext

MOVEMENTS = (TransactionType.ACCUMULATION, TransactionType.REDEMPTION, TransactionType.EXPIRATION)
Figures = dict[str, Any]


def _within(column: Any, since: datetime, until: datetime | None) -> list[Any]:
    return [column >= since] + ([column < until] if until is not None else [])


# The rows each counting chart counts per day, by a date column that follows account_id in an index.
COUNTED: dict[str, InstrumentedAttribute[datetime]] = {
    "events": BehaviorEvent.created_at,  # received (ix_loyalty_events_account_created)
    "coupons": CouponRedemption.redeemed_at,  # reversed too (ix_loyalty_coupon_redemptions_redeemed)
    "customers": Customer.created_at,  # the day they joined the program here (ix_customers_created)
}


async def per_day(
    session: AsyncSession, ctx: AuthContext, counted: str, since: datetime, until: datetime | None
) -> dict[str, int]:
    """How many rows of COUNTED[counted] each UTC day of [since, until) has."""
    column = COUNTED[counted]
    model = column.class_
    day = utc_day(session, column)
    statement = (
        select(day, func.count())
        .select_from(model)
        .where(model.account_id == ctx.account_id, *_within(column, since, until))
        .group_by(day)
    )
    return {str(bucket): int(count) for bucket, count in (await session.execute(statement)).all()}


async def movements_per_day(
    session: AsyncSession, ctx: AuthContext, since: datetime, until: datetime | None
) -> list[tuple[str, str, str, Decimal]]:
    """(UTC day, type, reward id, signed sum) of accumulations, redemptions and expirations
    (ix_ledger_transactions_account_created)."""
    day = utc_day(session, LedgerTransaction.created_at)
    statement = (
        select(day, LedgerTransaction.type, LedgerTransaction.reward_id, func.sum(LedgerTransaction.amount))
        .where(
            LedgerTransaction.account_id == ctx.account_id,
            *_within(LedgerTransaction.created_at, since, until),
            LedgerTransaction.type.in_([kind.value for kind in MOVEMENTS]),
        )
        .group_by(day, LedgerTransaction.type, LedgerTransaction.reward_id)
    )
    rows = await session.execute(statement)
    return [
        (str(bucket), kind, reward_id, Decimal(total or 0)) for bucket, kind, reward_id, total in rows.all()
    ]


async def grants_per_day(
    session: AsyncSession, ctx: AuthContext, since: datetime, until: datetime | None
) -> list[tuple[str, str, int]]:
    """(UTC day, campaign id, rewards granted): accumulations carrying a campaign."""
    day = utc_day(session, LedgerTransaction.created_at)
    statement = (
        select(day, LedgerTransaction.campaign_id, func.count())
        .where(
            LedgerTransaction.account_id == ctx.account_id,
            *_within(LedgerTransaction.created_at, since, until),
            LedgerTransaction.type == TransactionType.ACCUMULATION.value,
            LedgerTransaction.campaign_id.is_not(None),
        )
        .group_by(day, LedgerTransaction.campaign_id)
    )
    rows = await session.execute(statement)
    return [(str(bucket), str(campaign_id), int(count)) for bucket, campaign_id, count in rows.all()]


async def campaign_names(session: AsyncSession, ctx: AuthContext, ids: Collection[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Campaign.id, Campaign.name).where(Campaign.account_id == ctx.account_id, Campaign.id.in_(ids))
    )
    return {campaign_id: name for campaign_id, name in rows.all()}


async def saved_days(session: AsyncSession, ctx: AuthContext, first: str, last: str) -> dict[str, Figures]:
    rows = await session.execute(
        select(OverviewDay.day, OverviewDay.figures).where(
            OverviewDay.account_id == ctx.account_id, OverviewDay.day >= first, OverviewDay.day <= last
        )
    )
    return {day: figures for day, figures in rows.all()}


async def save_days(
    session: AsyncSession, ctx: AuthContext, days: Mapping[str, Figures], now: datetime
) -> None:
    """Keep closed days' figures; a day another request saved meanwhile is left as it is (the same)."""
    if not days:
        return
    rows = [
        {"account_id": ctx.account_id, "day": day, "figures": figures, "computed_at": now}
        for day, figures in days.items()
    ]
    await session.execute(insert_for(session)(OverviewDay).on_conflict_do_nothing(), rows)
