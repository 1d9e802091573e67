"""SQL of punch cards, scoped to the caller's account. A card is opened with INSERT .. ON CONFLICT DO NOTHING
on its unique number and punched with one conditional UPDATE, so concurrent events never lose or overshoot
a punch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, func, or_
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.base import table_of
from perks.db.database import insert_for
from perks.loyalty.campaigns.models import Campaign, CampaignStatus
from perks.loyalty.campaigns.schemas import CampaignType
from perks.loyalty.punch_cards.models import PunchCard
from perks.sql import Runner, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


async def running_campaigns(session: AsyncSession, ctx: AuthContext, now: datetime) -> Sequence[Campaign]:
    """ACTIVE PUNCH_CARDS campaigns between their dates."""
    rows = await session.scalars(
        scoped.select(ctx, Campaign).where(
            Campaign.type == CampaignType.PUNCH_CARDS,
            Campaign.status == CampaignStatus.ACTIVE,
            Campaign.start_date <= now,
            or_(Campaign.end_date.is_(None), Campaign.end_date > now),
        )
    )
    return rows.all()


async def campaign_names(session: AsyncSession, ctx: AuthContext, ids: Sequence[str]) -> dict[str, str]:
    rows = await session.execute(
        scoped.select(ctx, Campaign, Campaign.id, Campaign.name).where(Campaign.id.in_(ids))
    )
    return {campaign_id: name for campaign_id, name in rows.all()}


async def open_card(
    session: AsyncSession, ctx: AuthContext, campaign_id: str, customer_id: str
) -> PunchCard | None:
    return await session.scalar(
        _cards(ctx, customer_id)
        .where(PunchCard.campaign_id == campaign_id, PunchCard.completed_at.is_(None))
        .order_by(PunchCard.number.desc())
        .limit(1)
    )


async def last_number(session: AsyncSession, ctx: AuthContext, campaign_id: str, customer_id: str) -> int:
    number = await session.scalar(
        scoped.select(ctx, PunchCard, func.max(PunchCard.number)).where(
            PunchCard.customer_id == customer_id, PunchCard.campaign_id == campaign_id
        )
    )
    return int(number or 0)


async def open_new_card(session: AsyncSession, ctx: AuthContext, values: dict[str, Any]) -> None:
    """Open card `number`; a concurrent request that opened it first wins (unique number per card)."""
    await session.execute(
        insert_for(session)(PunchCard).values(account_id=ctx.account_id, **values).on_conflict_do_nothing()
    )


async def punch(
    session: AsyncSession, ctx: AuthContext, card_id: str, now: datetime
) -> tuple[int, datetime | None] | None:
    """One punch more on an open card, completing it when it reaches `required`: (punches, completed_at),
    or None when the card was completed meanwhile. One conditional UPDATE."""
    row = await session.execute(
        scoped.update(ctx, PunchCard)
        .where(
            PunchCard.id == card_id,
            PunchCard.completed_at.is_(None),
            PunchCard.punches < PunchCard.required,
        )
        .values(
            punches=PunchCard.punches + 1,
            updated_at=now,
            completed_at=case((PunchCard.punches + 1 >= PunchCard.required, now), else_=None),
        )
        .returning(PunchCard.punches, PunchCard.completed_at)
        .execution_options(synchronize_session=False)
    )
    result = row.first()
    return None if result is None else (int(result[0]), result[1])


async def cards_of(
    session: AsyncSession, ctx: AuthContext, customer_id: str, campaign_id: str | None
) -> Sequence[PunchCard]:
    statement = _cards(ctx, customer_id)
    if campaign_id is not None:
        statement = statement.where(PunchCard.campaign_id == campaign_id)
    rows = await session.scalars(statement.order_by(PunchCard.campaign_id, PunchCard.number))
    return rows.all()


def _cards(ctx: AuthContext, customer_id: str) -> Select[PunchCard]:
    return scoped.select(ctx, PunchCard).where(PunchCard.customer_id == customer_id)


_CAMPAIGNS = table_of(Campaign)


def _running_triggers() -> Select[Any]:
    now = bindparam("now", type_=_CAMPAIGNS.c.start_date.type)
    return scoped.select(scoped.bound(), _CAMPAIGNS, _CAMPAIGNS.c.attributes, _CAMPAIGNS.c.brand_id).where(
        _CAMPAIGNS.c.type == CampaignType.PUNCH_CARDS,
        _CAMPAIGNS.c.status == CampaignStatus.ACTIVE,
        _CAMPAIGNS.c.start_date <= now,
        or_(_CAMPAIGNS.c.end_date.is_(None), _CAMPAIGNS.c.end_date > now),
    )


_RUNNING_TRIGGERS = statement(_running_triggers)


async def running_triggers(
    runner: Runner, ctx: AuthContext, now: datetime
) -> list[tuple[dict[str, Any], str | None]]:
    """(attributes, brand_id) of the running campaigns (running_campaigns, through a runner)."""
    rows = await runner.rows(_RUNNING_TRIGGERS, {"account_id": ctx.account_id, "now": now})
    return [(row[0], row[1]) for row in rows]
