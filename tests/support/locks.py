"""Row locks held by a transaction beside the app's, to make PostgreSQL deadlocks happen on purpose."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import TableClause, column, select, table, text
from sqlalchemy.ext.asyncio import AsyncConnection

from perks.db.database import Database


@asynccontextmanager
async def patient_transaction(database: Database) -> AsyncIterator[AsyncConnection]:
    """A transaction (committed at the end of the block) that waits 10 s before looking for a deadlock.
    The app's transactions look after 1 s (the default), so in a deadlock between the two PostgreSQL
    always rolls back the app's side, the one under test."""
    async with database.engine.connect() as other:
        await other.execute(text("SET LOCAL deadlock_timeout = '10s'"))
        yield other
        await other.commit()


def _rows(name: str) -> TableClause:
    return table(name, column("id"), column("account_id"))


async def lock_row(connection: AsyncConnection, table_name: str, row_id: str) -> None:
    """SELECT .. FOR UPDATE of one row by id (waits while another transaction holds it)."""
    rows = _rows(table_name)
    await connection.execute(select(rows.c.id).where(rows.c.id == row_id).with_for_update())


async def row_ids(connection: AsyncConnection, table_name: str, account_id: str) -> list[str]:
    """The ids of the account's rows, in id order (the order batches lock them in)."""
    rows = _rows(table_name)
    found = await connection.execute(
        select(rows.c.id).where(rows.c.account_id == account_id).order_by(rows.c.id)
    )
    return [str(row_id) for row_id in found.scalars()]
