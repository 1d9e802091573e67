"""Reads of ledger transactions with their customer's id, scoped to the caller's account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.ledger.models import LedgerTransaction, Wallet
from perks.loyalty.customers.models import Customer
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext

MAX_ROWS = 1000


@dataclass(frozen=True)
class Filters:
    start: datetime
    end: datetime
    cursor: str | None = None
    brand_id: str | None = None
    reward_id: str | None = None
    campaign_id: str | None = None
    event_id: str | None = None
    type: str | None = None
    funded_by: str | None = None
    wallet_id: str | None = None


async def find(
    session: AsyncSession, ctx: AuthContext, filters: Filters
) -> Sequence[tuple[LedgerTransaction, str]]:
    """At most MAX_ROWS transactions created in [start, end), ids ascending, after the cursor."""
    statement = _filtered(_base(ctx), filters).order_by(LedgerTransaction.id).limit(MAX_ROWS)
    rows = await session.execute(statement)
    return [(transaction, external_id) for transaction, external_id in rows.all()]


def _base(ctx: AuthContext) -> Select[LedgerTransaction, str]:
    return (
        scoped.select(ctx, LedgerTransaction, LedgerTransaction, Customer.external_id)
        .join(Wallet, Wallet.id == LedgerTransaction.wallet_id)
        .join(Customer, Customer.id == Wallet.customer_id)
    )


def _filtered(statement: Select[LedgerTransaction, str], filters: Filters) -> Select[LedgerTransaction, str]:
    statement = statement.where(
        LedgerTransaction.created_at >= filters.start, LedgerTransaction.created_at < filters.end
    )
    if filters.cursor is not None:
        statement = statement.where(LedgerTransaction.id > filters.cursor)
    equal_to = {
        LedgerTransaction.brand_id: filters.brand_id,
        LedgerTransaction.reward_id: filters.reward_id,
        LedgerTransaction.campaign_id: filters.campaign_id,
        LedgerTransaction.event_id: filters.event_id,
        LedgerTransaction.type: filters.type,
        LedgerTransaction.funded_by: filters.funded_by,
        LedgerTransaction.wallet_id: filters.wallet_id,
    }
    for column, value in equal_to.items():
        if value is not None:
            statement = statement.where(column == value)
    return statement


async def page_of_wallet(
    session: AsyncSession, ctx: AuthContext, wallet_id: str, keyset: Keyset
) -> KeysetPage[LedgerTransaction]:
    """A wallet's transactions, newest first, a page at a time (ix_ledger_transactions_wallet_created)."""
    statement = scoped.select(ctx, LedgerTransaction).where(LedgerTransaction.wallet_id == wallet_id)
    order = (LedgerTransaction.created_at, LedgerTransaction.id)
    return await keyset_page(session, statement, order, keyset, descending=True)
