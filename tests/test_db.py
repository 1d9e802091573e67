"""The database layer: one writer at a time per process on SQLite, read transactions that cannot write,
timezone-aware times on both databases."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from perks.db import Database
from perks.tenancy.models import Account
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
