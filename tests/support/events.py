"""Helpers for event tests: a running BEHAVIOR campaign, customers and events through the API."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx

from tests.support.catalog import campaign_body, iso, post_campaign, reward
from tests.support.ledger import travel
from tests.support.tenants import LOYALTY, Tenant

EVENTS = f"{LOYALTY}/behavior/events"


def per_dollar(reward_id: str, amount: Any = 1, conditions: list[Any] | None = None, **effect: Any) -> str:
    """Rules granting `amount` points per currency unit of the order."""
    chosen = {"reward_id": reward_id, "amount": amount, "amount_type": "PER_CURRENCY_UNIT"} | effect
    return json.dumps([{"conditions": conditions or [], "effects": [chosen]}])


async def running_campaign(
    client: httpx.AsyncClient, tenant: Tenant, reward_id: str | None = None, **overrides: Any
) -> tuple[str, str]:
    """(campaign id, reward id) of a BEHAVIOR campaign that starts a second from now: move the clock
    (`started(tenant)`) before sending events to it."""
    reward_id = reward_id or await reward(client, tenant)
    values: dict[str, Any] = {
        "rules": per_dollar(reward_id),
        "start_date": iso(timedelta(seconds=1)),
        "budget": None,
        "divide_budget_in": None,
        "platforms": [],
    }
    body = campaign_body(reward_id, **(values | overrides))
    response = await post_campaign(client, tenant, "BEHAVIOR", body)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"]), reward_id


def started(tenant: Tenant, minutes: int = 1) -> None:
    travel(tenant, timedelta(minutes=minutes))


async def customer(client: httpx.AsyncClient, tenant: Tenant, external_id: str = "c1", **fields: Any) -> None:
    body = {"id": external_id, "name": "Customer", "email": f"{external_id}@example.com"} | fields
    response = await client.post(f"{LOYALTY}/customers", headers=await tenant.loyalty(client), json=body)
    assert response.status_code == 201, response.text


def purchase(value: Any = 20, purchase_id: str | None = None, **fields: Any) -> dict[str, Any]:
    order: dict[str, Any] = {"value": value}
    if purchase_id is not None:
        order["purchase_id"] = purchase_id
    return {"customer_id": "c1", "brand_id": None, "type": "PURCHASE", "order": order} | fields


async def send(client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any]) -> httpx.Response:
    return await client.post(EVENTS, headers=await tenant.loyalty(client), json=body)


async def sent(
    client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any], status: int = 201
) -> dict[str, Any]:
    response = await send(client, tenant, body)
    assert response.status_code == status, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def totals(client: httpx.AsyncClient, tenant: Tenant, external_id: str = "c1") -> dict[str, float]:
    response = await client.get(f"{LOYALTY}/customers/{external_id}", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    return {total["reward_id"]: total["total"] for total in response.json()["data"]["wallet"]["totals"]}


async def funded(client: httpx.AsyncClient, tenant: Tenant, value: int) -> str:
    """Customer c1 with `value` points earned from a purchase in a running per-dollar campaign; the reward."""
    _campaign, points = await running_campaign(client, tenant)
    await customer(client, tenant)
    started(tenant)
    await sent(client, tenant, purchase(value))
    return points
