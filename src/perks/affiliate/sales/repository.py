"""SQL for sales; every statement is scoped to the caller's account."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.commissions.models import Commission, CommissionStatus
from perks.affiliate.sales.models import Sale
from perks.db.database import insert_for
from perks.kit.money import Amount
from perks.tenancy.context import AuthContext


async def by_invoice(session: AsyncSession, ctx: AuthContext, invoice_id: str) -> Sale | None:
    return await session.scalar(
        select(Sale)
        .where(Sale.account_id == ctx.account_id, Sale.invoice_id == invoice_id)
        .execution_options(populate_existing=True)
    )


async def insert_once(session: AsyncSession, values: dict[str, Any]) -> bool:
    """INSERT the sale unless its invoice is recorded already (the unique index decides, also between
    concurrent requests); True when this one was written."""
    statement = (
        insert_for(session)(Sale)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["account_id", "invoice_id"])
        .returning(Sale.id)
    )
    return (await session.execute(statement)).first() is not None


async def add_refund(session: AsyncSession, ctx: AuthContext, sale_id: str, amount: Decimal) -> bool:
    """Add `amount` to the refunded total unless that would pass the sale's amount (one conditional
    UPDATE: concurrent refunds of one sale queue on its row)."""
    result = await session.execute(
        update(Sale)
        .where(
            Sale.account_id == ctx.account_id,
            Sale.id == sale_id,
            Sale.refunded_amount + literal(amount, Amount()) <= Sale.amount,
        )
        .values(refunded_amount=Sale.refunded_amount + literal(amount, Amount()))
        .returning(Sale.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def earned_total(session: AsyncSession, ctx: AuthContext, sale_id: str) -> Decimal:
    """What the sale's commissions (the original and any clawbacks) still add up to."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Commission.amount), 0)).where(
            Commission.account_id == ctx.account_id,
            Commission.sale_id == sale_id,
            Commission.status != CommissionStatus.REFUNDED,
        )
    )
    return Decimal(total or 0)
