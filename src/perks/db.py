"""Database engines, the declarative base, column types and the migration entry point.

SQLite runs in WAL mode with foreign keys on; write transactions start with BEGIN IMMEDIATE so that two
writers never interleave (DESIGN rule 3), while reads start a plain deferred BEGIN. PostgreSQL runs through
asyncpg with a connection pool.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, DateTime, ForeignKey, MetaData, String, Table, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, registry, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from perks.kit import clock, encoding
from perks.kit.clock import as_utc
from perks.kit.ids import new_id

if TYPE_CHECKING:
    from perks.sql import Runner

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


ModelT = TypeVar("ModelT", bound=Base)
T = TypeVar("T")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = as_utc(value)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # The text SQLAlchemy's SQLite DATETIME writes ("2026-01-31 12:00:00.000000", naive UTC), made by
        # one C call: isoformat with microseconds always has their six digits.
        def text(value: Any) -> str | None:
            if value is None:
                return None
            if value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            return str(value.isoformat(" ", "microseconds"))

        return text

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None]:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)  # type: ignore[return-value]

        # SQLite keeps the naive UTC text SQLAlchemy wrote ("2026-01-31 12:00:00.000000"); parsed in one
        # C call instead of SQLAlchemy's regular expression and a second conversion to UTC.
        def parse(value: Any) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)

        return parse


JSONDocument = JSON().with_variant(postgresql.JSONB(), "postgresql")

READ_ONLY = "perks_read_only"
registry.register("sqlite.perks_inline", "perks.sqlite_inline", "InlineSQLiteDialect")


def table_of(model: type[Base]) -> Table:
    """A mapped class's table, typed for Core statements (update(), insert() with executemany)."""
    return cast(Table, model.__table__)


def transient(model: type[ModelT], **values: Any) -> ModelT:
    """A new instance filled without the ORM's attribute events (several times cheaper than the
    constructor): for rows written with Core (executemany) and only read afterwards, never added to a
    session."""
    instance = cast(ModelT, sa_inspect(model).class_manager.new_instance())
    instance.__dict__.update(values)
    return instance


# PostgreSQL's "deadlock detected" and "could not serialize": the transaction was rolled back whole and
# may simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
RETRY_ATTEMPTS = 3


def is_retryable(error: BaseException) -> bool:
    """A database error after which running the same transaction again may succeed."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) in RETRYABLE_SQLSTATES


async def retrying(transaction: Callable[[], Awaitable[T]]) -> T:
    """Run `transaction` (a whole transaction, from BEGIN to COMMIT) again, up to RETRY_ATTEMPTS times in
    all, while PostgreSQL rolls it back as a deadlock's victim or for a serialization failure."""
    for attempt in range(1, RETRY_ATTEMPTS + 1):
        try:
            return await transaction()
        except DBAPIError as error:
            if attempt == RETRY_ATTEMPTS or not is_retryable(error):
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT construct, which has on_conflict_do_nothing / on_conflict_do_update."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


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
                _inline_sqlite_url(url),
                connect_args={"timeout": 30},
                json_serializer=encoding.dumps,
                hide_parameters=True,
            )
            _configure_sqlite(self.engine)
        else:
            self.engine = create_async_engine(
                url,
                pool_size=pool_size,
                max_overflow=pool_size * 2,
                pool_pre_ping=True,
                json_serializer=encoding.dumps,
                # Errors and their tracebacks name the statement, never the values (customer data).
                hide_parameters=True,
            )
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
        from perks.sql import Runner, connection_runner  # perks.sql builds on this module

        if self._readers is None:
            async with self.engine.connect() as connection:
                yield await connection_runner(connection, begin=False)
            return
        reader = self._readers.pop() if self._readers else self._open_reader()
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

    def _open_reader(self) -> sqlite3.Connection:
        reader = sqlite3.connect(self._sqlite_path, timeout=30, isolation_level=None, check_same_thread=False)
        for pragma in ("foreign_keys=ON", "busy_timeout=30000", "query_only=1"):
            reader.execute(f"PRAGMA {pragma}")
        return reader

    def session(self, *, read_only: bool = False) -> AsyncSession:
        """A bare session for callers that hold write_slot() and commit themselves (the HTTP unit of work)."""
        return (self._reader if read_only else self._writer)()

    async def dispose(self) -> None:
        for reader in self._readers or []:
            reader.close()
        self._readers = [] if self._readers is not None else None
        await self.engine.dispose()


def create_private_file(url: str) -> None:
    """Create a SQLite database file readable by its owner only (0600, like its .secret); SQLite gives the
    -wal and -shm files it creates beside it the same mode."""
    path = make_url(url).database
    if not url.startswith("sqlite") or not path or path == ":memory:" or path.startswith("file:"):
        return
    # An existing file keeps its mode; a directory we cannot write is SQLite's error to report.
    with suppress(OSError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _inline_sqlite_url(url: str) -> str:
    """Any SQLite URL runs on the inline driver, whatever driver it names."""
    return str(make_url(url).set(drivername="sqlite+perks_inline").render_as_string(hide_password=False))


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
            "synchronous=NORMAL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        # query_only turns an accidental write in a read transaction into an immediate error, instead of a
        # lock upgrade that could wait on the event loop it blocks.
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("PRAGMA query_only=1")
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("PRAGMA query_only=0")
            connection.exec_driver_sql("BEGIN IMMEDIATE")


MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema to the newest revision of every branch. Safe to call from a running event loop."""
    config = alembic_config(url)
    create_private_file(url)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(config, "heads")
        return
    # Alembic's async env runs its own event loop; give it a thread of its own.
    import threading

    failure: list[BaseException] = []

    def run() -> None:
        try:
            command.upgrade(config, "heads")
        except BaseException as error:  # handed back to the caller below
            failure.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


# Column mixins shared by every domain's models.


class IdMixin:
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


class TenantMixin:
    """Every tenant-owned row carries its account; repositories filter on it (DESIGN rule 2)."""

    @declared_attr
    def account_id(cls) -> Mapped[str]:
        return mapped_column(String(36), ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
