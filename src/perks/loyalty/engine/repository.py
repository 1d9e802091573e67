"""SQL of the engine's own table, scoped to the caller's account: the campaign budgets' periods (budgets.py
says what they mean). A budget is taken with INSERT .. ON CONFLICT DO NOTHING then one conditional UPDATE,
and given back with one conditional UPDATE: never read-then-write."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, bindparam
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.base import table_of
from perks.db.database import insert_for
from perks.loyalty.engine.models import CampaignBudget
from perks.sql import Runner, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


async def take(
    session: AsyncSession,
    ctx: AuthContext,
    campaign_id: str,
    start: datetime,
    budget: Decimal,
    amount: Decimal,
) -> bool:
    """Take `amount` from the period starting at `start` (its row created if missing) unless that would
    spend more than `budget`: True when taken."""
    await session.execute(
        insert_for(session)(CampaignBudget)
        .values(account_id=ctx.account_id, campaign_id=campaign_id, period_start=start, spent=Decimal(0))
        .on_conflict_do_nothing()
    )
    taken = await session.scalar(
        scoped.update(ctx, CampaignBudget)
        .where(
            *_period(campaign_id, start),
            # spent + x <= budget, written so that both sides bind as scaled amounts
            CampaignBudget.spent <= budget - amount,
        )
        .values(spent=CampaignBudget.spent + amount)
        .returning(CampaignBudget.campaign_id)
    )
    return taken is not None


async def give_back(
    session: AsyncSession, ctx: AuthContext, campaign_id: str, start: datetime, amount: Decimal
) -> None:
    """Give `amount` back to the period starting at `start`, never below zero."""
    await session.execute(
        scoped.update(ctx, CampaignBudget)
        .where(*_period(campaign_id, start), CampaignBudget.spent >= amount)
        .values(spent=CampaignBudget.spent - amount)
    )


async def spent(session: AsyncSession, ctx: AuthContext, campaign_id: str, start: datetime) -> Decimal | None:
    """What the period starting at `start` has given (None: nothing yet, no row)."""
    value: Decimal | None = await session.scalar(
        scoped.select(ctx, CampaignBudget, CampaignBudget.spent).where(*_period(campaign_id, start))
    )
    return value


def _period(campaign_id: str, start: datetime) -> tuple[ColumnElement[bool], ...]:
    return (CampaignBudget.campaign_id == campaign_id, CampaignBudget.period_start == start)


_BUDGETS = table_of(CampaignBudget)
_GIVE_BACK = statement(
    lambda: (
        scoped.update(scoped.bound(), _BUDGETS)
        .where(
            _BUDGETS.c.campaign_id == bindparam("campaign_id"),
            _BUDGETS.c.period_start == bindparam("start", type_=_BUDGETS.c.period_start.type),
            _BUDGETS.c.spent >= bindparam("amount", type_=_BUDGETS.c.spent.type),
        )
        .values(spent=_BUDGETS.c.spent - bindparam("amount", type_=_BUDGETS.c.spent.type))
    )
)


async def give_back_with(
    runner: Runner, ctx: AuthContext, campaign_id: str, start: datetime, amount: Decimal
) -> None:
    """give_back through a runner (perks.sql)."""
    values = {"account_id": ctx.account_id, "campaign_id": campaign_id, "start": start, "amount": amount}
    await runner.execute(_GIVE_BACK, values)
