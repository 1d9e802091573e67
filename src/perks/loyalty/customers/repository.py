"""SQL of customers, scoped to the caller's account."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    func,
    literal,
    or_,
    tuple_,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from perks.db.base import table_of, transient
from perks.db.database import insert_for
from perks.ledger.models import Wallet
from perks.loyalty.customers.models import TAG_MAX_LENGTH, Customer, CustomerTag
from perks.sql import Runner, attribute_columns, loaded, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext

# Sorts after every character: `prefix <= text < prefix + TOP` is "text starts with prefix" as one range of
# a binary-ordered index.
TOP = "\U0010ffff"
Expression = ColumnElement[Any] | InstrumentedAttribute[Any]


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
    customer = await session.get(Customer, customer_id)
    if customer is not None:
        await write_tags(session, [customer])
    return customer


async def insert_many(
    session: AsyncSession, ctx: AuthContext, rows: Sequence[dict[str, Any]]
) -> list[Customer]:
    """insert() for many customers (rows with their ids) in one statement; the customers inserted (the
    others' id or email was taken, also by an earlier row of `rows`), as transient objects, with their tags
    written."""
    if not rows:
        return []
    # Parameters, not VALUES literals: the statement compiles once, whatever the number of rows (a
    # migration batch of 1,000 customers compiled for seconds).
    statement = (
        insert_for(session)(Customer)
        .on_conflict_do_nothing()
        .returning(Customer.id, Customer.external_id, Customer.email)
    )
    by_identity = {(row["external_id"], row["email"]): row for row in reversed(rows)}  # the first of repeats
    parameters = [{"account_id": ctx.account_id, **row} for row in rows]
    customers = [
        transient(
            Customer, **{**by_identity[(external_id, email)], "id": customer_id, "account_id": ctx.account_id}
        )
        for customer_id, external_id, email in (await session.execute(statement, parameters)).all()
    ]
    await write_tags(session, customers)
    return customers


async def find_many(
    session: AsyncSession, ctx: AuthContext, external_ids: Sequence[str], *, for_update: bool = False
) -> dict[str, Customer]:
    """{external id: customer} of those that exist; `for_update` row-locks them in id order."""
    statement = scoped.select(ctx, Customer).where(Customer.external_id.in_(set(external_ids)))
    if for_update:
        statement = (
            statement.order_by(Customer.id).with_for_update().execution_options(populate_existing=True)
        )
    rows = await session.scalars(statement)
    return {customer.external_id: customer for customer in rows.all()}


async def find_many_by_email(
    session: AsyncSession, ctx: AuthContext, emails: Sequence[str]
) -> dict[str, Customer]:
    rows = await session.scalars(scoped.select(ctx, Customer).where(Customer.email.in_(set(emails))))
    return {customer.email: customer for customer in rows.all() if customer.email is not None}


async def find(
    session: AsyncSession, ctx: AuthContext, external_id: str, *, for_update: bool = False
) -> Customer | None:
    """By external id; `for_update` row-locks it (PostgreSQL) and reads it afresh."""
    statement = scoped.select(ctx, Customer).where(Customer.external_id == external_id)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


async def find_by_id(session: AsyncSession, ctx: AuthContext, customer_id: str) -> Customer | None:
    """By our id (an identify may have changed the external one since the caller last saw it)."""
    statement = scoped.select(ctx, Customer).where(Customer.id == customer_id)
    return await session.scalar(statement)


async def external_id_taken(session: AsyncSession, ctx: AuthContext, external_id: str) -> bool:
    return await find(session, ctx, external_id) is not None


async def email_taken(session: AsyncSession, ctx: AuthContext, email: str, *, but: str | None = None) -> bool:
    statement = scoped.select(ctx, Customer, Customer.id).where(Customer.email == email)
    if but is not None:
        statement = statement.where(Customer.id != but)
    return await session.scalar(statement) is not None


async def change(session: AsyncSession, ctx: AuthContext, customer: Customer, values: dict[str, Any]) -> bool:
    """Apply `values` in one UPDATE; False if a unique index (id or email) refused it."""
    try:
        async with session.begin_nested():
            await session.execute(
                scoped.update(ctx, Customer)
                .where(Customer.id == customer.id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:
        return False
    await session.refresh(customer)
    if "tags" in values or "external_id" in values:
        await session.execute(scoped.delete(ctx, CustomerTag).where(CustomerTag.customer_id == customer.id))
        await write_tags(session, [customer])
    return True


# Core statements of the hot paths (perks.sql).

_CUSTOMERS = table_of(Customer)
_WALLETS = table_of(Wallet)
CUSTOMER_KEYS, CUSTOMER_COLUMNS = attribute_columns(Customer)


def with_wallet(*conditions: ColumnElement[bool], outer: bool = False) -> Select[Any]:
    """The hot paths' read of customers (their columns, `CUSTOMER_KEYS` order) with their wallet's id,
    scoped to the account (`:account_id`) and to `conditions`. `outer`: a customer without a wallet yet
    comes with a null id. The callers add ordering and row locks."""
    on = (_WALLETS.c.customer_id == _CUSTOMERS.c.id) & (_WALLETS.c.account_id == _CUSTOMERS.c.account_id)
    query = scoped.select(scoped.bound(), _CUSTOMERS, *CUSTOMER_COLUMNS, _WALLETS.c.id)
    joined = query.outerjoin(_WALLETS, on) if outer else query.join(_WALLETS, on)
    return joined.where(*conditions)


BY_EXTERNAL_ID = _CUSTOMERS.c.external_id == bindparam("external_id")
_WITH_WALLET = statement(lambda: with_wallet(BY_EXTERNAL_ID))


async def read_with_wallet(runner: Runner, ctx: AuthContext, external_id: str) -> tuple[Customer, str] | None:
    """The customer (by external id) and their wallet id, read through a runner."""
    row = await runner.first(_WITH_WALLET, {"account_id": ctx.account_id, "external_id": external_id})
    if row is None:
        return None
    return loaded(Customer, CUSTOMER_KEYS, row[:-1]), row[-1]


def tag_strings(tags: Mapping[str, Any]) -> set[str]:
    """What a tag search matches: each key, and `key:value` (a string value as it is, others as JSON)."""
    found: set[str] = set()
    for key, value in tags.items():
        found.add(str(key))
        if value is not None:
            found.add(f"{key}:{value if isinstance(value, str) else json.dumps(value)}")
    return {tag for tag in found if len(tag) <= TAG_MAX_LENGTH}


async def write_tags(session: AsyncSession, customers: Sequence[Customer]) -> None:
    """The customer_tags rows of new customers (or of customers whose rows were just deleted)."""
    rows = [
        {
            "account_id": customer.account_id,
            "tag": tag,
            "customer_id": customer.id,
            "external_id": customer.external_id,
        }
        for customer in customers
        for tag in sorted(tag_strings(customer.tags or {}))
    ]
    if rows:
        await session.execute(insert_for(session)(CustomerTag).on_conflict_do_nothing(), rows)


class Order(StrEnum):
    """What a page of customers is sorted by: the searched field, so each page is one index range."""

    ID = "id"
    EMAIL = "email"
    NAME = "name"
    TAG = "tag"


@dataclass(frozen=True)
class Search:
    limit: int
    order: Order = Order.ID
    # The sort key of the last customer of the previous page (as `sort_key` returned it).
    after: tuple[str, ...] | None = None
    # Or of the first customer of the next page: the page just before it (the console's "Previous"),
    # read backwards through the same index and handed back in order.
    before: tuple[str, ...] | None = None
    id_prefix: str | None = None
    email_prefix: str | None = None
    name_prefix: str | None = None
    tag: str | None = None
    tier_id: str | None = None
    # The Base tier also holds every customer who was never moved (tier_id NULL).
    tier_is_base: bool = False


async def search(
    session: AsyncSession, ctx: AuthContext, wanted: Search
) -> Sequence[tuple[Customer, tuple[str, ...]]]:
    """A page of customers with each one's sort key. The order's index (migration 1100) is walked from the
    cursor and the other filters are checked on the way, so a page costs about its size, not the size of
    the account; text is compared byte by byte (on PostgreSQL in the "C" collation of those indexes)."""
    postgres = session.get_bind().dialect.name == "postgresql"

    def binary(expression: Expression) -> ColumnElement[Any]:
        plain = expression.expression if isinstance(expression, InstrumentedAttribute) else expression
        return plain.collate("C") if postgres else plain

    lowered_name = func.lower(Customer.name, type_=String)
    keys: dict[Order, list[ColumnElement[Any]]] = {
        Order.ID: [binary(Customer.external_id)],
        Order.EMAIL: [binary(Customer.email)],
        Order.NAME: [binary(lowered_name), binary(Customer.external_id)],
        Order.TAG: [binary(CustomerTag.external_id)],
    }
    sort = keys[wanted.order]
    statement = scoped.select(ctx, Customer, Customer, *sort)
    if wanted.order is Order.TAG:
        statement = statement.join(CustomerTag, CustomerTag.customer_id == Customer.id).where(
            scoped.owned(CustomerTag, ctx), CustomerTag.tag == wanted.tag
        )
    elif wanted.tag is not None:
        tagged = scoped.select(ctx, CustomerTag, CustomerTag.customer_id).where(CustomerTag.tag == wanted.tag)
        statement = statement.where(Customer.id.in_(tagged))
    if wanted.after is not None:
        statement = statement.where(_after(sort, wanted.after))
    if wanted.before is not None:
        statement = statement.where(_after(sort, wanted.before, before=True))
    if wanted.id_prefix is not None:
        statement = statement.where(*_starts_with(Customer.external_id, literal(wanted.id_prefix), binary))
    if wanted.email_prefix is not None:
        statement = statement.where(*_starts_with(Customer.email, literal(wanted.email_prefix), binary))
    if wanted.name_prefix is not None:
        prefix = func.lower(literal(wanted.name_prefix), type_=String)
        statement = statement.where(*_starts_with(lowered_name, prefix, binary))
    if wanted.tier_id is not None:
        in_tier = Customer.tier_id == wanted.tier_id
        statement = statement.where(
            or_(in_tier, Customer.tier_id.is_(None)) if wanted.tier_is_base else in_tier
        )
    backwards = wanted.before is not None
    order = [key.desc() for key in sort] if backwards else sort
    found = await session.execute(statement.order_by(*order).limit(wanted.limit))
    rows = [(row[0], tuple(row[1:])) for row in found.all()]
    return rows[::-1] if backwards else rows  # backwards: in order, the one beyond the page (if any) first


def _after(
    sort: list[ColumnElement[Any]], key: tuple[str, ...], *, before: bool = False
) -> ColumnElement[bool]:
    if len(sort) == 1:
        return sort[0] < key[0] if before else sort[0] > key[0]
    row, bound = tuple_(*sort), tuple_(*(literal(value) for value in key))
    return row < bound if before else row > bound


def _starts_with(
    text: Expression, prefix: ColumnElement[Any], binary: Callable[[Expression], ColumnElement[Any]]
) -> tuple[ColumnElement[bool], ...]:
    """`text` starts with `prefix`: the index range, then an exact check of the range's edge."""
    return (
        binary(text) >= binary(prefix),
        binary(text) < binary(prefix.concat(TOP)),
        func.substr(text, 1, func.length(prefix)) == prefix,
    )
