"""SQL for payouts and the commission moves they make; every statement is scoped to the caller's
account, except `accounts_with_due`, the worker job's look across accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates.models import Affiliate
from perks.affiliate.commissions.models import Commission, CommissionStatus
from perks.affiliate.payouts.models import Payout, PayoutStatus
from perks.db.base import table_of
from perks.kit.keyset import Keyset, KeysetPage, keyset_batches, keyset_page
from perks.kit.money import Amount
from perks.sql import Runner, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


def payouts(ctx: AuthContext) -> Select[Payout]:
    """The caller's payouts: the statement the service's published list filters and pages."""
    return scoped.select(ctx, Payout)


@dataclass(frozen=True)
class PayoutFilter:
    workspace_id: str | None = None
    affiliate_id: str | None = None
    status: str | None = None


def filtered(ctx: AuthContext, where: PayoutFilter) -> Select[Payout]:
    statement = scoped.select(ctx, Payout)
    if where.workspace_id:
        statement = statement.where(Payout.workspace_id == where.workspace_id)
    if where.affiliate_id:
        statement = statement.where(Payout.affiliate_id == where.affiliate_id)
    if where.status:
        statement = statement.where(Payout.status == where.status)
    return statement


ORDER = (Payout.created_at, Payout.id)


async def page(
    session: AsyncSession, ctx: AuthContext, where: PayoutFilter, keyset: Keyset
) -> KeysetPage[Payout]:
    """Newest first, on the account-workspace (or account-affiliate) created index."""
    return await keyset_page(session, filtered(ctx, where), ORDER, keyset, descending=True)


def batches(session: AsyncSession, ctx: AuthContext, where: PayoutFilter) -> AsyncIterator[Sequence[Payout]]:
    return keyset_batches(session, filtered(ctx, where), ORDER, descending=True)


async def get_of_affiliate(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, payout_id: str
) -> Payout | None:
    return await session.scalar(
        scoped.select(ctx, Payout).where(Payout.id == payout_id, Payout.affiliate_id == affiliate_id)
    )


async def get(session: AsyncSession, ctx: AuthContext, payout_id: str) -> Payout | None:
    return await session.scalar(
        scoped.select(ctx, Payout).where(Payout.id == payout_id).execution_options(populate_existing=True)
    )


def _unpaid_due(now: datetime) -> list[Any]:
    """Pending commissions in no payout whose due date has passed (hand-written ones have none: the
    service applies their campaign's term)."""
    return [
        Commission.status == CommissionStatus.PENDING,
        Commission.payout_id.is_(None),
        or_(Commission.due_at.is_(None), Commission.due_at <= now),
    ]


async def due_commissions(
    session: AsyncSession, ctx: AuthContext, now: datetime, workspace_id: str | None = None
) -> list[Commission]:
    statement = scoped.select(ctx, Commission).where(*_unpaid_due(now))
    if workspace_id is not None:
        statement = statement.where(Commission.workspace_id == workspace_id)
    rows = await session.scalars(statement.order_by(Commission.affiliate_id, Commission.id))
    return list(rows.all())


async def not_yet_due(session: AsyncSession, ctx: AuthContext, now: datetime) -> tuple[int, datetime | None]:
    """How many pending commissions in no payout wait for their due date, and the soonest one."""
    count, soonest = (
        await session.execute(
            scoped.select(ctx, Commission, func.count(), func.min(Commission.due_at)).where(
                Commission.status == CommissionStatus.PENDING,
                Commission.payout_id.is_(None),
                Commission.due_at > now,
            )
        )
    ).one()
    return int(count or 0), soonest


async def accounts_with_due(session: AsyncSession, now: datetime) -> list[str]:
    rows = await session.scalars(select(Commission.account_id).where(*_unpaid_due(now)).distinct())
    return list(rows.all())


async def claim(
    session: AsyncSession, ctx: AuthContext, commission_ids: list[str], payout_id: str
) -> list[Decimal]:
    """Move these commissions into the payout if they are still pending and in no payout; the amounts
    of those that moved."""
    result = await session.execute(
        scoped.update(ctx, Commission)
        .where(
            Commission.id.in_(commission_ids),
            Commission.status == CommissionStatus.PENDING,
            Commission.payout_id.is_(None),
        )
        .values(status=CommissionStatus.PROCESSING, payout_id=payout_id)
        .returning(Commission.amount)
        .execution_options(synchronize_session=False)
    )
    return [row[0] for row in result.all()]


async def add(session: AsyncSession, payout: Payout) -> None:
    session.add(payout)
    await session.flush()


def _adjust_pending() -> Any:
    # Parameters named apart from the columns: SQLAlchemy reserves column names for an UPDATE's SET.
    return (
        scoped.update(scoped.bound("b_account"), _PAYOUTS)
        .where(
            _PAYOUTS.c.id == bindparam("b_id"),
            _PAYOUTS.c.status == PayoutStatus.PENDING,
        )
        .values(
            amount=_PAYOUTS.c.amount + bindparam("b_delta", type_=Amount()),
            updated_at=bindparam("b_now", type_=_PAYOUTS.c.updated_at.type),
        )
    )


_PAYOUTS = table_of(Payout)
_ADJUST_PENDING = statement(_adjust_pending)


async def adjust_pending(
    runner: Runner, ctx: AuthContext, payout_id: str, delta: Decimal, now: datetime
) -> None:
    """A pending payout's amount moved by `delta` (a refund changed a commission it carries), through a
    runner (perks.sql)."""
    values = {"b_account": ctx.account_id, "b_id": payout_id, "b_delta": delta, "b_now": now}
    await runner.execute(_ADJUST_PENDING, values)


async def pay_commissions(session: AsyncSession, ctx: AuthContext, payout_id: str, now: datetime) -> None:
    await session.execute(
        scoped.update(ctx, Commission)
        .where(
            Commission.payout_id == payout_id,
            Commission.status == CommissionStatus.PROCESSING,
        )
        .values(status=CommissionStatus.PAID, payout_date=now)
        .execution_options(synchronize_session=False)
    )


async def mark_paid(session: AsyncSession, ctx: AuthContext, payout_id: str, now: datetime) -> bool:
    """pending → paid, with the amount set to what its commissions (now paid) add up to."""
    paid_total = (
        scoped.select(ctx, Commission, func.coalesce(func.sum(Commission.amount), 0))
        .where(
            Commission.payout_id == payout_id,
            Commission.status == CommissionStatus.PAID,
        )
        .scalar_subquery()
    )
    result = await session.execute(
        scoped.update(ctx, Payout)
        .where(Payout.id == payout_id, Payout.status == PayoutStatus.PENDING)
        .values(status=PayoutStatus.PAID, paid_at=now, amount=paid_total)
        .returning(Payout.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def pending_with_affiliates(session: AsyncSession, ctx: AuthContext) -> list[tuple[Payout, Affiliate]]:
    rows = await session.execute(
        scoped.select(ctx, Payout, Payout, Affiliate)
        .join(Affiliate, Affiliate.id == Payout.affiliate_id)
        .where(Payout.status == PayoutStatus.PENDING)
        .order_by(Payout.created_at, Payout.id)
    )
    return [(row[0], row[1]) for row in rows.all()]
