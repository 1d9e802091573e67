"""Registering a customer runs a REGISTRATION event through the event pipeline: a welcome bonus campaign
pays once per customer, in the registration's answer; an anonymous customer is paid when identified."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import func, select

from perks.db.database import Database
from perks.loyalty.events.models import BehaviorEvent
from tests.support.catalog import reward
from tests.support.events import running_campaign, started
from tests.support.outbox import outbox_types
from tests.support.tenants import LOYALTY, Tenant

WELCOME = 50


async def welcome_campaign(client: httpx.AsyncClient, tenant: Tenant, **overrides: Any) -> str:
    """A running BEHAVIOR campaign that gives WELCOME points on REGISTRATION; its reward id."""
    reward_id = await reward(client, tenant)
    rules = [{"conditions": [], "effects": [{"reward_id": reward_id, "amount": WELCOME}]}]
    trigger = {"trigger": "REGISTRATION", "privacy": "PRIVATE"}
    await running_campaign(
        client, tenant, reward_id, attributes=trigger, rules=json.dumps(rules), **overrides
    )
    started(tenant)
    return reward_id


async def register(
    client: httpx.AsyncClient,
    tenant: Tenant,
    external_id: str,
    headers: dict[str, str] | None = None,
    **body: Any,
) -> httpx.Response:
    fields = {"id": external_id, "name": "Ana", "email": f"{external_id}@example.com"} | body
    auth = await tenant.loyalty(client)
    return await client.post(f"{LOYALTY}/customers", headers=auth | (headers or {}), json=fields)


def wallet_total(answer: dict[str, Any], reward_id: str) -> float:
    totals = {total["reward_id"]: total["total"] for total in answer["data"]["wallet"]["totals"]}
    return float(totals.get(reward_id, 0))


async def registrations(database: Database, tenant: Tenant) -> int:
    async with database.transaction(read_only=True) as session:
        counted = await session.scalar(
            select(func.count())
            .select_from(BehaviorEvent)
            .where(BehaviorEvent.account_id == tenant.account_id, BehaviorEvent.type == "REGISTRATION")
        )
    return int(counted or 0)


async def test_a_welcome_bonus_is_paid_once_in_the_registration_answer(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    reward_id = await welcome_campaign(client, tenant)
    response = await register(client, tenant, "new-1")
    assert response.status_code == 201, response.text
    assert wallet_total(response.json(), reward_id) == WELCOME
    again = await register(client, tenant, "new-1")
    assert again.status_code == 409, again.text
    shown = await client.get(f"{LOYALTY}/customers/new-1", headers=await tenant.loyalty(client))
    assert wallet_total(shown.json(), reward_id) == WELCOME
    history = await client.get(
        f"{LOYALTY}/customers/new-1/transactions", headers=await tenant.loyalty(client)
    )
    assert history.status_code == 200, history.text
    assert [float(line["amount"]) for line in history.json()["data"]] == [WELCOME]
    assert await registrations(database, tenant) == 1
    assert (await outbox_types(database, tenant)).count("CUSTOMER_ACCUMULATION") == 1


async def test_a_retried_registration_with_its_idempotency_key_pays_once(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    reward_id = await welcome_campaign(client, tenant)
    key = {"Idempotency-Key": "signup-new-2"}
    first = await register(client, tenant, "new-2", headers=key)
    retried = await register(client, tenant, "new-2", headers=key)
    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json()
    assert wallet_total(retried.json(), reward_id) == WELCOME
    assert await registrations(database, tenant) == 1


async def test_an_anonymous_customer_is_paid_when_identified_not_before(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    reward_id = await welcome_campaign(client, tenant)
    anonymous = await client.post(
        f"{LOYALTY}/customers",
        headers=await tenant.loyalty(client),
        json={"id": "anon-1", "is_anonymous": True},
    )
    assert anonymous.status_code == 201, anonymous.text
    assert wallet_total(anonymous.json(), reward_id) == 0
    assert await registrations(database, tenant) == 0
    identify = f"{LOYALTY}/customers/anon-1/identify/anonymous"
    body = {"name": "Ana", "email": "ana@example.com", "new_id": "ana"}
    identified = await client.patch(identify, headers=await tenant.loyalty(client), json=body)
    assert identified.status_code == 200, identified.text
    assert identified.json()["data"]["customer"]["id"] == "ana"
    assert wallet_total(identified.json(), reward_id) == WELCOME
    twice = await client.patch(
        f"{LOYALTY}/customers/ana/identify/anonymous", headers=await tenant.loyalty(client), json=body
    )
    assert twice.status_code == 409, twice.text
    assert await registrations(database, tenant) == 1


async def test_a_registration_without_a_welcome_campaign_is_recorded_and_pays_nothing(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    response = await register(client, tenant, "plain-1")
    assert response.status_code == 201, response.text
    assert response.json()["data"]["wallet"]["totals"] == []
    assert await registrations(database, tenant) == 1
    assert "CUSTOMER_ACCUMULATION" not in await outbox_types(database, tenant)


async def test_the_welcome_budget_caps_what_registrations_pay(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    reward_id = await welcome_campaign(client, tenant, budget=WELCOME, divide_budget_in=None)
    paid = [wallet_total((await register(client, tenant, f"b-{n}")).json(), reward_id) for n in range(3)]
    assert sum(paid) == WELCOME
    assert paid[0] == WELCOME
