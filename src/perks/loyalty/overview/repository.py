"""Grouped queries of the overview, each one range of a date index of the caller's account (migration 0970
added those the charts lacked), bucketed by UTC hour in SQL; and the saved figures of closed hours."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from perks.db.database import insert_for
from perks.kit.periods import utc_hour
from perks.ledger.models import LedgerTransaction, TransactionType
from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.coupons.redemptions.models import CouponRedemption
from perks.loyalty.customers.models import Customer
from perks.loyalty.events.models import BehaviorEvent
from perks.loyalty.overview.models import OverviewHour
from perks.tenancy import scoped
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


async def per_hour(
    session: AsyncSession, ctx: AuthContext, counted: str, since: datetime, until: datetime | None
) -> dict[str, int]:
    """How many rows of COUNTED[counted] each UTC hour of [since, until) has."""
    column = COUNTED[counted]
    model = column.class_
    hour = utc_hour(session, column)
    statement = (
        scoped.select(ctx, model, hour, func.count())
        .select_from(model)
        .where(*_within(column, since, until))
        .group_by(hour)
    )
    return {str(bucket): int(count) for bucket, count in (await session.execute(statement)).all()}


async def movements_per_hour(
    session: AsyncSession, ctx: AuthContext, since: datetime, until: datetime | None
) -> list[tuple[str, str, str, str | None, Decimal, int]]:
    """(UTC hour, type, reward id, campaign id, signed sum, how many) of accumulations, redemptions and
    expirations: the points chart and the campaigns' grants from one walk of
    ix_ledger_transactions_account_created."""
    hour = utc_hour(session, LedgerTransaction.created_at)
    keys = (hour, LedgerTransaction.type, LedgerTransaction.reward_id, LedgerTransaction.campaign_id)
    statement = (
        scoped.select(ctx, LedgerTransaction, *keys, func.sum(LedgerTransaction.amount), func.count())
        .where(
            *_within(LedgerTransaction.created_at, since, until),
            LedgerTransaction.type.in_([kind.value for kind in MOVEMENTS]),
        )
        .group_by(*keys)
    )
    rows = await session.execute(statement)
    return [
        (str(bucket), kind, reward_id, campaign_id, Decimal(total or 0), int(count))
        for bucket, kind, reward_id, campaign_id, total, count in rows.all()
    ]


async def campaign_names(session: AsyncSession, ctx: AuthContext, ids: Collection[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = await session.execute(
        scoped.select(ctx, Campaign, Campaign.id, Campaign.name).where(Campaign.id.in_(ids))
    )
    return {campaign_id: name for campaign_id, name in rows.all()}


async def saved_hours(session: AsyncSession, ctx: AuthContext, first: str, last: str) -> dict[str, Figures]:
    rows = await session.execute(
        scoped.select(ctx, OverviewHour, OverviewHour.hour, OverviewHour.figures).where(
            OverviewHour.hour >= first, OverviewHour.hour <= last
        )
    )
    return {hour: figures for hour, figures in rows.all()}


async def latest_hour(session: AsyncSession, ctx: AuthContext) -> str | None:
    latest: str | None = await session.scalar(scoped.select(ctx, OverviewHour, func.max(OverviewHour.hour)))
    return latest


async def prune_hours(session: AsyncSession, ctx: AuthContext, before: str) -> None:
    """Forget hours older than the overview shows."""
    await session.execute(scoped.delete(ctx, OverviewHour).where(OverviewHour.hour < before))


async def save_hours(
    session: AsyncSession, ctx: AuthContext, hours: Mapping[str, Figures], now: datetime
) -> None:
    """Keep closed hours' figures; an hour another request saved meanwhile is left as it is (the same)."""
    if not hours:
        return
    rows = [
        {"account_id": ctx.account_id, "hour": hour, "figures": figures, "computed_at": now}
        for hour, figures in hours.items()
    ]
    await session.execute(insert_for(session)(OverviewHour).on_conflict_do_nothing(), rows)
