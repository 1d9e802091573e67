"""SQL for referred users; every statement is scoped to the caller's account."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.common import delete_row, email_key
from perks.affiliate.referred_users.models import ReferredUser
from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.tenancy.context import AuthContext


def referred_users(ctx: AuthContext) -> Select[ReferredUser]:
    return select(ReferredUser).where(ReferredUser.account_id == ctx.account_id)


async def page_of_affiliate(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, keyset: Keyset
) -> KeysetPage[ReferredUser]:
    """Newest first, on the account-affiliate-created index."""
    statement = referred_users(ctx).where(ReferredUser.affiliate_id == affiliate_id)
    order = (ReferredUser.created_at, ReferredUser.id)
    return await keyset_page(session, statement, order, keyset, descending=True)


async def by_email(session: AsyncSession, ctx: AuthContext, email: str) -> ReferredUser | None:
    return await session.scalar(referred_users(ctx).where(ReferredUser.email_key == email_key(email)))


async def by_external_id(session: AsyncSession, ctx: AuthContext, external_id: str) -> ReferredUser | None:
    """The first sign-up bound with this external id."""
    return await session.scalar(
        referred_users(ctx)
        .where(ReferredUser.external_id == external_id)
        .order_by(ReferredUser.created_at, ReferredUser.id)
        .limit(1)
    )


async def add(session: AsyncSession, referred: ReferredUser) -> None:
    session.add(referred)
    await session.flush()


async def delete_referred(session: AsyncSession, ctx: AuthContext, referred: ReferredUser) -> None:
    await delete_row(session, ctx, referred)
