"""GET /customers/{id} is a read transaction beside the writer: it shows the wallet as settling it would
leave it, without settling (no lock, no write), byte for byte what the settled wallet shows."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import httpx

from perks.db.database import Database
from perks.kit import clock
from perks.ledger import repository
from perks.ledger import service as ledger
from perks.loyalty.customers import service as customers
from perks.loyalty.customers.router import CustomerData
from tests.support.ledger import WalletHandle, registered_wallet, travel
from tests.support.tenants import LOYALTY, Tenant

POINTS = "0195f0c4-0000-7000-8000-000000000001"
STARS = "0195f0c4-0000-7000-8000-000000000002"


async def _read(client: httpx.AsyncClient, tenant: Tenant) -> bytes:
    response = await client.get(f"{LOYALTY}/customers/c1", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    return response.content


async def _settled_answer(database: Database, wallet: WalletHandle) -> bytes:
    """What the settle-then-show path answers: the wallet settled under its lock, then shown."""
    async with database.transaction() as session:
        customer = await customers.get(session, wallet.ctx, "c1")
        shown = await customers.with_wallet(session, wallet.ctx, customer)
    return CustomerData(data=shown).model_dump_json().encode()


async def _transaction_count(database: Database, wallet: WalletHandle) -> int:
    async with database.transaction(read_only=True) as session:
        return len(await repository.wallet_transactions(session, wallet.ctx, wallet.wallet_id))


async def test_a_read_shows_expired_lines_and_lapsed_reservations_as_settled_without_writing(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    await wallet.accumulate(POINTS, "40", expiration_date=clock.now() + timedelta(days=1))
    await wallet.accumulate(POINTS, "7.5")
    await wallet.accumulate(STARS, "10", expiration_date=clock.now() + timedelta(days=30))
    await wallet.reserve(STARS, "10", "holds-the-whole-line")  # its source line has nothing left
    await wallet.accumulate(POINTS, "3")
    await wallet.reserve(POINTS, "2", "still-running", days=10)  # from the 40: reserved, it stays
    travel(tenant, timedelta(days=1, hours=1))  # the 40 expired, the 24-hour reservation lapsed
    written = await _transaction_count(database, wallet)

    shown = await _read(client, tenant)

    assert await _transaction_count(database, wallet) == written  # the read wrote nothing
    wallet_json = CustomerData.model_validate_json(shown).data.wallet
    assert {total.reward_id: total.total for total in wallet_json.totals} == {POINTS: 10.5, STARS: 10}
    assert sorted(line.amount for line in wallet_json.lines) == [2, 3, 7.5, 10]
    settled = await _settled_answer(database, wallet)
    assert await _transaction_count(database, wallet) == written + 1  # the settling wrote the EXPIRATION
    assert shown == settled
    assert await _read(client, tenant) == settled


async def test_a_read_answers_while_a_write_transaction_is_open(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    await wallet.accumulate(POINTS, "5")
    async with database.transaction() as session:
        # The write slot and the wallet's lock are held (SQLite: BEGIN IMMEDIATE; PostgreSQL: the row).
        assert await repository.lock_wallet(session, wallet.ctx, wallet.wallet_id)
        await ledger.accumulate(session, wallet.ctx, wallet.wallet_id, POINTS, Decimal(1))
        shown = await asyncio.wait_for(_read(client, tenant), timeout=10)
    view = CustomerData.model_validate_json(shown).data.wallet
    assert [total.total for total in view.totals] == [5]  # the open transaction's line is not seen
    assert [
        total.total
        for total in CustomerData.model_validate_json(await _read(client, tenant)).data.wallet.totals
    ] == [6]
