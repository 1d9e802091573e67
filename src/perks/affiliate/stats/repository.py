"""Counting queries for the stats of an affiliate or a campaign; scoped to the caller's account."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from perks.affiliate.commissions.models import Commission, CommissionStatus
from perks.affiliate.referred_users.models import ReferredUser
from perks.affiliate.sales.models import Sale
from perks.affiliate.tracking.models import Click
from perks.kit.periods import utc_day
from perks.tenancy.context import AuthContext


def _of(model: Any, ctx: AuthContext, column: str, value: str) -> list[Any]:
    owner: InstrumentedAttribute[str] = getattr(model, column)
    return [model.account_id == ctx.account_id, owner == value]


async def clicks(session: AsyncSession, ctx: AuthContext, column: str, value: str) -> tuple[int, int, int]:
    """(clicks, unique clicks, bot clicks): bots are not clicks; a visitor counts once per link-hour."""
    row = (
        await session.execute(
            select(
                func.count(Click.id).filter(Click.is_bot.is_(False)),
                func.count(distinct(Click.visitor_key)).filter(Click.is_bot.is_(False)),
                func.count(Click.id).filter(Click.is_bot.is_(True)),
            ).where(*_of(Click, ctx, column, value))
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


async def sign_ups(session: AsyncSession, ctx: AuthContext, column: str, value: str) -> int:
    count = await session.scalar(
        select(func.count(ReferredUser.id)).where(*_of(ReferredUser, ctx, column, value))
    )
    return int(count or 0)


async def sales(
    session: AsyncSession, ctx: AuthContext, column: str, value: str
) -> tuple[int, dict[str, Decimal]]:
    """(customers with a sale, revenue net of refunds per currency)."""
    conditions = _of(Sale, ctx, column, value)
    conversions = await session.scalar(select(func.count(distinct(Sale.referred_user_id))).where(*conditions))
    rows = await session.execute(
        select(Sale.currency, func.sum(Sale.amount), func.sum(Sale.refunded_amount))
        .where(*conditions)
        .group_by(Sale.currency)
    )
    revenue = {
        currency: Decimal(gross or 0) - Decimal(refunded or 0) for currency, gross, refunded in rows.all()
    }
    return int(conversions or 0), revenue


async def commissions(
    session: AsyncSession, ctx: AuthContext, column: str, value: str
) -> dict[str, tuple[int, Decimal]]:
    rows = await session.execute(
        select(Commission.status, func.count(Commission.id), func.sum(Commission.amount))
        .where(*_of(Commission, ctx, column, value))
        .group_by(Commission.status)
    )
    return {status: (int(count), Decimal(total or 0)) for status, count, total in rows.all()}


async def per_day(
    session: AsyncSession, ctx: AuthContext, model: Any, affiliate_id: str, since: datetime, until: datetime
) -> dict[str, int]:
    """Rows of `model` (clicks without bots, referred users, sales) an affiliate had per UTC day."""
    day = utc_day(session, model.created_at)
    conditions = [
        *_of(model, ctx, "affiliate_id", affiliate_id),
        model.created_at >= since,
        model.created_at < until,
    ]
    if model is Click:
        conditions.append(Click.is_bot.is_(False))
    rows = await session.execute(select(day, func.count(model.id)).where(*conditions).group_by(day))
    return {str(bucket): int(count) for bucket, count in rows.all()}


async def earnings_per_day(
    session: AsyncSession,
    ctx: AuthContext,
    affiliate_id: str,
    currencies: tuple[str | None, ...],
    since: datetime,
    until: datetime,
) -> dict[str, Decimal]:
    """What an affiliate earned per UTC day in one currency: its commissions, refunded ones apart
    (clawbacks count negative)."""
    day = utc_day(session, Commission.created_at)
    currency: ColumnElement[bool] = Commission.currency.in_([code for code in currencies if code])
    if None in currencies:
        currency = or_(currency, Commission.currency.is_(None))
    rows = await session.execute(
        select(day, func.sum(Commission.amount))
        .where(
            *_of(Commission, ctx, "affiliate_id", affiliate_id),
            Commission.created_at >= since,
            Commission.created_at < until,
            Commission.status != CommissionStatus.REFUNDED,
            currency,
        )
        .group_by(day)
    )
    return {str(bucket): Decimal(total or 0) for bucket, total in rows.all()}
