"""SQL of customers, scoped to the caller's account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db import insert_for, table_of
from perks.ledger.models import Wallet
from perks.loyalty.customers.models import Customer
from perks.sql import Runner, attribute_columns, loaded, statement
from perks.tenancy.context import AuthContext


async def insert(session: AsyncSession, ctx: AuthContext, values: dict[str, Any]) -> Customer | None:
    """Insert unless the id or email is taken in this account (the unique indexes decide, race-free)."""
    statement = (
        insert_for(session)(Customer)
        .values(account_id=ctx.account_id, **values)
        .on_conflict_do_nothing()
        .returning(Customer.id)
    )
    customer_id = await session.scalar(statement)
    if customer_id is None:
        return None
    return await session.get(Customer, customer_id)


async def find(
    session: AsyncSession, ctx: AuthContext, external_id: str, *, for_update: bool = False
) -> Customer | None:
    """By external id; `for_update` row-locks it (PostgreSQL) and reads it afresh."""
    statement = select(Customer).where(
        Customer.account_id == ctx.account_id, Customer.external_id == external_id
    )
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


async def find_by_id(session: AsyncSession, ctx: AuthContext, customer_id: str) -> Customer | None:
    """By our id (an identify may have changed the external one since the caller last saw it)."""
    statement = select(Customer).where(Customer.account_id == ctx.account_id, Customer.id == customer_id)
    return await session.scalar(statement)


async def external_id_taken(session: AsyncSession, ctx: AuthContext, external_id: str) -> bool:
    return await find(session, ctx, external_id) is not None


async def email_taken(session: AsyncSession, ctx: AuthContext, email: str, *, but: str | None = None) -> bool:
    statement = select(Customer.id).where(Customer.account_id == ctx.account_id, Customer.email == email)
    if but is not None:
        statement = statement.where(Customer.id != but)
    return await session.scalar(statement) is not None


async def change(session: AsyncSession, ctx: AuthContext, customer: Customer, values: dict[str, Any]) -> bool:
    """Apply `values` in one UPDATE; False if a unique index (id or email) refused it."""
    try:
        async with session.begin_nested():
            await session.execute(
                update(Customer)
                .where(Customer.account_id == ctx.account_id, Customer.id == customer.id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:
        return False
    await session.refresh(customer)
    return True


# Core statements of the hot paths (perks.sql).

_CUSTOMERS = table_of(Customer)
_WALLETS = table_of(Wallet)
CUSTOMER_KEYS, CUSTOMER_COLUMNS = attribute_columns(Customer)
_WITH_WALLET = statement(
    lambda: (
        select(*CUSTOMER_COLUMNS, _WALLETS.c.id)
        .join(
            _WALLETS,
            (_WALLETS.c.customer_id == _CUSTOMERS.c.id) & (_WALLETS.c.account_id == _CUSTOMERS.c.account_id),
        )
        .where(
            _CUSTOMERS.c.account_id == bindparam("account_id"),
            _CUSTOMERS.c.external_id == bindparam("external_id"),
        )
    )
)


async def read_with_wallet(runner: Runner, ctx: AuthContext, external_id: str) -> tuple[Customer, str] | None:
    """The customer (by external id) and their wallet id, read through a runner."""
    row = await runner.first(_WITH_WALLET, {"account_id": ctx.account_id, "external_id": external_id})
    if row is None:
        return None
    return loaded(Customer, CUSTOMER_KEYS, row[:-1]), row[-1]
