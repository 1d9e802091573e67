"""SQL of the ledger. Every statement is scoped to the caller's account."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, bindparam, exists, insert, or_
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.base import Base, table_of
from perks.kit.ids import new_id
from perks.ledger.models import LedgerTransaction, LineRow, OriginalRow, TransactionType, Wallet, WalletLine
from perks.sql import Runner, Statement, in_list, listed, sized, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


async def add(session: AsyncSession, *rows: Wallet | WalletLine | LedgerTransaction) -> None:
    session.add_all(rows)
    await session.flush()


async def lock_wallet(session: AsyncSession, ctx: AuthContext, wallet_id: str) -> bool:
    """Bump the wallet's version: one conditional UPDATE that holds the wallet's row lock until commit,
    so that changes to one wallet are serialized (SQLite serializes every writer already)."""
    bumped = await session.scalar(
        scoped.update(ctx, Wallet)
        .where(Wallet.id == wallet_id)
        .values(version=Wallet.version + 1)
        .returning(Wallet.id)
    )
    return bumped is not None


async def lock_wallets(session: AsyncSession, ctx: AuthContext, wallet_ids: Sequence[str]) -> set[str]:
    """lock_wallet for several wallets in one statement; the ids of those that exist. (A Core statement:
    the ORM's UPDATE would look for the wallets in the session to synchronize them.)"""
    wallets = table_of(Wallet)
    bumped = await session.scalars(
        scoped.update(ctx, wallets)
        .where(wallets.c.id.in_(wallet_ids))
        .values(version=wallets.c.version + 1)
        .returning(wallets.c.id)
    )
    return set(bumped.all())


async def insert_wallets(
    session: AsyncSession, ctx: AuthContext, customer_ids: Sequence[str], now: datetime
) -> None:
    if customer_ids:
        rows = [
            {
                "id": new_id(),
                "account_id": ctx.account_id,
                "customer_id": customer_id,
                "version": 0,
                "created_at": now,
            }
            for customer_id in customer_ids
        ]
        await session.execute(insert(table_of(Wallet)), rows)


async def insert_rows(
    session: AsyncSession, model: type[WalletLine] | type[LedgerTransaction], rows: Sequence[Base]
) -> None:
    """One Core INSERT (executemany) of new, transient rows: neither the ORM's unit of work nor its bulk
    mode, whose per-row bookkeeping cost more than the statement."""
    if not rows:
        return
    columns = _columns_of(model)
    await session.execute(
        insert(table_of(model)), [{column: getattr(row, name) for name, column in columns} for row in rows]
    )


@functools.cache
def _columns_of(model: type[Base]) -> tuple[tuple[str, str], ...]:
    """(attribute name, column name) of each mapped column (`metadata_` is the column `metadata`)."""
    return tuple((attribute.key, attribute.columns[0].key) for attribute in sa_inspect(model).column_attrs)


async def wallet_of_customer(session: AsyncSession, ctx: AuthContext, customer_id: str) -> Wallet | None:
    return await session.scalar(scoped.select(ctx, Wallet).where(Wallet.customer_id == customer_id))


async def wallets_of_customers(
    session: AsyncSession, ctx: AuthContext, customer_ids: Sequence[str]
) -> Sequence[Wallet]:
    rows = await session.scalars(scoped.select(ctx, Wallet).where(Wallet.customer_id.in_(customer_ids)))
    return rows.all()


async def open_lines(session: AsyncSession, ctx: AuthContext, wallet_id: str) -> Sequence[WalletLine]:
    """Every line of the wallet with something left, oldest first."""
    return await _lines_left(session, ctx, WalletLine.wallet_id == wallet_id)


async def reserved_lines(
    session: AsyncSession, ctx: AuthContext, reservation_id: str
) -> Sequence[WalletLine]:
    return await _lines_left(session, ctx, WalletLine.reservation_id == reservation_id)


async def _lines_left(
    session: AsyncSession, ctx: AuthContext, condition: ColumnElement[bool]
) -> Sequence[WalletLine]:
    """Lines matching `condition` with something left, oldest first, fresh from the database."""
    rows = await session.scalars(
        scoped.select(ctx, WalletLine)
        .where(condition, WalletLine.remaining > 0)
        .order_by(WalletLine.issued_at, WalletLine.id)
        .execution_options(populate_existing=True)
    )
    return rows.all()


async def get_line(session: AsyncSession, ctx: AuthContext, line_id: str) -> WalletLine | None:
    return await session.scalar(
        scoped.select(ctx, WalletLine)
        .where(WalletLine.id == line_id)
        .execution_options(populate_existing=True)
    )


async def has_active_reservation_from(
    session: AsyncSession, ctx: AuthContext, source_line_id: str, now: datetime
) -> bool:
    found = await session.scalar(
        scoped.select(ctx, WalletLine, WalletLine.id).where(
            WalletLine.source_line_id == source_line_id,
            WalletLine.remaining > 0,
            WalletLine.reservation_expires_at > now,
        )
    )
    return found is not None


async def take(session: AsyncSession, ctx: AuthContext, line_id: str, amount: Decimal) -> bool:
    """Subtract `amount` from a line only if that much is left: the balance can never go negative."""
    taken = await session.scalar(
        scoped.update(ctx, WalletLine)
        .where(WalletLine.id == line_id, WalletLine.remaining >= amount)
        .values(remaining=WalletLine.remaining - amount)
        .returning(WalletLine.id)
    )
    return taken is not None


async def give(session: AsyncSession, ctx: AuthContext, line_id: str, amount: Decimal) -> None:
    await session.execute(
        scoped.update(ctx, WalletLine)
        .where(WalletLine.id == line_id)
        .values(remaining=WalletLine.remaining + amount)
    )


async def transactions_by_id(
    session: AsyncSession, ctx: AuthContext, ids: Sequence[str]
) -> Sequence[LedgerTransaction]:
    rows = await session.scalars(
        scoped.select(ctx, LedgerTransaction)
        .where(LedgerTransaction.id.in_(ids))
        .order_by(LedgerTransaction.id)
    )
    return rows.all()


async def event_transactions(
    session: AsyncSession, ctx: AuthContext, event_id: str
) -> Sequence[LedgerTransaction]:
    rows = await session.scalars(
        scoped.select(ctx, LedgerTransaction)
        .where(LedgerTransaction.event_id == event_id)
        .order_by(LedgerTransaction.id)
    )
    return rows.all()


async def reversed_ids(session: AsyncSession, ctx: AuthContext, ids: Sequence[str]) -> set[str]:
    rows = await session.scalars(
        scoped.select(ctx, LedgerTransaction, LedgerTransaction.reverses_id).where(
            LedgerTransaction.reverses_id.in_(ids)
        )
    )
    return {row for row in rows.all() if row is not None}


async def wallet_transactions(
    session: AsyncSession, ctx: AuthContext, wallet_id: str
) -> Sequence[LedgerTransaction]:
    rows = await session.scalars(
        scoped.select(ctx, LedgerTransaction)
        .where(LedgerTransaction.wallet_id == wallet_id)
        .order_by(LedgerTransaction.id)
    )
    return rows.all()


async def wallets_with_due_lines(
    session: AsyncSession, ctx: AuthContext, now: datetime, limit: int
) -> Sequence[str]:
    rows = await session.scalars(
        scoped.select(ctx, WalletLine, WalletLine.wallet_id)
        .where(
            WalletLine.remaining > 0,
            or_(
                and_(WalletLine.reservation_id.is_(None), WalletLine.expiration_date <= now),
                WalletLine.reservation_expires_at <= now,
            ),
        )
        .distinct()
        .limit(limit)
    )
    return rows.all()


# Core statements of the hot paths (perks.sql): run on the driver, rows loaded without the ORM.

_LINES = table_of(WalletLine)
# What a view reads of a line (LineRow's fields without defaults).
_LINE_COLUMNS = [
    _LINES.c[name]
    for name, spec in LineRow.__dataclass_fields__.items()
    if spec.default is dataclasses.MISSING
]

_OPEN_LINES = statement(
    lambda: (
        scoped.select(scoped.bound(), _LINES, *_LINE_COLUMNS)
        .where(_LINES.c.wallet_id == bindparam("wallet_id"), _LINES.c.remaining > 0)
        .order_by(_LINES.c.issued_at, _LINES.c.id)
    )
)
_LINES_BY_ID = sized(
    lambda count: scoped.select(scoped.bound(), _LINES, *_LINE_COLUMNS).where(
        in_list(_LINES.c.id, count, "id")
    )
)


async def read_open_lines(runner: Runner, ctx: AuthContext, wallet_id: str) -> list[LineRow]:
    """open_lines, through a runner: the wallet's lines with something left, oldest first."""
    rows = await runner.rows(_OPEN_LINES, {"account_id": ctx.account_id, "wallet_id": wallet_id})
    return [LineRow(*row) for row in rows]


async def read_lines(runner: Runner, ctx: AuthContext, line_ids: Sequence[str]) -> list[LineRow]:
    if not line_ids:
        return []
    values = {"account_id": ctx.account_id, **listed("id", line_ids)}
    rows = await runner.rows(_LINES_BY_ID(len(line_ids)), values)
    return [LineRow(*row) for row in rows]


_WALLET_TABLE = table_of(Wallet)
_LOCK_WALLETS = sized(
    lambda count: (
        scoped.update(scoped.bound(), _WALLET_TABLE)
        .where(in_list(_WALLET_TABLE.c.id, count, "id"))
        .values(version=_WALLET_TABLE.c.version + 1)
        .returning(_WALLET_TABLE.c.id)
    )
)
_OPEN_LINES_OF = sized(
    lambda count: (
        scoped.select(scoped.bound(), _LINES, *_LINE_COLUMNS)
        .where(in_list(_LINES.c.wallet_id, count, "id"), _LINES.c.remaining > 0)
        .order_by(_LINES.c.issued_at, _LINES.c.id)
    )
)


def _insert_statement(model: type[Base]) -> Statement:
    table = table_of(model)
    return statement(
        lambda: insert(table).values(
            {column: bindparam(column, type_=table.c[column].type) for _name, column in _columns_of(model)}
        )
    )


_INSERTS = {model: _insert_statement(model) for model in (WalletLine, LedgerTransaction)}


async def lock_wallets_with(runner: Runner, ctx: AuthContext, wallet_ids: Sequence[str]) -> set[str]:
    """lock_wallets through a runner."""
    if not wallet_ids:
        return set()
    values = {"account_id": ctx.account_id, **listed("id", wallet_ids)}
    return set(await runner.scalars(_LOCK_WALLETS(len(wallet_ids)), values))


async def read_open_lines_of(runner: Runner, ctx: AuthContext, wallet_ids: Sequence[str]) -> list[LineRow]:
    """open_lines_of through a runner."""
    if not wallet_ids:
        return []
    values = {"account_id": ctx.account_id, **listed("id", wallet_ids)}
    return [LineRow(*row) for row in await runner.rows(_OPEN_LINES_OF(len(wallet_ids)), values)]


async def write_rows(
    runner: Runner, model: type[WalletLine] | type[LedgerTransaction], rows: Sequence[object]
) -> None:
    """insert_rows through a runner: one executemany."""
    if not rows:
        return
    columns = _columns_of(model)
    await runner.many(
        _INSERTS[model], [{column: getattr(row, name) for name, column in columns} for row in rows]
    )


# Core statements of the coupon reversal (perks.sql).

_TRANSACTIONS = table_of(LedgerTransaction)
_REVERSED = _TRANSACTIONS.alias("reversed")
_REVERSIBLE_TYPES = (TransactionType.ACCUMULATION, TransactionType.MIGRATION, TransactionType.REDEMPTION)
# What a reversal reads of its original (OriginalRow's fields, in order), then of the original's line.
_ORIGINAL_COLUMNS = [_TRANSACTIONS.c[name] for name in OriginalRow.__dataclass_fields__]
_UNREVERSED = statement(
    lambda: (
        scoped.select(scoped.bound(), _TRANSACTIONS, *_ORIGINAL_COLUMNS, *_LINE_COLUMNS)
        .join(
            _LINES,
            (_LINES.c.id == _TRANSACTIONS.c.line_id) & (_LINES.c.account_id == _TRANSACTIONS.c.account_id),
        )
        .where(
            _TRANSACTIONS.c.event_id == bindparam("event_id"),
            _TRANSACTIONS.c.type.in_(
                [bindparam(f"type{index}", kind.value) for index, kind in enumerate(_REVERSIBLE_TYPES)]
            ),
            ~exists().where(
                _REVERSED.c.account_id == _TRANSACTIONS.c.account_id,
                _REVERSED.c.reverses_id == _TRANSACTIONS.c.id,
            ),
        )
        .order_by(_TRANSACTIONS.c.id)
    )
)
_TAKE = statement(
    lambda: (
        scoped.update(scoped.bound(), _LINES)
        .where(
            _LINES.c.id == bindparam("line_id"),
            _LINES.c.remaining >= bindparam("amount", type_=_LINES.c.remaining.type),
        )
        .values(remaining=_LINES.c.remaining - bindparam("amount", type_=_LINES.c.remaining.type))
        .returning(_LINES.c.id)
    )
)
_GIVE = statement(
    lambda: (
        scoped.update(scoped.bound(), _LINES)
        .where(_LINES.c.id == bindparam("line_id"))
        .values(remaining=_LINES.c.remaining + bindparam("amount", type_=_LINES.c.remaining.type))
    )
)


async def read_unreversed(
    runner: Runner, ctx: AuthContext, event_id: str
) -> list[tuple[OriginalRow, LineRow]]:
    """The event's accumulations, migrations and redemptions that no REVERSAL points at yet, each with its
    line, by id: one read (event_transactions, reversed_ids and get_line)."""
    rows = await runner.rows(_UNREVERSED, {"account_id": ctx.account_id, "event_id": event_id})
    width = len(_ORIGINAL_COLUMNS)
    return [(OriginalRow(*row[:width]), LineRow(*row[width:])) for row in rows]


async def take_with(runner: Runner, ctx: AuthContext, line_id: str, amount: Decimal) -> bool:
    """take through a runner."""
    values = {"account_id": ctx.account_id, "line_id": line_id, "amount": amount}
    return await runner.first(_TAKE, values) is not None


async def give_with(runner: Runner, ctx: AuthContext, line_id: str, amount: Decimal) -> None:
    """give through a runner."""
    await runner.execute(_GIVE, {"account_id": ctx.account_id, "line_id": line_id, "amount": amount})
