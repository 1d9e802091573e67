"""SQL for commissions; every statement is scoped to the caller's account."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.commissions.models import Commission, CommissionStatus
from perks.kit.keyset import Keyset, KeysetPage, keyset_batches, keyset_page
from perks.tenancy.context import AuthContext

# "review": pending, not yet approved, in no payout: the console's queue.
REVIEW = "review"


@dataclass(frozen=True)
class CommissionFilter:
    workspace_id: str | None = None
    affiliate_id: str | None = None
    status: str | None = None  # a status, or REVIEW
    payout_id: str | None = None


def _filtered(ctx: AuthContext, where: CommissionFilter) -> Select[Commission]:
    statement = commissions(ctx)
    if where.workspace_id:
        statement = statement.where(Commission.workspace_id == where.workspace_id)
    if where.affiliate_id:
        statement = statement.where(Commission.affiliate_id == where.affiliate_id)
    if where.payout_id:
        statement = statement.where(Commission.payout_id == where.payout_id)
    if where.status == REVIEW:
        statement = statement.where(
            Commission.status == CommissionStatus.PENDING,
            Commission.approved_at.is_(None),
            Commission.payout_id.is_(None),
        )
    elif where.status:
        statement = statement.where(Commission.status == where.status)
    return statement


def commissions(ctx: AuthContext) -> Select[Commission]:
    return select(Commission).where(Commission.account_id == ctx.account_id)


async def page(
    session: AsyncSession, ctx: AuthContext, where: CommissionFilter, keyset: Keyset
) -> KeysetPage[Commission]:
    """Newest first, on the account-workspace (or account-affiliate) created index."""
    return await keyset_page(session, _filtered(ctx, where), ORDER, keyset, descending=True)


ORDER = (Commission.created_at, Commission.id)


def batches(
    session: AsyncSession, ctx: AuthContext, where: CommissionFilter
) -> AsyncIterator[Sequence[Commission]]:
    return keyset_batches(session, _filtered(ctx, where), ORDER, descending=True)


async def approve(session: AsyncSession, ctx: AuthContext, commission_id: str, now: datetime) -> bool:
    """Approve a pending commission not approved yet, in one conditional UPDATE."""
    result = await session.execute(
        update(Commission)
        .where(
            Commission.account_id == ctx.account_id,
            Commission.id == commission_id,
            Commission.status == CommissionStatus.PENDING,
            Commission.approved_at.is_(None),
        )
        .values(approved_at=now, updated_at=now)
        .returning(Commission.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def totals_by_status(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str
) -> dict[tuple[str, str | None], Decimal]:
    """(status, currency) -> the sum of one affiliate's commissions (clawbacks count negative)."""
    rows = await session.execute(
        select(Commission.status, Commission.currency, func.sum(Commission.amount))
        .where(Commission.account_id == ctx.account_id, Commission.affiliate_id == affiliate_id)
        .group_by(Commission.status, Commission.currency)
    )
    return {(status, currency): Decimal(total or 0) for status, currency, total in rows.all()}


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
