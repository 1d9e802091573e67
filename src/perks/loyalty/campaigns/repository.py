"""SQL for campaigns and their effect links, always scoped to the caller's account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, or_
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.base import table_of
from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.kit.pagination import Slice, count
from perks.loyalty.campaigns.models import Campaign, CampaignEffect, CampaignStatus
from perks.loyalty.campaigns.schemas import StatusFilter
from perks.sql import Runner, attribute_columns, loaded, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


@dataclass(frozen=True)
class Filters:
    type: str | None = None
    brand_id: str | None = None
    status: StatusFilter | None = None
    labels: tuple[str, ...] = ()
    funded_by: str | None = None
    running_only: bool = False  # customer_id: campaigns a customer can take part in now


async def get(
    session: AsyncSession, ctx: AuthContext, campaign_id: str, *, for_update: bool = False
) -> Campaign | None:
    """One campaign; `for_update` locks its row (PostgreSQL) so that concurrent writers of the campaign and
    its codes queue up. SQLite writers are serialised by BEGIN IMMEDIATE already."""
    statement = scoped.select(ctx, Campaign).where(Campaign.id == campaign_id)
    return await session.scalar(statement.with_for_update() if for_update else statement)


async def list_campaigns(
    session: AsyncSession, ctx: AuthContext, filters: Filters, window: Slice, now: datetime
) -> tuple[Sequence[Campaign], int]:
    statement = scoped.select(ctx, Campaign).where(*_conditions(filters, now))
    rows = await session.scalars(
        window.apply(statement.order_by(Campaign.created_at.desc(), Campaign.id.desc()))
    )
    return rows.all(), await count(session, statement)


async def page_campaigns(
    session: AsyncSession, ctx: AuthContext, search: str, filters: Filters, keyset: Keyset, now: datetime
) -> KeysetPage[Campaign]:
    """Newest first (on the account's created_at index), optionally those whose name contains `search`."""
    statement = scoped.select(ctx, Campaign).where(*_conditions(filters, now))
    if search:
        statement = statement.where(func.lower(Campaign.name).contains(search.lower(), autoescape=True))
    return await keyset_page(session, statement, (Campaign.created_at, Campaign.id), keyset, descending=True)


def _conditions(filters: Filters, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.type is not None:
        conditions.append(Campaign.type == filters.type)
    if filters.brand_id is not None:
        conditions.append(Campaign.brand_id == filters.brand_id)
    if filters.funded_by is not None:
        conditions.append(Campaign.funded_by == filters.funded_by)
    if filters.labels:
        conditions.append(
            or_(*(Campaign.label_index.contains(f",{label},", autoescape=True) for label in filters.labels))
        )
    if filters.status is not None:
        conditions.append(status_condition(filters.status, now))
    if filters.running_only:
        conditions.append(status_condition(StatusFilter.RUNNING, now))
    return conditions


def status_condition(status: StatusFilter, now: datetime) -> ColumnElement[bool]:
    """The derived status as SQL (see service.derived_status)."""
    finished = and_(Campaign.end_date.is_not(None), Campaign.end_date <= now)
    not_finished = or_(Campaign.end_date.is_(None), Campaign.end_date > now)
    active = Campaign.status == CampaignStatus.ACTIVE
    by_status: dict[StatusFilter, ColumnElement[bool]] = {
        StatusFilter.FINISHED: finished,
        StatusFilter.NOT_FINISHED: not_finished,
        StatusFilter.PAUSED: and_(not_finished, Campaign.status == CampaignStatus.INACTIVE),
        StatusFilter.SCHEDULED: and_(not_finished, active, Campaign.start_date > now),
        StatusFilter.RUNNING: and_(not_finished, active, Campaign.start_date <= now),
    }
    return by_status[status]


async def add(session: AsyncSession, campaign: Campaign) -> None:
    session.add(campaign)
    await session.flush()


async def link_effects(
    session: AsyncSession, ctx: AuthContext, campaign_id: str, links: set[tuple[str, str | None]]
) -> None:
    """Replace the campaign's (reward, tier) links; their foreign keys keep used rewards and tiers alive."""
    await session.execute(scoped.delete(ctx, CampaignEffect).where(CampaignEffect.campaign_id == campaign_id))
    session.add_all(
        CampaignEffect(account_id=ctx.account_id, campaign_id=campaign_id, reward_id=reward, tier_id=tier)
        for reward, tier in sorted(links, key=lambda link: (link[0], link[1] or ""))
    )
    await session.flush()


async def delete_campaign(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> None:
    """Delete the campaign; its effect links go with it (ON DELETE CASCADE)."""
    statement: Any = scoped.delete(ctx, Campaign).where(Campaign.id == campaign_id)
    await session.execute(statement.execution_options(synchronize_session=False))


_CAMPAIGNS = table_of(Campaign)
_CAMPAIGN_KEYS, _CAMPAIGN_COLUMNS = attribute_columns(Campaign)
_CAMPAIGN = statement(
    lambda: scoped.select(scoped.bound(), _CAMPAIGNS, *_CAMPAIGN_COLUMNS).where(
        _CAMPAIGNS.c.id == bindparam("id")
    )
)


async def read(runner: Runner, ctx: AuthContext, campaign_id: str) -> Campaign | None:
    """get, through a runner: the campaign loaded outside any session (read-only)."""
    row = await runner.first(_CAMPAIGN, {"account_id": ctx.account_id, "id": campaign_id})
    return None if row is None else loaded(Campaign, _CAMPAIGN_KEYS, row)
