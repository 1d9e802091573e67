"""The floor, layer by layer: the same statements through the ORM, Core, text() on a SQLAlchemy session,
perks.sql (Core compiled once, run on the driver) and the raw driver, side by side, in one process on one
database. Per layer: one transaction that reads a wallet's 30 lines (the customer read's biggest
statement) and one that locks a wallet, inserts a line and its transaction (an event's write), timed in
process CPU per transaction.

    python -m bench.layers [--transactions N]
    PERKS_BENCH_POSTGRES_URL=postgresql+asyncpg://... python -m bench.layers   # PostgreSQL too
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update

from bench.support import POSTGRES_ENV, machine
from perks.db.base import table_of
from perks.db.database import Database
from perks.db.migrate import migrate
from perks.kit.ids import new_id
from perks.ledger.models import LedgerTransaction, Wallet, WalletLine
from perks.loyalty.customers.models import Customer
from perks.sql import Runner, runner_of, statement
from perks.tenancy.models import Account

LINES = table_of(WalletLine)
WALLETS = table_of(Wallet)
COLUMNS = ["id", "wallet_id", "reward_id", "amount", "remaining", "issued_at", "expiration_date"]
READ_SQL = (
    "SELECT id, wallet_id, reward_id, amount, remaining, issued_at, expiration_date FROM wallet_lines "
    "WHERE account_id = :account_id AND wallet_id = :wallet_id AND remaining > 0 ORDER BY issued_at, id"
)
READ = statement(
    lambda: (
        select(*[LINES.c[name] for name in COLUMNS])
        .where(
            LINES.c.account_id == bindparam("account_id"),
            LINES.c.wallet_id == bindparam("wallet_id"),
            LINES.c.remaining > 0,
        )
        .order_by(LINES.c.issued_at, LINES.c.id)
    )
)


def _lock() -> Any:
    # Parameters named apart from the columns: SQLAlchemy reserves column names for an UPDATE's SET.
    return (
        update(WALLETS)
        .where(WALLETS.c.account_id == bindparam("b_account"), WALLETS.c.id == bindparam("b_wallet"))
        .values(version=WALLETS.c.version + 1)
        .returning(WALLETS.c.id)
    )


LOCK = statement(_lock)


async def setup(database: Database) -> tuple[str, str, str]:
    """An account, a customer with a wallet of 30 lines (read) and another wallet (written to)."""
    now = datetime.now(UTC)
    async with database.transaction() as session:
        account = Account(name="layers")
        session.add(account)
        await session.flush()
        customer = Customer(
            account_id=account.id,
            external_id="c",
            name="c",
            registration_date=now,
            status="ACTIVE",
            is_anonymous=False,
            platforms=[],
            devices=[],
            tags={},
            metrics={},
            metadata_={},
        )
        session.add(customer)
        await session.flush()
        wallet = Wallet(account_id=account.id, customer_id=customer.id, version=0)
        session.add(wallet)
        await session.flush()
        other = Customer(
            account_id=account.id,
            external_id="w",
            name="w",
            registration_date=now,
            status="ACTIVE",
            is_anonymous=False,
            platforms=[],
            devices=[],
            tags={},
            metrics={},
            metadata_={},
        )
        session.add(other)
        await session.flush()
        written = Wallet(account_id=account.id, customer_id=other.id, version=0)
        session.add(written)
        for n in range(30):
            session.add(
                WalletLine(
                    account_id=account.id,
                    wallet_id=wallet.id,
                    reward_id="r",
                    amount=Decimal(n + 1),
                    remaining=Decimal(n + 1),
                    issued_at=now - timedelta(minutes=n),
                    expiration_date=now + timedelta(days=30),
                )
            )
        await session.flush()
        return account.id, wallet.id, written.id


def line_row(account_id: str, wallet_id: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": new_id(),
        "account_id": account_id,
        "wallet_id": wallet_id,
        "reward_id": "r",
        "campaign_id": None,
        "brand_id": None,
        "event_id": None,
        "amount": Decimal(5),
        "remaining": Decimal(5),
        "issued_at": now,
        "expiration_date": None,
        "reservation_id": None,
        "reservation_expires_at": None,
        "source_line_id": None,
        "created_at": now,
    }


def transaction_row(account_id: str, line: dict[str, Any]) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "id": new_id(),
        "account_id": account_id,
        "wallet_id": line["wallet_id"],
        "line_id": line["id"],
        "type": "ACCUMULATION",
        "amount": Decimal(5),
        "reward_id": "r",
        "campaign_id": None,
        "brand_id": None,
        "event_id": None,
        "event_type": None,
        "channel_id": None,
        "store_id": None,
        "funded_by": None,
        "reward_type": None,
        "cost": None,
        "details": None,
        "sender_id": None,
        "receiver_id": None,
        "reverses_id": None,
        "attributes": {"line": {"id": line["id"]}},
        "metadata": {},
        "issued_at": now,
        "created_at": now,
    }


Layer = Callable[[], Awaitable[None]]


def layers(
    database: Database, account_id: str, wallet_id: str, written: str
) -> dict[str, tuple[Layer, Layer]]:
    keys = {"account_id": account_id, "wallet_id": wallet_id}
    lock = {"b_account": account_id, "b_wallet": written}
    lines, transactions = table_of(WalletLine), table_of(LedgerTransaction)

    async def orm_read() -> None:
        async with database.transaction(read_only=True) as session:
            rows = await session.scalars(
                select(WalletLine)
                .where(
                    WalletLine.account_id == account_id,
                    WalletLine.wallet_id == wallet_id,
                    WalletLine.remaining > 0,
                )
                .order_by(WalletLine.issued_at, WalletLine.id)
            )
            assert len(rows.all()) >= 30

    async def orm_write() -> None:
        async with database.transaction() as session:
            await session.execute(
                update(Wallet)
                .where(Wallet.account_id == account_id, Wallet.id == written)
                .values(version=Wallet.version + 1)
            )
            row = line_row(account_id, written)
            session.add(WalletLine(**row))
            tx = transaction_row(account_id, row)
            tx["metadata_"] = tx.pop("metadata")
            session.add(LedgerTransaction(**tx))

    async def core_read() -> None:
        async with database.transaction(read_only=True) as session:
            result = await session.execute(READ._build("x"), keys)  # the same construct, Core
            assert len(result.all()) >= 30

    async def core_write() -> None:
        async with database.transaction() as session:
            await session.execute(_lock(), lock)
            row = line_row(account_id, written)
            await session.execute(insert(lines), [row])
            await session.execute(insert(transactions), [transaction_row(account_id, row)])

    async def text_read() -> None:
        async with database.transaction(read_only=True) as session:
            result = await session.execute(text(READ_SQL), keys)
            assert len(result.all()) >= 30

    async def sql_read() -> None:
        async with database.reading() as runner:
            assert len(await runner.rows(READ, keys)) >= 30

    async def sql_write() -> None:
        async with database.transaction() as session:
            runner: Runner = await runner_of(session)
            await runner.execute(LOCK, lock)
            row = line_row(account_id, written)
            await runner.many(LINE_INSERT, [row])
            await runner.many(TRANSACTION_INSERT, [transaction_row(account_id, row)])

    return {
        "ORM (session, mapped classes)": (orm_read, orm_write),
        "Core (session, table constructs)": (core_read, core_write),
        "text() (session)": (text_read, core_write),
        "perks.sql (compiled once, on the driver)": (sql_read, sql_write),
    }


LINE_INSERT = statement(
    lambda: insert(LINES).values({c.key: bindparam(c.key, type_=c.type) for c in LINES.columns})
)
TRANSACTIONS = table_of(LedgerTransaction)
TRANSACTION_INSERT = statement(
    lambda: insert(TRANSACTIONS).values({c.key: bindparam(c.key, type_=c.type) for c in TRANSACTIONS.columns})
)


def raw_sqlite(path: str, account_id: str, wallet_id: str, written: str, count: int) -> tuple[float, float]:
    """The raw sqlite3 driver: the same SQL, values converted by hand."""
    connection = sqlite3.connect(path, isolation_level=None)
    sql = READ_SQL.replace(":account_id", "?").replace(":wallet_id", "?")
    started = time.process_time()
    for _ in range(count):
        connection.execute("BEGIN")
        rows = connection.execute(sql, (account_id, wallet_id)).fetchall()
        [(row[0], Decimal(row[3]) / 10000, datetime.fromisoformat(row[5])) for row in rows]
        connection.execute("COMMIT")
    read = (time.process_time() - started) / count
    started = time.process_time()
    for _ in range(count):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE wallets SET version = version + 1 WHERE account_id = ? AND id = ?",
            (account_id, written),
        )
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        line_id = new_id()
        connection.execute(
            "INSERT INTO wallet_lines (id, account_id, wallet_id, reward_id, amount, remaining, issued_at, "
            "created_at) VALUES (?, ?, ?, 'r', 50000, 50000, ?, ?)",
            (line_id, account_id, written, now, now),
        )
        connection.execute(
            "INSERT INTO ledger_transactions (id, account_id, wallet_id, line_id, type, amount, reward_id, "
            "attributes, metadata, issued_at, created_at) "
            "VALUES (?, ?, ?, ?, 'ACCUMULATION', 50000, 'r', '{}', '{}', ?, ?)",
            (new_id(), account_id, written, line_id, now, now),
        )
        connection.execute("COMMIT")
    write = (time.process_time() - started) / count
    connection.close()
    return read, write


async def measure(url: str, count: int) -> None:
    migrate(url)
    database = Database(url)
    account_id, wallet_id, written = await setup(database)
    print(f"{'layer':<44} {'read 30 lines':>14} {'lock + 2 inserts':>17}   (process CPU per transaction)")
    for name, (read, write) in layers(database, account_id, wallet_id, written).items():
        for job in (read, write):  # warm-up
            for _ in range(20):
                await job()
        figures = []
        for job in (read, write):
            started = time.process_time()
            for _ in range(count):
                await job()
            figures.append((time.process_time() - started) / count * 1e6)
        print(f"{name:<44} {figures[0]:>11.0f} us {figures[1]:>14.0f} us")
    if database.is_sqlite:
        read, write = raw_sqlite(url.split("///", 1)[1], account_id, wallet_id, written, count)
        print(f"{'raw driver (sqlite3)':<44} {read * 1e6:>11.0f} us {write * 1e6:>14.0f} us")
    await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--transactions", type=int, default=500)
    args = parser.parse_args()
    print(machine())
    print("load average: " + " ".join(f"{value:.2f}" for value in os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="perks-layers-") as directory:
        print("SQLite:")
        asyncio.run(measure(f"sqlite+aiosqlite:///{directory}/layers.db", args.transactions))
    if os.environ.get(POSTGRES_ENV):
        print("PostgreSQL:")
        asyncio.run(measure(os.environ[POSTGRES_ENV], args.transactions))


if __name__ == "__main__":
    main()
