"""The reservation expiry job of `perks worker`: lapsed unfulfilled events are stored as EXPIRED and their
reserved rewards go back to the wallet, once, on both databases."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from perks.db.database import Database
from perks.ledger import repository as ledger_repository
from perks.ledger import service as ledger
from perks.ledger.models import LedgerTransaction
from perks.loyalty.events import jobs
from perks.loyalty.events.models import BehaviorEvent
from perks.worker import run_periodic_jobs
from tests.support.events import EVENTS, funded, purchase, sent, started, totals
from tests.support.tenants import Tenant

DAY_AND_AN_HOUR = 60 * 25


def unfulfilled(amount: int, **fields: Any) -> dict[str, Any]:
    return purchase(0, fulfilled=False, redeem=[{"id": fields.pop("reward"), "amount": amount}], **fields)


async def shown(client: httpx.AsyncClient, tenant: Tenant, event_id: str) -> dict[str, Any]:
    response = await client.get(f"{EVENTS}/{event_id}", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def stored(database: Database, event_id: str) -> tuple[str, Any, Any]:
    """(status, expired_at, reservation_expires_at) as the row holds them."""
    async with database.transaction(read_only=True) as session:
        event = await session.get(BehaviorEvent, event_id)
        assert event is not None
        return event.status, event.expired_at, event.reservation_expires_at


async def held(database: Database, tenant: Tenant, event_id: str) -> Decimal:
    """What the event's reservation still holds in the ledger (nothing settles it on this read)."""
    async with database.transaction(read_only=True) as session:
        lines = await ledger_repository.reserved_lines(
            session, ledger.system_context(tenant.account_id), event_id
        )
    return sum((line.remaining for line in lines), Decimal(0))


async def transaction_count(database: Database, tenant: Tenant) -> int:
    async with database.transaction(read_only=True) as session:
        count = await session.scalar(
            select(func.count())
            .select_from(LedgerTransaction)
            .where(LedgerTransaction.account_id == tenant.account_id)
        )
    return int(count or 0)


async def test_the_worker_stores_lapsed_events_as_expired_and_releases_their_rewards(
    app: FastAPI, client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    points = await funded(client, tenant, 50)
    lapsing = await sent(client, tenant, unfulfilled(30, reward=points))
    kept = await sent(client, tenant, unfulfilled(5, reward=points, reserve=3))
    started(tenant, minutes=DAY_AND_AN_HOUR)
    before = await shown(client, tenant, lapsing["id"])  # derived on read, before the job
    assert (before["status"], before["expired_at"]) == ("EXPIRED", before["reservation_expires_at"])
    assert (await stored(database, lapsing["id"]))[0] == "RESOLVED"
    assert await held(database, tenant, lapsing["id"]) == Decimal(30)
    await run_periodic_jobs(app.state.db, app.state.settings)
    status, expired_at, reservation_expires_at = await stored(database, lapsing["id"])
    assert (status, expired_at) == ("EXPIRED", reservation_expires_at)
    assert await held(database, tenant, lapsing["id"]) == Decimal(0)
    assert await shown(client, tenant, lapsing["id"]) == before  # the stored status reads the same
    assert (await stored(database, kept["id"]))[0] == "RESOLVED"  # its 3 days have not passed
    assert await held(database, tenant, kept["id"]) == Decimal(5)
    assert await totals(client, tenant) == {points: 45}
    refused = await client.patch(f"{EVENTS}/{lapsing['id']}/fulfill", headers=await tenant.loyalty(client))
    assert (refused.status_code, refused.json()["error"]) == (409, "Event has expired")
    written = await transaction_count(database, tenant)
    assert await jobs.expire_once(database) == 0  # a second run changes nothing
    assert await stored(database, lapsing["id"]) == (status, expired_at, reservation_expires_at)
    assert await totals(client, tenant) == {points: 45}
    assert await transaction_count(database, tenant) == written


async def test_concurrent_runs_expire_each_event_once(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    points = await funded(client, tenant, 60)
    events = [await sent(client, tenant, unfulfilled(10, reward=points)) for _ in range(5)]
    started(tenant, minutes=DAY_AND_AN_HOUR)
    # On PostgreSQL the two passes run on two connections at once, in batches of two.
    await asyncio.gather(jobs.expire_once(database, batch=2), jobs.expire_once(database, batch=2))
    for event in events:
        assert (await stored(database, event["id"]))[0] == "EXPIRED"
        assert await held(database, tenant, event["id"]) == Decimal(0)
    assert await totals(client, tenant) == {points: 60}
    reversed_ = await client.post(f"{EVENTS}/{events[0]['id']}/reverse", headers=await tenant.loyalty(client))
    assert reversed_.json()["data"]["status"] == "CANCELLED", reversed_.text  # as before the job
