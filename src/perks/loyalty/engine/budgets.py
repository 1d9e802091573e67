"""Campaign budgets: `budget` caps what a campaign gives (the sum of the amounts its effects grant, in
reward units) in each period of `divide_budget_in` (daily, weekly, monthly or total; none = total).
Periods are UTC: a day from midnight, a week from Monday, a month from the 1st.

`consume` is race-free: the period's row is created with INSERT .. ON CONFLICT DO NOTHING, then ONE
conditional `UPDATE .. SET spent = spent + :x WHERE spent + :x <= :budget RETURNING` takes the amount or
nothing. Never read-then-write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from perks.kit import clock
from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.engine import repository
from perks.sql import Runner
from perks.tenancy.context import AuthContext

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the single period of a "total" budget
PERIODS = ("daily", "weekly", "monthly", "total")


def period_start(divide_budget_in: str | None, moment: datetime) -> datetime:
    day = clock.as_utc(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    if divide_budget_in == "daily":
        return day
    if divide_budget_in == "weekly":
        return day - timedelta(days=day.weekday())
    if divide_budget_in == "monthly":
        return day.replace(day=1)
    return EPOCH


async def consume(
    session: AsyncSession, ctx: AuthContext, campaign: Campaign, amount: Decimal, now: datetime
) -> bool:
    """Take `amount` from the campaign's budget of the period of `now`: True when taken, False when the
    budget cannot cover it (nothing is taken). A campaign without budget always grants."""
    if campaign.budget is None:
        return True
    start = period_start(campaign.divide_budget_in, now)
    return await repository.take(session, ctx, campaign.id, start, campaign.budget, amount)


async def refund(
    session: AsyncSession, ctx: AuthContext, campaign: Campaign, amount: Decimal, consumed_at: datetime
) -> None:
    """Give `amount` back to the period it was consumed in (a reversal). Never below zero."""
    if campaign.budget is None:
        return
    start = period_start(campaign.divide_budget_in, consumed_at)
    await repository.give_back(session, ctx, campaign.id, start, amount)


async def spent(session: AsyncSession, ctx: AuthContext, campaign: Campaign, now: datetime) -> Decimal:
    """What the campaign has given in the period of `now`."""
    start = period_start(campaign.divide_budget_in, now)
    value = await repository.spent(session, ctx, campaign.id, start)
    return value if value is not None else Decimal(0)


async def refund_with(
    runner: Runner, ctx: AuthContext, campaign: Campaign, amount: Decimal, consumed_at: datetime
) -> None:
    """refund through a runner (perks.sql)."""
    if campaign.budget is None:
        return
    start = period_start(campaign.divide_budget_in, consumed_at)
    await repository.give_back_with(runner, ctx, campaign.id, start, amount)
