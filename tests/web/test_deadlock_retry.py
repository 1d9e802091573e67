"""A request that PostgreSQL picks as a deadlock's victim is run again from the start
(perks.db.retries.retrying in the unit of work) and answers as if there had been no deadlock, instead of a
500."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from perks.db.database import Database
from tests.support.events import EVENTS, customer, purchase, running_campaign, sent, started, totals
from tests.support.locks import lock_row, patient_transaction, row_ids
from tests.support.tenants import LOYALTY, Tenant


async def test_an_event_reversal_chosen_as_a_deadlock_victim_is_run_again(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    """The reversal locks the event, then the customer (whose purchase count it takes back); another
    transaction holds the customer and then asks for the event."""
    if database.is_sqlite:
        pytest.skip("SQLite writers take the whole database: they queue, they never deadlock")
    _campaign, points = await running_campaign(client, tenant)
    await customer(client, tenant)
    started(tenant)
    event = await sent(client, tenant, purchase(6))
    assert await totals(client, tenant) == {points: 6}
    headers = await tenant.loyalty(client)
    async with patient_transaction(database) as other:
        [customer_id] = await row_ids(other, "customers", tenant.account_id)
        await lock_row(other, "customers", customer_id)
        reversing = asyncio.create_task(
            client.post(f"{EVENTS}/{event['id']}/reverse", headers=headers, json={"reason": "refund"})
        )
        await asyncio.sleep(0.3)  # the reversal holds the event and waits for the customer
        await lock_row(other, "loyalty_events", event["id"])
    response = await reversing
    assert response.status_code == 200, response.text
    assert (response.json()["data"]["status"], response.json()["data"]["reason"]) == ("REVERSED", "refund")
    assert all(total == 0 for total in (await totals(client, tenant)).values())
    shown = (await client.get(f"{LOYALTY}/customers/c1", headers=headers)).json()["data"]["customer"]
    assert shown["metrics"]["lifetime"]["number_of_purchases"] == 0
