"""SQLite for SQLAlchemy's asyncio engine, run on the event loop's own thread.

aiosqlite runs every statement on a worker thread and wakes the event loop for each result; on the
2-core machines Perks targets that hop costs about a millisecond a statement, while the statements
themselves take microseconds (bench/README.md has the figures). This module gives SQLAlchemy's aiosqlite
adapter an aiosqlite-shaped connection whose coroutines complete at once, so a statement costs what
SQLite costs.

The price: a statement that waits for a lock blocks the loop. Two things keep that from happening:
within a process, `perks.db.database.Database` admits one write transaction at a time (an asyncio lock taken
before BEGIN IMMEDIATE), and readers never wait in WAL mode. Only another process's write transaction
can make a writer wait, for as long as that transaction runs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Generator, Iterable, Sequence
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi, SQLiteDialect_aiosqlite


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        self._cursor.execute(sql, parameters or ())
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *_sizes: Any) -> None:
        return None


class _RunNow:
    """Stands in for aiosqlite's request queue: runs the request at once and settles its future."""

    def put_nowait(self, item: tuple[Any, Any]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to the awaiting caller through the future
            future.set_exception(error)


class _NoThread:
    daemon = True


class InlineConnection:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection = connection
        self._tx = _RunNow()
        self._thread = _NoThread()

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self
        yield  # makes this a generator: awaiting a fresh connection completes at once

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    def stop(self) -> None:
        self._conn.close()


class _InlineDriver:
    """The module-shaped object SQLAlchemy's aiosqlite adapter expects in place of `aiosqlite`."""

    Connection = InlineConnection
    __version__ = "0.0-inline"
    DatabaseError = sqlite3.DatabaseError
    Error = sqlite3.Error
    IntegrityError = sqlite3.IntegrityError
    NotSupportedError = sqlite3.NotSupportedError
    OperationalError = sqlite3.OperationalError
    ProgrammingError = sqlite3.ProgrammingError
    sqlite_version = sqlite3.sqlite_version
    sqlite_version_info = sqlite3.sqlite_version_info

    @staticmethod
    def connect(database: str, **kwargs: Any) -> InlineConnection:
        kwargs.pop("loop", None)
        kwargs["check_same_thread"] = False
        return InlineConnection(sqlite3.connect(database, **kwargs))


class InlineSQLiteDialect(SQLiteDialect_aiosqlite):
    driver = "perks_inline"
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> AsyncAdapt_aiosqlite_dbapi:
        return AsyncAdapt_aiosqlite_dbapi(_InlineDriver, sqlite3)  # type: ignore[arg-type]
