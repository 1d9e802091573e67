"""How Perks opens SQLite: WAL mode with foreign keys on, write transactions that start with BEGIN
IMMEDIATE so that two writers never interleave (DESIGN rule 3), reads that start a plain deferred BEGIN
on a query_only connection, statements run on the event loop's thread (perks.sqlite_inline), and a
database file readable by its owner only."""

from __future__ import annotations

import os
import sqlite3
from contextlib import suppress
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import registry
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

READ_ONLY = "perks_read_only"
registry.register("sqlite.perks_inline", "perks.sqlite_inline", "InlineSQLiteDialect")


def create_private_file(url: str) -> None:
    """Create a SQLite database file readable by its owner only (0600, like its .secret); SQLite gives the
    -wal and -shm files it creates beside it the same mode."""
    path = make_url(url).database
    if not url.startswith("sqlite") or not path or path == ":memory:" or path.startswith("file:"):
        return
    # An existing file keeps its mode; a directory we cannot write is SQLite's error to report.
    with suppress(OSError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def inline_sqlite_url(url: str) -> str:
    """Any SQLite URL runs on the inline driver, whatever driver it names."""
    return str(make_url(url).set(drivername="sqlite+perks_inline").render_as_string(hide_password=False))


def open_reader(path: str) -> sqlite3.Connection:
    """A query_only connection of the process's own, for the hot paths' read transactions."""
    reader = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    for pragma in ("foreign_keys=ON", "busy_timeout=30000", "query_only=1"):
        reader.execute(f"PRAGMA {pragma}")
    return reader


def configure_sqlite(engine: AsyncEngine) -> None:
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
