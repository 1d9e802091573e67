"""SQL for affiliate links; every statement is scoped to the caller's account."""

from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.links.models import AffiliateLink
from perks.db.writes import delete_owned
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


def links_of(ctx: AuthContext, affiliate_id: str) -> Select[AffiliateLink]:
    return scoped.select(ctx, AffiliateLink).where(AffiliateLink.affiliate_id == affiliate_id)


async def all_of(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, limit: int
) -> list[AffiliateLink]:
    rows = await session.scalars(
        links_of(ctx, affiliate_id).order_by(AffiliateLink.created_at, AffiliateLink.id).limit(limit)
    )
    return list(rows.all())


async def get(session: AsyncSession, ctx: AuthContext, link_id: str) -> AffiliateLink | None:
    return await session.scalar(scoped.select(ctx, AffiliateLink).where(AffiliateLink.id == link_id))


async def has_code(session: AsyncSession, ctx: AuthContext, code_key: str) -> bool:
    found = await session.scalar(
        scoped.select(ctx, AffiliateLink, AffiliateLink.id).where(AffiliateLink.code_key == code_key)
    )
    return found is not None


async def add(session: AsyncSession, link: AffiliateLink) -> None:
    session.add(link)
    await session.flush()


async def delete_link(session: AsyncSession, ctx: AuthContext, link: AffiliateLink) -> None:
    await delete_owned(session, ctx, AffiliateLink, link.id)
    session.expunge(link)  # gone: the session must not write it back
