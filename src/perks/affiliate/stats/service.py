"""Stats of an affiliate or a campaign: clicks (bots apart, unique = one per visitor, link and hour),
sign-ups (referred users), conversions (referred users with a sale), revenue net of refunds per currency,
and commissions by status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.commissions.service import NEXT_STATUSES
from perks.affiliate.referred_users.models import ReferredUser
from perks.affiliate.sales.currency import DEFAULT_CURRENCY, money_in
from perks.affiliate.sales.models import Sale
from perks.affiliate.stats import repository
from perks.affiliate.stats.schemas import CommissionTotals, Stats
from perks.affiliate.tracking.models import Click
from perks.kit.money import money_string
from perks.kit.periods import days_ending
from perks.tenancy.context import AuthContext


async def affiliate_stats(session: AsyncSession, ctx: AuthContext, affiliate_id: str) -> Stats:
    affiliate = await affiliates.get_affiliate(session, ctx, affiliate_id)
    return await _stats(session, ctx, "affiliate_id", affiliate.id)


async def campaign_stats(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> Stats:
    campaign = await campaigns.get_campaign(session, ctx, campaign_id)
    return await _stats(session, ctx, "campaign_id", campaign.id)


async def _stats(session: AsyncSession, ctx: AuthContext, column: str, value: str) -> Stats:
    clicks, unique, bots = await repository.clicks(session, ctx, column, value)
    conversions, revenue = await repository.sales(session, ctx, column, value)
    by_status = await repository.commissions(session, ctx, column, value)
    totals = {
        status: CommissionTotals(
            count=by_status.get(status, (0, Decimal(0)))[0],
            amount=money_string(by_status.get(status, (0, Decimal(0)))[1]),
        )
        for status in NEXT_STATUSES
    }
    return Stats(
        affiliate_id=value if column == "affiliate_id" else None,
        campaign_id=value if column == "campaign_id" else None,
        clicks=clicks,
        unique_clicks=unique,
        bot_clicks=bots,
        sign_ups=await repository.sign_ups(session, ctx, column, value),
        conversions=conversions,
        revenue={currency: money_in(amount, currency) for currency, amount in sorted(revenue.items())},
        commissions=totals,
    )


@dataclass(frozen=True)
class Daily:
    """An affiliate's numbers per UTC day over a range, days without activity as 0."""

    days: list[str]
    clicks: list[int]
    sign_ups: list[int]
    sales: list[int]
    earnings: list[Decimal]
    currency: str


async def affiliate_daily(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, first: date, last: date, currency: str
) -> Daily:
    """Clicks (bots apart), sign-ups, sales and earnings in `currency`, from `first` to `last` inclusive:
    one grouped query per series, on the affiliate's created_at indexes."""
    since = datetime.combine(first, time.min, tzinfo=UTC)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
    days = [day.isoformat() for day in days_ending(last, (last - first).days + 1)]
    clicks = await repository.per_day(session, ctx, Click, affiliate_id, since, until)
    sign_ups = await repository.per_day(session, ctx, ReferredUser, affiliate_id, since, until)
    sales = await repository.per_day(session, ctx, Sale, affiliate_id, since, until)
    # Hand-written commissions carry no currency: they count as the default one.
    currencies = (currency, None) if currency == DEFAULT_CURRENCY else (currency,)
    earned = await repository.earnings_per_day(session, ctx, affiliate_id, currencies, since, until)
    return Daily(
        days=days,
        clicks=[clicks.get(day, 0) for day in days],
        sign_ups=[sign_ups.get(day, 0) for day in days],
        sales=[sales.get(day, 0) for day in days],
        earnings=[earned.get(day, Decimal(0)) for day in days],
        currency=currency,
    )
