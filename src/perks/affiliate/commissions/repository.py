"""SQL for commissions; every statement is scoped to the caller's account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.commissions.models import Commission
from perks.tenancy.context import AuthContext


def commissions(ctx: AuthContext) -> Select[Commission]:
    return select(Commission).where(Commission.account_id == ctx.account_id)


async def get(session: AsyncSession, ctx: AuthContext, commission_id: str) -> Commission | None:
    return await session.scalar(commissions(ctx).where(Commission.id == commission_id))


async def add(session: AsyncSession, commission: Commission) -> None:
    session.add(commission)
    await session.flush()


async def update_if(
    session: AsyncSession,
    ctx: AuthContext,
    commission_id: str,
    conditions: list[ColumnElement[bool]],
    values: dict[str, Any],
) -> bool:
    """One conditional UPDATE; False when the row no longer meets `conditions`."""
    result = await session.execute(
        update(Commission)
        .where(Commission.account_id == ctx.account_id, Commission.id == commission_id, *conditions)
        .values(**values)
        .returning(Commission.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def delete_commission(session: AsyncSession, ctx: AuthContext, commission_id: str) -> bool:
    result = await session.execute(
        delete(Commission)
        .where(Commission.account_id == ctx.account_id, Commission.id == commission_id)
        .returning(Commission.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def delete_for_referred(session: AsyncSession, ctx: AuthContext, referred_key: str) -> None:
    await session.execute(
        delete(Commission)
        .where(Commission.account_id == ctx.account_id, Commission.referred_key == referred_key)
        .execution_options(synchronize_session=False)
    )
