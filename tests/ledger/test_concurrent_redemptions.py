"""Several OS processes redeem from one wallet at once, each through its own Database: the balance never
goes negative, exactly as many redemptions succeed as the balance pays for, and totals equal the ledger."""

from __future__ import annotations

import asyncio
import multiprocessing
from decimal import Decimal
from typing import Any

import httpx

from perks.db.database import Database
from perks.ledger import service as ledger
from tests.support.ledger import registered_wallet
from tests.support.tenants import Tenant

REWARD = "points"
WORKERS = 4
ATTEMPTS = 6
PRICE = Decimal(7)
BALANCE = Decimal(100)


def redeem_in_a_process(
    url: str, account_id: str, wallet_id: str, start: Any, results: Any
) -> None:  # pragma: no cover - runs in a child process
    results.put(asyncio.run(_redeem_many(url, account_id, wallet_id, start)))


async def _redeem_many(url: str, account_id: str, wallet_id: str, start: Any) -> tuple[int, int]:
    database = Database(url, pool_size=2)
    ctx = ledger.system_context(account_id)
    succeeded = refused = 0
    start.wait()
    try:
        for _ in range(ATTEMPTS):
            try:
                async with database.transaction() as session:
                    await ledger.redeem(session, ctx, wallet_id, REWARD, PRICE)
                succeeded += 1
            except ledger.InsufficientBalance:
                refused += 1
    finally:
        await database.dispose()
    return succeeded, refused


async def test_concurrent_redemptions_never_overdraw(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant, "racer")
    await wallet.accumulate(REWARD, BALANCE)
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(WORKERS)
    results = spawn.Queue()
    workers = [
        spawn.Process(
            target=redeem_in_a_process,
            args=(database.url, tenant.account_id, wallet.wallet_id, start, results),
        )
        for _ in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    outcomes = [await asyncio.to_thread(results.get, True, 120) for _ in workers]
    for worker in workers:
        await asyncio.to_thread(worker.join, 30)
        assert worker.exitcode == 0
    succeeded = sum(ok for ok, _ in outcomes)
    refused = sum(no for _, no in outcomes)
    assert succeeded + refused == WORKERS * ATTEMPTS
    assert succeeded == int(BALANCE // PRICE)
    ledger_sum, left_on_lines, held = await wallet.ledger_sums()
    assert ledger_sum == left_on_lines == BALANCE - succeeded * PRICE
    assert held == 0
    assert await wallet.totals() == {REWARD: BALANCE - succeeded * PRICE}
