"""SQL for affiliates; every statement is scoped to the caller's account."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates.models import Affiliate
from perks.affiliate.common import delete_row
from perks.tenancy.context import AuthContext


def affiliates(ctx: AuthContext) -> Select[Affiliate]:
    return select(Affiliate).where(Affiliate.account_id == ctx.account_id)


def containing(statement: Select[Affiliate], text: str) -> Select[Affiliate]:
    """Case-insensitive substring search in email, first and last name (% and _ match literally)."""
    needle = text.lower()
    columns = (Affiliate.email, Affiliate.first_name, Affiliate.last_name)
    return statement.where(or_(*(func.lower(column).contains(needle, autoescape=True) for column in columns)))


async def get(session: AsyncSession, ctx: AuthContext, affiliate_id: str) -> Affiliate | None:
    return await session.scalar(affiliates(ctx).where(Affiliate.id == affiliate_id))


async def add(session: AsyncSession, affiliate: Affiliate) -> None:
    session.add(affiliate)
    await session.flush()


async def delete_affiliate(session: AsyncSession, ctx: AuthContext, affiliate: Affiliate) -> None:
    """One DELETE: links, referred users and commissions go with it (ON DELETE CASCADE)."""
    await delete_row(session, ctx, affiliate)
