"""Campaign budgets: `budget` caps what a campaign gives (the sum of the amounts its effects grant, in
reward units) in each period of `divide_budget_in` (daily, weekly, monthly or total; none = total).
Periods are UTC: a day from midnight, a week from Monday, a month from the 1st.

`consume` is race-free: the period's row is created with INSERT .. ON CONFLICT DO NOTHING, then ONE
conditional `UPDATE .. SET spent = spent + :x WHERE spent + :x <= :budget RETURNING` takes the amount or
nothing. Never read-then-write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.base import table_of
from perks.db.database import insert_for
from perks.kit import clock
from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.engine.models import CampaignBudget
from perks.sql import Runner, statement
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
    insert = insert_for(session)
    await session.execute(
        insert(CampaignBudget)
        .values(account_id=ctx.account_id, campaign_id=campaign.id, period_start=start, spent=Decimal(0))
        .on_conflict_do_nothing()
    )
    taken = await session.scalar(
        update(CampaignBudget)
        .where(
            *_period(ctx, campaign.id, start),
            # spent + x <= budget, written so that both sides bind as scaled amounts
            CampaignBudget.spent <= campaign.budget - amount,
        )
        .values(spent=CampaignBudget.spent + amount)
        .returning(CampaignBudget.campaign_id)
    )
    return taken is not None


async def refund(
    session: AsyncSession, ctx: AuthContext, campaign: Campaign, amount: Decimal, consumed_at: datetime
) -> None:
    """Give `amount` back to the period it was consumed in (a reversal). Never below zero."""
    if campaign.budget is None:
        return
    start = period_start(campaign.divide_budget_in, consumed_at)
    await session.execute(
        update(CampaignBudget)
        .where(*_period(ctx, campaign.id, start), CampaignBudget.spent >= amount)
        .values(spent=CampaignBudget.spent - amount)
    )


async def spent(session: AsyncSession, ctx: AuthContext, campaign: Campaign, now: datetime) -> Decimal:
    """What the campaign has given in the period of `now`."""
    start = period_start(campaign.divide_budget_in, now)
    value = await session.scalar(select(CampaignBudget.spent).where(*_period(ctx, campaign.id, start)))
    return value if value is not None else Decimal(0)


def _period(ctx: AuthContext, campaign_id: str, start: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        CampaignBudget.account_id == ctx.account_id,
        CampaignBudget.campaign_id == campaign_id,
        CampaignBudget.period_start == start,
    )


_BUDGETS = table_of(CampaignBudget)
_REFUND = statement(
    lambda: (
        update(_BUDGETS)
        .where(
            _BUDGETS.c.account_id == bindparam("account_id"),
            _BUDGETS.c.campaign_id == bindparam("campaign_id"),
            _BUDGETS.c.period_start == bindparam("start", type_=_BUDGETS.c.period_start.type),
            _BUDGETS.c.spent >= bindparam("amount", type_=_BUDGETS.c.spent.type),
        )
        .values(spent=_BUDGETS.c.spent - bindparam("amount", type_=_BUDGETS.c.spent.type))
    )
)


async def refund_with(
    runner: Runner, ctx: AuthContext, campaign: Campaign, amount: Decimal, consumed_at: datetime
) -> None:
    """refund through a runner (perks.sql)."""
    if campaign.budget is None:
        return
    start = period_start(campaign.divide_budget_in, consumed_at)
    values = {"account_id": ctx.account_id, "campaign_id": campaign.id, "start": start, "amount": amount}
    await runner.execute(_REFUND, values)
