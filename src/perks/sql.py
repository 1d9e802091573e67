"""Core statements compiled once, run on the driver: the hot paths' SQL (DESIGN rule 8).

SQLAlchemy spends 30-50 µs around every statement it executes (compiled-cache lookup, parameter and
result objects, events) where the driver spends 3-4. A `Statement` is a Core construct, built and compiled
once per dialect by SQLAlchemy itself: its SQL text, the order of its parameters, the bind processors of
their types and the result processors of its columns (Amount, UTCDateTime, JSON) are kept, and a `Runner`
executes it on the driver connection underneath a SQLAlchemy connection (sqlite3 on the inline SQLite
driver, asyncpg on PostgreSQL), in that connection's transaction. Rows come back as tuples, converted
exactly as SQLAlchemy converts them. The ORM and Core paths can share a transaction: they use the same
connection.

Parameters are named as in the construct (`bindparam("name")`); values fixed when the statement was built
are kept. A statement with a list of values (`IN`) is built per list length (`sized`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exc
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ClauseElement

from perks.db.base import ModelT, transient

Row = tuple[Any, ...]
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters in positional order
    fixed: Mapping[str, Any]  # values given when the statement was built
    binds: tuple[Processor, ...]
    # The result columns that have a processor (Amount, UTCDateTime, JSON), with their position: a row
    # converts only those (most columns are text or integers, returned by the driver as they are).
    converted: tuple[tuple[int, Callable[[Any], Any]], ...]

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        if self.fixed:
            values = {**self.fixed, **values}
        return tuple(
            [
                value if process is None or value is None else process(value)
                for name, process in zip(self.names, self.binds)  # noqa: B905 (same length, by _compile)
                for value in (values[name],)
            ]
        )

    def row(self, raw: Sequence[Any]) -> Row:
        out = list(raw)
        for index, process in self.converted:
            value = out[index]
            if value is not None:
                out[index] = process(value)
        return tuple(out)

    def rows(self, raw: list[Any]) -> list[Row]:
        """Driver rows as tuples (sqlite3's already are: kept as they are when nothing converts)."""
        if not self.converted:
            return raw if not raw or type(raw[0]) is tuple else [tuple(item) for item in raw]
        return [self.row(item) for item in raw]


class Statement:
    """A Core statement, built on first use and compiled once per dialect. `build` takes the dialect's
    name (for dialect-specific constructs such as ON CONFLICT)."""

    def __init__(self, build: Callable[[str], ClauseElement]) -> None:
        self._build = build
        self._compiled: dict[str, Compiled] = {}

    def compiled(self, dialect: Dialect) -> Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = _compile(self._build(dialect.name), dialect)
        return found


class Sized:
    """A statement whose shape depends on a count (an IN list, a multi-row VALUES): one per count."""

    def __init__(self, build: Callable[[int, str], ClauseElement]) -> None:
        self._build = build
        self._statements: dict[int, Statement] = {}

    def __call__(self, count: int) -> Statement:
        found = self._statements.get(count)
        if found is None:
            found = self._statements[count] = Statement(lambda dialect: self._build(count, dialect))
        return found


def statement(build: Callable[[], ClauseElement]) -> Statement:
    return Statement(lambda _dialect: build())


def sized(build: Callable[[int], ClauseElement]) -> Sized:
    return Sized(lambda count, _dialect: build(count))


def dialect_statement(build: Callable[[str], ClauseElement]) -> Statement:
    """A statement built for each dialect by name ("sqlite", "postgresql")."""
    return Statement(build)


def dialect_sized(build: Callable[[int, str], ClauseElement]) -> Sized:
    return Sized(build)


def insert_of(dialect: str) -> Any:
    """The dialect's INSERT construct (on_conflict_do_nothing / on_conflict_do_update)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _compile(construct: ClauseElement, dialect: Dialect) -> Compiled:
    compiled: Any = construct.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    processors = compiled._bind_processors
    binds = tuple(processors.get(name) for name in names)
    fixed = {name: parameter.value for name, parameter in compiled.binds.items() if not parameter.required}
    fixed = {name: fixed.get(name) for name in names if name in fixed}
    results = tuple(
        column.type._cached_result_processor(dialect, None) for column in compiled._result_columns
    )
    converted = tuple((index, process) for index, process in enumerate(results) if process is not None)
    return Compiled(compiled.string, names, fixed, binds, converted)


class Runner:
    """Runs statements on the driver connection of one SQLAlchemy connection, in its transaction."""

    def __init__(self, dialect: Dialect, driver: Any, adapter: Any = None) -> None:
        self.dialect = dialect
        self.is_sqlite = dialect.name == "sqlite"
        self._driver = driver
        self.adapter = adapter  # SQLAlchemy's asyncpg connection adapter, whose transaction is used

    async def rows(self, query: Statement, values: Mapping[str, Any] | None = None) -> list[Row]:
        compiled = query.compiled(self.dialect)
        parameters = compiled.parameters(values or {})
        try:
            if self.is_sqlite:
                raw = self._driver.execute(compiled.sql, parameters).fetchall()
            else:
                raw = await self._driver.fetch(compiled.sql, *parameters)
        except Exception as error:
            raise _translated(error, compiled.sql, parameters) from error
        return compiled.rows(raw)

    async def first(self, query: Statement, values: Mapping[str, Any] | None = None) -> Row | None:
        found = await self.rows(query, values)
        return found[0] if found else None

    async def scalars(self, query: Statement, values: Mapping[str, Any] | None = None) -> list[Any]:
        return [row[0] for row in await self.rows(query, values)]

    async def present(self, query: Sized, account_id: str, name: str, wanted: Collection[Any]) -> set[Any]:
        """Which of `wanted` an account's rows hold: `query(count)` selects one column, filtered with
        `in_list(column, count, name)` and by `:account_id`. One query; none for an empty `wanted`."""
        ordered = sorted(wanted)
        if not ordered:
            return set()
        values = {"account_id": account_id, **listed(name, ordered)}
        return set(await self.scalars(query(len(ordered)), values))

    async def execute(self, query: Statement, values: Mapping[str, Any] | None = None) -> None:
        await self.rows(query, values)

    async def many(self, query: Statement, rows: Sequence[Mapping[str, Any]]) -> None:
        """The statement once per row (executemany); returns nothing."""
        if not rows:
            return
        compiled = query.compiled(self.dialect)
        parameters = [compiled.parameters(row) for row in rows]
        try:
            if self.is_sqlite:
                self._driver.executemany(compiled.sql, parameters)
            else:
                await self._driver.executemany(compiled.sql, parameters)
        except Exception as error:
            raise _translated(error, compiled.sql, parameters[0]) from error

    async def sql(self, text: str) -> None:
        """A constant statement without parameters (BEGIN, SAVEPOINT ...)."""
        if self.is_sqlite:
            self._driver.execute(text)
        else:
            await self._driver.execute(text)


def _translated(error: Exception, sql: str, parameters: Any) -> Exception:
    """A driver error as SQLAlchemy raises it (IntegrityError, OperationalError, DBAPIError), so callers
    and perks.db.retries.retrying handle both paths alike."""
    if isinstance(error, exc.SQLAlchemyError):
        return error
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(error, sqlite3.IntegrityError) or (sqlstate or "").startswith("23"):
        return exc.IntegrityError(sql, parameters, error)
    if isinstance(error, sqlite3.OperationalError):
        return exc.OperationalError(sql, parameters, error)
    if isinstance(error, sqlite3.Error) or sqlstate is not None:
        return exc.DBAPIError(sql, parameters, error)
    return error


async def runner_of(session: AsyncSession) -> Runner:
    """The runner of the session's connection, in the session's transaction (begun if it was not). What
    the ORM holds pending is flushed first, so that statements of both kinds see each other's work.

    The runner is kept with the session's transaction: a hot path asks for it several times, and asking
    the session for its connection costs ~20 µs each time. (`identity_map.check_modified()` is the O(1)
    form of `session.dirty`, which walks every object the session holds.)"""
    sync = session.sync_session
    if sync.new or sync.deleted or sync.identity_map.check_modified():
        await session.flush()
    transaction = sync.get_transaction()
    kept: tuple[Any, Runner] | None = sync.info.get("perks_runner")
    if kept is not None and transaction is not None and kept[0] is transaction and transaction.is_active:
        return await _in_transaction(kept[1])
    runner = await connection_runner(await session.connection())
    sync.info["perks_runner"] = (sync.get_transaction(), runner)
    return runner


async def connection_runner(connection: AsyncConnection, *, begin: bool = True) -> Runner:
    """The runner of a connection, kept with its driver connection (pooled connections keep their info).
    `begin=False` (PostgreSQL reads): statements run outside a transaction, each seeing what is committed
    when it starts, as they would inside one at READ COMMITTED, without its BEGIN and ROLLBACK round trips."""
    info = connection.info
    runner: Runner | None = info.get("perks_runner")
    if runner is None:
        raw: Any = await connection.get_raw_connection()
        adapted = raw.dbapi_connection
        if connection.dialect.name == "sqlite":
            runner = Runner(connection.dialect, adapted._connection._conn)  # the inline driver's sqlite3
        else:
            runner = Runner(connection.dialect, adapted._connection, adapted)
        info["perks_runner"] = runner
    return await _in_transaction(runner) if begin else runner


async def _in_transaction(runner: Runner) -> Runner:
    """The runner, with the driver's transaction open: SQLAlchemy's asyncpg adapter opens it at its first
    statement, and a statement run beside it must find it open."""
    if runner.adapter is not None and runner.adapter._transaction is None:
        await runner.adapter._start_transaction()
    return runner


def attribute_columns(model: type[Any]) -> tuple[tuple[str, ...], list[Any]]:
    """A mapped class's attribute names and table columns, in one order: to select every column of a
    row with Core and load it with `loaded`."""
    attributes = sa_inspect(model).column_attrs
    return tuple(attribute.key for attribute in attributes), [
        attribute.columns[0] for attribute in attributes
    ]


def loaded(model: type[ModelT], keys: Sequence[str], row: Sequence[Any]) -> ModelT:
    """A row selected with `attribute_columns` as an instance of the mapped class, outside any session."""
    return transient(model, **dict(zip(keys, row, strict=True)))


def in_list(column: Any, count: int, name: str) -> Any:
    """`column IN (:name0, :name1, ...)` for a `sized` statement; `listed` names the values alike. The
    caller asks nothing of an empty list."""
    assert count > 0, "an empty IN list"
    return column.in_([bindparam(f"{name}{index}") for index in range(count)])


def listed(name: str, values: Sequence[Any]) -> dict[str, Any]:
    return {f"{name}{index}": value for index, value in enumerate(values)}
