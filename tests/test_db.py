"""The database layer: one writer at a time per process on SQLite, read transactions that cannot write,
timezone-aware times on both databases."""

from __future__ import annotations

import asyncio
import os
import stat
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import OperationalError

from perks.config import Settings
from perks.db.database import Database
from perks.db.migrate import migrate
from perks.db.types import UTCDateTime
from perks.sql import statement
from perks.tenancy.models import Account
from tests.support.databases import sqlite_url
from tests.support.tenants import AFFILIATE, Tenant


async def test_concurrent_writes_in_one_process_all_succeed(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    async def create(index: int) -> int:
        response = await client.post(
            f"{AFFILIATE}/workspaces", headers=tenant.affiliate, json={"name": f"w{index}"}
        )
        return response.status_code

    started = time.monotonic()
    statuses = await asyncio.gather(*(create(index) for index in range(25)))
    assert statuses == [201] * 25
    assert time.monotonic() - started < 20  # no lock waits of the 30 s busy timeout
    listing = await client.get(f"{AFFILIATE}/workspaces/list?limit=100", headers=tenant.affiliate)
    assert listing.json()["data"]["pagination"]["total"] == 26


async def test_a_write_inside_a_read_transaction_fails_at_once(database: Database) -> None:
    if not database.is_sqlite:
        pytest.skip("PostgreSQL read transactions are ordinary transactions")
    with pytest.raises(OperationalError, match="readonly"):
        async with database.transaction(read_only=True) as session:
            await session.execute(
                text("INSERT INTO accounts (id, name, created_at) VALUES ('x', 'x', '2026-01-01')")
            )
    async with database.transaction(read_only=True) as session:
        assert await session.scalar(select(Account).where(Account.id == "x")) is None


async def test_times_come_back_timezone_aware_in_utc(database: Database) -> None:
    moment = datetime(2026, 3, 1, 12, 30, 15, 123000, tzinfo=UTC)
    async with database.transaction() as session:
        account = Account(name="clock", created_at=moment)
        session.add(account)
    async with database.transaction(read_only=True) as session:
        stored = await session.scalar(select(Account.created_at).where(Account.id == account.id))
    assert stored == moment
    assert stored is not None and stored.utcoffset() is not None


def test_sqlite_text_with_or_without_an_offset_reads_as_the_same_utc_moment() -> None:
    # What SQLAlchemy wrote (naive UTC, with or without microseconds), and text another tool wrote with
    # an offset: all read as aware UTC datetimes.
    parse = UTCDateTime().result_processor(sqlite.dialect(), None)
    assert parse("2026-03-01 12:30:15.123000") == datetime(2026, 3, 1, 12, 30, 15, 123000, tzinfo=UTC)
    assert parse("2026-03-01 12:30:15") == datetime(2026, 3, 1, 12, 30, 15, tzinfo=UTC)
    moved = parse("2026-03-01 14:30:15+02:00")
    assert moved == datetime(2026, 3, 1, 12, 30, 15, tzinfo=UTC) and moved.tzinfo == UTC
    assert parse(None) is None


def test_sqlite_text_of_a_moment_is_the_same_whether_or_not_it_was_just_written() -> None:
    # The bind keeps the last value's text: a value met again, or a different moment after it, must
    # still be written as itself.
    write = UTCDateTime().bind_processor(sqlite.dialect())
    assert write is not None
    noon = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    in_paris = datetime(2026, 3, 1, 14, 0, 0, 5, tzinfo=timezone(timedelta(hours=2)))
    naive = datetime(2026, 3, 1, 9, 30)
    for _ in range(2):
        assert write(noon) == "2026-03-01 12:00:00.000000"
        assert write(noon) == "2026-03-01 12:00:00.000000"
        assert write(in_paris) == "2026-03-01 12:00:00.000005"
        assert write(naive) == "2026-03-01 09:30:00.000000"
        assert write(None) is None
    assert write(noon + timedelta(microseconds=1)) == "2026-03-01 12:00:00.000001"


async def test_a_new_sqlite_database_its_wal_and_secret_are_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path)
    umask = os.umask(0o022)  # the usual default, under which files are created 0644
    try:
        migrate(url)
        database = Database(url)
        try:
            async with database.transaction() as session:
                await session.execute(text("CREATE TABLE probe (x INTEGER)"))
                await session.execute(text("INSERT INTO probe VALUES (1)"))
            Settings(database_url=url).signing_secret  # noqa: B018  (creates the .secret beside it)
            files = sorted(tmp_path.iterdir())
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
        finally:
            await database.dispose()
    finally:
        os.umask(umask)
    assert {"perks-test.db", "perks-test.db-wal", "perks-test.db-shm", "perks-test.db.secret"} <= set(modes)
    assert set(modes.values()) == {0o600}, modes


async def test_pooled_postgresql_connections_the_server_ended_are_replaced_before_use(
    database: Database,
) -> None:
    """The server ends every connection of a pool (a restart, an administrator); each later transaction,
    hot read or session, gets a working connection instead of the ended one (perks.db.postgres)."""
    if database.is_sqlite:
        pytest.skip("SQLite has no server to end a connection")
    pooled = Database(database.url, pool_size=3)
    try:

        async def backend_pid() -> int:
            async with pooled.transaction(read_only=True) as session:
                await asyncio.sleep(0.05)  # held together: the pool opens a connection for each
                return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)

        pids = set(await asyncio.gather(*(backend_pid() for _ in range(3))))
        async with database.engine.connect() as admin:
            for pid in pids:
                await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await asyncio.sleep(0.2)  # the ended sockets are closed; asyncpg notices on its loop
        for _ in pids:  # as many checkouts as ended connections, of both kinds
            async with pooled.transaction() as session:
                assert await session.scalar(text("SELECT pg_backend_pid()")) not in pids
            async with pooled.reading() as runner:
                assert not set(await runner.scalars(_BACKEND_PID)) & pids
    finally:
        await pooled.dispose()


_BACKEND_PID = statement(lambda: text("SELECT pg_backend_pid()"))
