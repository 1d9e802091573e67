"""SQL for affiliate campaigns; every statement is scoped to the caller's account."""

from __future__ import annotations

from sqlalchemy import Select, exists, func
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.campaigns.models import AffiliateCampaign
from perks.db.writes import delete_owned
from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext

Campaign = AffiliateCampaign
MENU_MAX = 500  # a workspace's campaigns as choices in a form


def campaigns(ctx: AuthContext) -> Select[Campaign]:
    """The caller's campaigns: the statement the service's published list filters and pages."""
    return scoped.select(ctx, Campaign)


def in_workspace(ctx: AuthContext, workspace_id: str) -> Select[Campaign]:
    return scoped.select(ctx, Campaign).where(Campaign.workspace_id == workspace_id)


async def page_in_workspace(
    session: AsyncSession, ctx: AuthContext, workspace_id: str, search: str, keyset: Keyset
) -> KeysetPage[Campaign]:
    """Newest first (on the account-workspace-created index), optionally those whose name contains
    `search`."""
    statement = in_workspace(ctx, workspace_id)
    if search:
        statement = statement.where(
            func.lower(Campaign.campaign_name).contains(search.lower(), autoescape=True)
        )
    return await keyset_page(session, statement, (Campaign.created_at, Campaign.id), keyset, descending=True)


async def all_in_workspace(session: AsyncSession, ctx: AuthContext, workspace_id: str) -> list[Campaign]:
    rows = await session.scalars(
        in_workspace(ctx, workspace_id).order_by(Campaign.campaign_name, Campaign.id).limit(MENU_MAX)
    )
    return list(rows.all())


async def add(session: AsyncSession, campaign: Campaign) -> None:
    session.add(campaign)
    await session.flush()


async def get(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> Campaign | None:
    return await session.scalar(scoped.select(ctx, Campaign).where(Campaign.id == campaign_id))


async def default_for(session: AsyncSession, ctx: AuthContext, workspace_id: str) -> Campaign | None:
    return await session.scalar(
        scoped.select(ctx, Campaign).where(
            Campaign.workspace_id == workspace_id, Campaign.is_default.is_(True)
        )
    )


async def clear_other_defaults(session: AsyncSession, ctx: AuthContext, campaign: Campaign) -> None:
    await session.execute(
        scoped.update(ctx, Campaign)
        .where(
            Campaign.workspace_id == campaign.workspace_id,
            Campaign.is_default.is_(True),
            Campaign.id != campaign.id,
        )
        .values(is_default=False)
        .execution_options(synchronize_session=False)
    )


async def set_default(
    session: AsyncSession, ctx: AuthContext, campaign: Campaign, *, only_if_none: bool
) -> None:
    """Mark `campaign` the default; with only_if_none, only when its workspace has no default yet. The
    partial unique index rejects a second default written by a concurrent request."""
    statement = scoped.update(ctx, Campaign).where(Campaign.id == campaign.id)
    if only_if_none:
        other = AffiliateCampaign.__table__.alias("other")
        statement = statement.where(
            ~exists().where(
                scoped.owned(other, ctx),
                other.c.workspace_id == campaign.workspace_id,
                other.c.is_default.is_(True),
            )
        )
    await session.execute(statement.values(is_default=True).execution_options(synchronize_session=False))


async def unset_default(session: AsyncSession, ctx: AuthContext, campaign: Campaign) -> None:
    await session.execute(
        scoped.update(ctx, Campaign)
        .where(Campaign.id == campaign.id)
        .values(is_default=False)
        .execution_options(synchronize_session=False)
    )


async def delete_campaign(session: AsyncSession, ctx: AuthContext, campaign: Campaign) -> None:
    await delete_owned(session, ctx, AffiliateCampaign, campaign.id)
    session.expunge(campaign)  # gone: the session must not write it back
