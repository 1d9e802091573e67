"""Stats of an affiliate or a campaign: clicks (bots apart, unique = one per visitor, link and hour),
sign-ups (referred users), conversions (referred users with a sale), revenue net of refunds per currency,
and commissions by status."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.commissions.service import NEXT_STATUSES
from perks.affiliate.sales.currency import money_in
from perks.affiliate.stats import repository
from perks.affiliate.stats.schemas import CommissionTotals, Stats
from perks.kit.money import money_string
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
