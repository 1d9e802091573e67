"""The Database: owns the engine and hands out sessions, one session, one transaction.

SQLite runs through perks.db.sqlite (WAL, BEGIN IMMEDIATE for writers, a write slot per process);
PostgreSQL runs through asyncpg with a connection pool.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from perks.db.postgres import configure_postgres
from perks.db.sqlite import READ_ONLY, configure_sqlite, create_private_file, inline_sqlite_url, open_reader
from perks.kit import encoding
from perks.sql import Runner, connection_runner


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT construct, which has on_conflict_do_nothing / on_conflict_do_update."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def advisory_lock(session: AsyncSession, key: int) -> None:
    """Hold PostgreSQL's transaction-scoped advisory lock `key` until the transaction ends, so concurrent
    starts do one-time work once. SQLite needs none: its writers already run one at a time."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


class Database:
    """Owns the engine and hands out sessions: one session, one transaction.

    On SQLite, statements run on the event loop's thread (see perks.sqlite_inline) and write
    transactions are admitted one at a time per process, so a writer never waits for a lock that
    another coroutine of the same loop holds."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            create_private_file(url)
            self.engine = create_async_engine(
                inline_sqlite_url(url),
                connect_args={"timeout": 30},
                json_serializer=encoding.dumps,
                json_deserializer=encoding.loads,
                hide_parameters=True,
            )
            configure_sqlite(self.engine)
        else:
            self.engine = create_async_engine(
                url,
                pool_size=pool_size,
                max_overflow=pool_size * 2,
                json_serializer=encoding.dumps,
                json_deserializer=encoding.loads,
                # Errors and their tracebacks name the statement, never the values (customer data).
                hide_parameters=True,
            )
            configure_postgres(self.engine)  # closed connections replaced at checkout, without a ping
        self._write_lock = asyncio.Lock()
        # SQLite: the hot paths' read connections (see `reading`); None: reads go through the engine.
        self._sqlite_path = make_url(url).database or ""
        self._sqlite_dialect = self.engine.dialect
        self._readers: list[sqlite3.Connection] | None = (
            [] if self.is_sqlite and self._sqlite_path not in ("", ":memory:") else None
        )
        self._writer = async_sessionmaker(self.engine, expire_on_commit=False)
        self._reader = async_sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @asynccontextmanager
    async def write_slot(self, *, read_only: bool) -> AsyncIterator[None]:
        """Held for the whole of a SQLite write transaction; free for reads and for PostgreSQL."""
        if read_only or not self.is_sqlite:
            yield
            return
        async with self._write_lock:
            yield

    @asynccontextmanager
    async def transaction(self, *, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed if the block succeeds, rolled back if it raises."""
        maker = self._reader if read_only else self._writer
        async with self.write_slot(read_only=read_only), maker() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Runner]:
        """A read transaction for the hot paths' Core statements (perks.sql), beside the writer: on SQLite
        a plain BEGIN on a query_only connection of the process's own (no pool, no session: about 10 µs
        instead of 300), on PostgreSQL a pooled connection whose statements each read what is committed
        (READ COMMITTED, as a transaction there would, without the BEGIN and ROLLBACK round trips)."""
        if self._readers is None:
            async with self.engine.connect() as connection:
                yield await connection_runner(connection, begin=False)
            return
        reader = self._readers.pop() if self._readers else open_reader(self._sqlite_path)
        reader.execute("BEGIN")
        try:
            yield Runner(self._sqlite_dialect, reader)
        finally:
            try:
                reader.execute("ROLLBACK")  # a read transaction: nothing to keep
            except sqlite3.Error:
                reader.close()
            else:
                self._readers.append(reader)

    async def reachable(self) -> bool:
        """Whether a read transaction can be opened and run a statement (the readiness probe)."""
        try:
            async with self.transaction(read_only=True) as session:
                await session.execute(text("SELECT 1"))
        except Exception:  # any failure to reach the database means "not reachable"
            return False
        return True

    def session(self, *, read_only: bool = False) -> AsyncSession:
        """A bare session for callers that hold write_slot() and commit themselves (the HTTP unit of work)."""
        return (self._reader if read_only else self._writer)()

    async def dispose(self) -> None:
        for reader in self._readers or []:
            reader.close()
        self._readers = [] if self._readers is not None else None
        await self.engine.dispose()
