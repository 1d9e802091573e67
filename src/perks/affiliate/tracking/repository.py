"""SQL for clicks and the link lookups of tracking. Every statement is scoped to an account, except
`target_by_code`: the public redirect knows only the code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from perks.affiliate.affiliates.models import Affiliate
from perks.affiliate.campaigns.models import AffiliateCampaign
from perks.affiliate.links.models import AffiliateLink
from perks.affiliate.tracking.models import Click
from perks.db.database import Database
from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.sql import connection_runner, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext
from perks.tenancy.models import Workspace


@dataclass(frozen=True, slots=True)
class Target:
    """Where a referral code sends a visitor, and what a click on it records."""

    account_id: str
    workspace_id: str
    campaign_id: str
    affiliate_id: str
    link_id: str
    referral_code: str
    url_parameter: str
    campaign_url: str
    cookie_days: int


def _targets() -> Select[str, str, str, str, str, str, str, str, int]:
    return (
        select(
            AffiliateLink.account_id,
            Affiliate.workspace_id,
            AffiliateCampaign.id,
            Affiliate.id,
            AffiliateLink.id,
            AffiliateLink.referral_code,
            AffiliateLink.url_parameter,
            AffiliateCampaign.url,
            AffiliateCampaign.cookie_duration_days,
        )
        .join(Affiliate, Affiliate.id == AffiliateLink.affiliate_id)
        .join(AffiliateCampaign, AffiliateCampaign.id == Affiliate.campaign_id)
    )


async def target_by_code(session: AsyncSession, code: str) -> Target | None:
    """The oldest link with this code in any account (codes are unique per account only)."""
    row = (
        await session.execute(
            _targets()
            .where(AffiliateLink.code_key == code.lower())
            .order_by(AffiliateLink.created_at, AffiliateLink.id)
            .limit(1)
        )
    ).first()
    return Target(*row) if row else None


async def target_in_workspace(session: AsyncSession, workspace_id: str, code: str) -> Target | None:
    """The link with this code in the account of a workspace (the public form /r/{workspaceId}/{code})."""
    row = (
        await session.execute(
            _targets()
            .join(Workspace, Workspace.account_id == AffiliateLink.account_id)
            .where(Workspace.id == workspace_id, AffiliateLink.code_key == code.lower())
        )
    ).first()
    return Target(*row) if row else None


async def target_in_account(session: AsyncSession, ctx: AuthContext, code: str) -> Target | None:
    row = (
        await session.execute(
            _targets().where(scoped.owned(AffiliateLink, ctx), AffiliateLink.code_key == code.lower())
        )
    ).first()
    return Target(*row) if row else None


async def target_of_link(session: AsyncSession, ctx: AuthContext, link_id: str) -> Target | None:
    row = (
        await session.execute(_targets().where(scoped.owned(AffiliateLink, ctx), AffiliateLink.id == link_id))
    ).first()
    return Target(*row) if row else None


CLICKS = cast(Table, Click.__table__)


_INSERT_CLICK = statement(
    lambda: CLICKS.insert().values(
        {column.key: bindparam(column.key, type_=column.type) for column in CLICKS.columns}
    )
)


async def insert_clicks(database: Database, rows: list[dict[str, Any]]) -> None:
    """One transaction with one executemany on the driver (perks.sql): the redirect's write."""
    async with database.write_slot(read_only=False), database.engine.begin() as connection:
        await (await connection_runner(connection)).many(_INSERT_CLICK, rows)


async def add_click(session: AsyncSession, row: dict[str, Any]) -> None:
    """A click inside the request's own transaction (the track/click API)."""
    await session.execute(insert(CLICKS), [row])


async def page_of_affiliate(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, keyset: Keyset
) -> KeysetPage[Click]:
    """An affiliate's clicks, bots included (flagged), newest first on the account-affiliate index."""
    statement = scoped.select(ctx, Click).where(Click.affiliate_id == affiliate_id)
    return await keyset_page(session, statement, (Click.created_at, Click.id), keyset, descending=True)


async def counts_per_link(session: AsyncSession, ctx: AuthContext, affiliate_id: str) -> dict[str, int]:
    """Clicks (bots apart) on each of an affiliate's links, in one grouped query."""
    rows = await session.execute(
        scoped.select(ctx, Click, Click.link_id, func.count(Click.id))
        .where(Click.affiliate_id == affiliate_id, Click.is_bot.is_(False))
        .group_by(Click.link_id)
    )
    return {link_id: int(count) for link_id, count in rows.all()}


async def get_click(session: AsyncSession, ctx: AuthContext, click_id: str) -> Click | None:
    return await session.scalar(scoped.select(ctx, Click).where(Click.id == click_id))
