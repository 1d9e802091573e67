"""Group-committed behavior events (perks.loyalty.events.batch) on both databases: a mixed batch written
directly, then concurrent requests through the API (distinct purchases, one Idempotency-Key, a revoked
key). Each event gets its own answer and the wallets stay equal to their ledgers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select

from perks.db.database import Database
from perks.errors import AppError
from perks.idempotency.service import Claim, Replay
from perks.kit import clock
from perks.kit.ids import new_id
from perks.ledger.models import LedgerTransaction
from perks.loyalty.customers.service import CustomerNotFound
from perks.loyalty.events import batch, service
from perks.loyalty.events.models import BehaviorEvent
from perks.loyalty.events.schemas import EventCreate
from perks.tenancy import service as tenancy
from perks.web.batching import Answer
from tests.support.events import (
    EVENTS,
    customer,
    purchase,
    running_campaign,
    send,
    sent,
    started,
    totals,
)
from tests.support.ledger import listing
from tests.support.locks import lock_row, patient_transaction, row_ids
from tests.support.tenants import LOYALTY, Tenant


async def job(
    client: httpx.AsyncClient, app: FastAPI, tenant: Tenant, body: dict[str, Any], claim: Claim | None = None
) -> batch.Job:
    """A job as POST /behavior/events hands it to the writer."""
    token = (await tenant.loyalty(client))["Authorization"].removeprefix("Bearer ")
    ctx = tenancy.decode_token(token, app.state.settings.signing_secret)
    event = EventCreate.model_validate(body)
    return batch.Job(ctx, event, service.checked_issued_at(event, clock.now()), claim)


def answered(outcome: Answer | BaseException, status: int) -> dict[str, Any]:
    assert isinstance(outcome, Answer), outcome
    assert outcome.status_code == status, outcome
    data: dict[str, Any] = json.loads(outcome.body)["data"]
    return data


def failed(outcome: Answer | BaseException, status: int) -> AppError:
    assert isinstance(outcome, AppError), outcome
    assert outcome.status_code == status, outcome
    return outcome


async def event_rows(database: Database, tenant: Tenant) -> list[tuple[str, str | None]]:
    """(customer's external id, purchase_id) of every event row the tenant sent (not its customers'
    REGISTRATION events)."""
    statement = select(BehaviorEvent.customer_external_id, BehaviorEvent.purchase_id).where(
        BehaviorEvent.account_id == tenant.account_id, BehaviorEvent.type != "REGISTRATION"
    )
    async with database.transaction(read_only=True) as session:
        return [(row[0], row[1]) for row in await session.execute(statement)]


async def transaction_count(database: Database, tenant: Tenant) -> int:
    statement = select(func.count()).where(LedgerTransaction.account_id == tenant.account_id)
    async with database.transaction(read_only=True) as session:
        return int(await session.scalar(statement) or 0)


async def ledger_sum(client: httpx.AsyncClient, tenant: Tenant, external_id: str) -> Decimal:
    rows = await listing(client, tenant, f"/customers/{external_id}/transactions")
    return sum((Decimal(str(row["amount"])) for row in rows), Decimal(0))


async def mixed_batch(
    client: httpx.AsyncClient, app: FastAPI, tenant: Tenant, points: str
) -> list[batch.Job]:
    bodies = [
        purchase(10, "p-1"),
        purchase(20, "p-2"),
        purchase(5, "p-3", customer_id="c2"),
        purchase(7, "p-4", customer_id="ghost"),
        purchase(3, "p-5", customer_id="c2", brand_id="no-such-brand"),
        purchase(0, customer_id="c2", redeem=[{"id": points, "amount": 1000}]),
        purchase(99, "p-1"),
        purchase(0, fulfilled=False, redeem=[{"id": points, "amount": 15}]),
    ]
    return [await job(client, app, tenant, body) for body in bodies]


async def test_a_mixed_batch_answers_each_event_and_writes_only_the_accepted_ones(
    client: httpx.AsyncClient, app: FastAPI, database: Database, tenant: Tenant
) -> None:
    _campaign, points = await running_campaign(client, tenant)
    await customer(client, tenant, "c1")
    await customer(client, tenant, "c2")
    started(tenant)
    await sent(client, tenant, purchase(50, "fund"))
    outcomes = await batch.write_batch(database, await mixed_batch(client, app, tenant, points))
    first, second = answered(outcomes[0], 201), answered(outcomes[1], 201)
    assert [line["amount"] for line in first["result"]["accumulations"]] == [10]
    assert [line["amount"] for line in second["result"]["accumulations"]] == [20]
    [first_line] = first["result"]["accumulations"]
    assert first_line["id"] in {line["id"] for line in second["result"]["wallet"]["lines"]}
    assert [line["amount"] for line in answered(outcomes[2], 201)["result"]["accumulations"]] == [5]
    assert isinstance(failed(outcomes[3], 404), CustomerNotFound)
    assert "brand_id" in failed(outcomes[4], 400).details
    failed(outcomes[5], 422)
    assert answered(outcomes[6], 200)["id"] == first["id"]
    reserved = answered(outcomes[7], 201)
    assert (reserved["fulfilled"], [line["amount"] for line in reserved["result"]["redemptions"]]) == (
        False,
        [-15],
    )
    await wallets_match_their_ledgers(client, database, tenant, points)


async def wallets_match_their_ledgers(
    client: httpx.AsyncClient, database: Database, tenant: Tenant, points: str
) -> None:
    """After the mixed batch: c1 earned 50 + 10 + 20 with 15 reserved (no transaction), c2 earned 5; the
    unknown customer, the unknown brand and the refused redemption wrote no event."""
    assert await totals(client, tenant, "c1") == {points: 65}
    assert await ledger_sum(client, tenant, "c1") == 80
    assert await totals(client, tenant, "c2") == {points: 5}
    assert await ledger_sum(client, tenant, "c2") == 5
    rows = await event_rows(database, tenant)
    assert sorted(purchase_id or "-" for _customer, purchase_id in rows) == ["-", "fund", "p-1", "p-2", "p-3"]
    assert sorted(external_id for external_id, _purchase in rows) == ["c1", "c1", "c1", "c1", "c2"]
    today = clock.now().strftime("%d-%m-%Y")
    assert len(await listing(client, tenant, f"/transactions?date={today}")) == 4
    shown = await listing_customer(client, tenant, "c2")
    assert shown["metrics"]["lifetime"]["number_of_purchases"] == 1


async def listing_customer(client: httpx.AsyncClient, tenant: Tenant, external_id: str) -> dict[str, Any]:
    response = await client.get(f"{LOYALTY}/customers/{external_id}", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    shown: dict[str, Any] = response.json()["data"]["customer"]
    return shown


async def test_a_repeated_idempotency_key_in_one_batch_gets_the_first_answer(
    client: httpx.AsyncClient, app: FastAPI, database: Database, tenant: Tenant
) -> None:
    _campaign, points = await running_campaign(client, tenant)
    await customer(client, tenant)
    started(tenant)
    claim = Claim("batch-key", "fingerprint", timedelta(hours=24))
    body = purchase(10)
    jobs = [await job(client, app, tenant, body, claim), await job(client, app, tenant, body, claim)]
    first, repeat = await batch.write_batch(database, jobs)
    assert isinstance(repeat, Replay), repeat
    assert (repeat.stored.status_code, json.loads(repeat.stored.body)["data"]["id"]) == (
        201,
        answered(first, 201)["id"],
    )
    assert await totals(client, tenant) == {points: 10}
    assert len(await event_rows(database, tenant)) == 1


def batch_sizes(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the batches the app's event writer writes from now on (for this test)."""
    writer = batch.writer_of(app.state)
    write = writer.write
    sizes: list[int] = []

    async def counted(jobs: list[batch.Job]) -> Sequence[Answer | BaseException]:
        sizes.append(len(jobs))
        return await write(jobs)

    monkeypatch.setattr(writer, "write", counted)
    return sizes


async def test_concurrent_purchases_are_all_processed_and_each_wallet_equals_its_events(
    client: httpx.AsyncClient, app: FastAPI, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    _campaign, points = await running_campaign(client, tenant)
    for external_id in ("c0", "c1", "c2"):
        await customer(client, tenant, external_id)
    started(tenant)
    await tenant.loyalty(client)  # the token, fetched once
    bodies = [purchase(index + 1, f"order-{index}", customer_id=f"c{index % 3}") for index in range(30)]
    sizes = batch_sizes(app, monkeypatch)
    responses = await asyncio.gather(*(send(client, tenant, body) for body in bodies))
    assert [response.status_code for response in responses] == [201] * 30, responses[0].text
    assert sum(sizes) == 30 and len(sizes) < 30  # grouped: some batch held several events
    assert len({response.json()["data"]["id"] for response in responses}) == 30
    for owner in ("c0", "c1", "c2"):
        mine = [
            response.json()["data"]
            for response in responses
            if response.json()["data"]["customer_id"] == owner
        ]
        earned = sum(line["amount"] for event in mine for line in event["result"]["accumulations"])
        assert earned == sum(body["order"]["value"] for body in bodies if body["customer_id"] == owner)
        assert await totals(client, tenant, owner) == {points: earned}
        assert await ledger_sum(client, tenant, owner) == earned
        lifetime = (await listing_customer(client, tenant, owner))["metrics"]["lifetime"]
        assert (lifetime["number_of_purchases"], Decimal(lifetime["spend_total"])) == (10, earned)


async def test_concurrent_requests_with_one_idempotency_key_process_the_event_once(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    _campaign, points = await running_campaign(client, tenant)
    await customer(client, tenant)
    started(tenant)
    headers = {**await tenant.loyalty(client), "Idempotency-Key": "once"}
    body = purchase(10)  # no purchase_id: only the key keeps it from earning twice
    responses = await asyncio.gather(*(client.post(EVENTS, headers=headers, json=body) for _ in range(2)))
    assert [response.status_code for response in responses] == [201, 201], responses[0].text
    assert len({response.json()["data"]["id"] for response in responses}) == 1
    replayed = [response.headers.get("idempotent-replayed") for response in responses]
    assert sorted(replayed, key=str) == [None, "true"]
    assert await totals(client, tenant) == {points: 10}
    assert len(await event_rows(database, tenant)) == 1
    other = await client.post(EVENTS, headers=headers, json=purchase(11))
    assert other.status_code == 422, other.text
    assert await totals(client, tenant) == {points: 10}


async def test_a_revoked_key_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, database: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    for owner in (tenant, other_tenant):
        await customer(client, owner)
    headers = await tenant.loyalty(client)
    async with database.transaction() as session:
        await tenancy.revoke_key(session, tenant.server_key_id)
    refused, accepted = await asyncio.gather(
        client.post(EVENTS, headers=headers, json=purchase(10, "order-1")),
        send(client, other_tenant, purchase(10, "order-1")),
    )
    assert refused.status_code == 401, refused.text
    assert refused.json()["details"] == "Token revoked"
    assert accepted.status_code == 201, accepted.text  # its batch neighbour is done all the same
    assert await event_rows(database, tenant) == []
    assert await transaction_count(database, tenant) == 0
    assert len(await event_rows(database, other_tenant)) == 1


async def test_a_batch_chosen_as_a_deadlock_victim_is_run_again(
    client: httpx.AsyncClient, app: FastAPI, database: Database, tenant: Tenant
) -> None:
    """PostgreSQL: another transaction holds the batch's second customer and then asks for its first,
    which the batch holds; the batch is the deadlock's victim (tests.support.locks), is rolled back, and
    its second run answers both events."""
    if database.is_sqlite:
        pytest.skip("SQLite writers take the whole database: they queue, they never deadlock")
    _campaign, points = await running_campaign(client, tenant)
    for name in ("c1", "c2"):
        await customer(client, tenant, name)
    started(tenant)
    jobs = [await job(client, app, tenant, purchase(4, customer_id=name)) for name in ("c1", "c2")]
    async with patient_transaction(database) as other:
        first, second = await row_ids(other, "customers", tenant.account_id)  # the batch locks in id order
        await lock_row(other, "customers", second)
        writing = asyncio.create_task(batch.write_batch(database, jobs))
        await asyncio.sleep(0.3)  # the batch holds the first customer and waits for the second
        await lock_row(other, "customers", first)
    outcomes = await writing
    for name, outcome in zip(("c1", "c2"), outcomes, strict=True):
        assert answered(outcome, 201)["customer_id"] == name
        assert await totals(client, tenant, name) == {points: 4}


async def test_a_purchase_recorded_by_a_concurrent_transaction_is_answered_as_already_recorded(
    client: httpx.AsyncClient, app: FastAPI, database: Database, tenant: Tenant
) -> None:
    """PostgreSQL: the batch reads the recorded purchase_ids before another transaction commits the same
    purchase; its insert then skips the row, so the batch is run again (RunAgain) and answers with the
    event the other transaction recorded, rewarding nothing a second time."""
    if database.is_sqlite:
        pytest.skip("SQLite admits one writer: no transaction records a purchase beside the batch")
    _campaign, points = await running_campaign(client, tenant)
    await customer(client, tenant, "c1")
    started(tenant)
    await sent(client, tenant, purchase(10, "p-0"))
    racing = await job(client, app, tenant, purchase(10, "p-race"))
    events = BehaviorEvent.__table__
    async with patient_transaction(database) as other:
        original = (
            (
                await other.execute(
                    select(events).where(
                        events.c.account_id == tenant.account_id, events.c.purchase_id == "p-0"
                    )
                )
            )
            .mappings()
            .one()
        )
        recorded = dict(original) | {"id": new_id(), "purchase_id": "p-race"}
        await other.execute(insert(BehaviorEvent).values(recorded))
        writing = asyncio.create_task(batch.write_batch(database, [racing]))
        await asyncio.sleep(0.3)  # the batch has read the purchases and waits on the uncommitted row
    [outcome] = await writing
    assert answered(outcome, 200)["id"] == recorded["id"]
    assert await totals(client, tenant, "c1") == {points: 10}
    assert sorted(await event_rows(database, tenant)) == [("c1", "p-0"), ("c1", "p-race")]
