"""SQL for affiliates; every statement is scoped to the caller's account."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates.models import Affiliate, AffiliateStatus
from perks.affiliate.campaigns.models import AffiliateCampaign
from perks.db.writes import delete_owned
from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext
from perks.tenancy.models import Workspace
from perks.ui.sessions import repository as sessions
from perks.ui.sessions.models import WebSession

PORTAL = "portal"


@dataclass(frozen=True)
class Partner:
    """A signed-in affiliate with their workspace and campaign: all a portal page needs to start."""

    affiliate: Affiliate
    workspace: Workspace
    campaign: AffiliateCampaign


def affiliates(ctx: AuthContext) -> Select[Affiliate]:
    """The caller's affiliates: the statement the service's published list filters and pages."""
    return scoped.select(ctx, Affiliate)


def containing(statement: Select[Affiliate], text: str) -> Select[Affiliate]:
    """Case-insensitive substring search in email, first and last name (% and _ match literally)."""
    needle = text.lower()
    columns = (Affiliate.email, Affiliate.first_name, Affiliate.last_name)
    return statement.where(or_(*(func.lower(column).contains(needle, autoescape=True) for column in columns)))


@dataclass(frozen=True)
class AffiliateFilter:
    workspace_id: str
    search: str = ""
    status: str | None = None
    campaign_id: str | None = None


async def page(
    session: AsyncSession, ctx: AuthContext, where: AffiliateFilter, keyset: Keyset
) -> KeysetPage[Affiliate]:
    """A workspace's affiliates, newest first (on the account-workspace-created index)."""
    statement = scoped.select(ctx, Affiliate).where(Affiliate.workspace_id == where.workspace_id)
    if where.status:
        statement = statement.where(Affiliate.status == where.status)
    if where.campaign_id:
        statement = statement.where(Affiliate.campaign_id == where.campaign_id)
    if where.search:
        statement = containing(statement, where.search)
    return await keyset_page(
        session, statement, (Affiliate.created_at, Affiliate.id), keyset, descending=True
    )


async def by_ids(session: AsyncSession, ctx: AuthContext, ids: Collection[str]) -> dict[str, Affiliate]:
    """The affiliates of a page of other rows (commissions, payouts), in one query."""
    if not ids:
        return {}
    rows = await session.scalars(scoped.select(ctx, Affiliate).where(Affiliate.id.in_(set(ids))))
    return {affiliate.id: affiliate for affiliate in rows.all()}


async def count_with_status(session: AsyncSession, ctx: AuthContext, workspace_id: str, status: str) -> int:
    count = await session.scalar(
        scoped.select(ctx, Affiliate, func.count(Affiliate.id)).where(
            Affiliate.workspace_id == workspace_id, Affiliate.status == status
        )
    )
    return int(count or 0)


async def with_email(session: AsyncSession, email_key: str, limit: int) -> list[Affiliate]:
    """The active affiliates with this email in any account (the portal's sign-in by email knows no
    account); at most `limit`."""
    rows = await session.scalars(
        select(Affiliate)
        .where(Affiliate.email_key == email_key, Affiliate.status == AffiliateStatus.ACTIVE)
        .order_by(Affiliate.created_at, Affiliate.id)
        .limit(limit)
    )
    return list(rows.all())


async def signed_in(session: AsyncSession, token_hash: str, now: datetime) -> Partner | None:
    """The active affiliate of a live portal session, with their workspace and campaign: one query per
    page, so a disabled partner is refused at once."""
    row = (
        await session.execute(
            select(Affiliate, Workspace, AffiliateCampaign)
            .join(WebSession, WebSession.subject_id == Affiliate.id)
            .join(Workspace, Workspace.id == Affiliate.workspace_id)
            .join(AffiliateCampaign, AffiliateCampaign.id == Affiliate.campaign_id)
            .where(
                *sessions.live(PORTAL, token_hash, now),
                WebSession.account_id == Affiliate.account_id,
                Affiliate.status == AffiliateStatus.ACTIVE,
            )
        )
    ).first()
    return None if row is None else Partner(row[0], row[1], row[2])


async def get(session: AsyncSession, ctx: AuthContext, affiliate_id: str) -> Affiliate | None:
    return await session.scalar(scoped.select(ctx, Affiliate).where(Affiliate.id == affiliate_id))


async def add(session: AsyncSession, affiliate: Affiliate) -> None:
    session.add(affiliate)
    await session.flush()


async def delete_affiliate(session: AsyncSession, ctx: AuthContext, affiliate: Affiliate) -> None:
    """One DELETE: links, referred users and commissions go with it (ON DELETE CASCADE)."""
    await delete_owned(session, ctx, Affiliate, affiliate.id)
    session.expunge(affiliate)  # gone: the session must not write it back
