"""Helpers for the catalog tests: payload builders and small API calls."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx

from perks.kit import clock
from tests.support.tenants import LOYALTY, Tenant

POINTS = {"type": "POINTS", "name": "Points", "attributes": {"conversion_factor": 0.1}}
ORDER_OVER = {"type": "Order Value", "operator": "grater than", "primitive": "string", "value": 9.95}


def iso(delta: timedelta) -> str:
    return (clock.now() + delta).isoformat()


async def create(
    client: httpx.AsyncClient, tenant: Tenant, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(f"{LOYALTY}{path}", headers=await tenant.loyalty(client), json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def reward(client: httpx.AsyncClient, tenant: Tenant, **overrides: Any) -> str:
    return str((await create(client, tenant, "/rewards", POINTS | overrides))["id"])


def rules(reward_id: str, amount: Any = 1, **effect: Any) -> str:
    return json.dumps(
        [{"conditions": [[ORDER_OVER]], "effects": [{"reward_id": reward_id, "amount": amount} | effect]}]
    )


def campaign_body(reward_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "brand_id": None,
        "platforms": [{"label": "Web", "value": "web"}],
        "name": "Double points",
        "description": "Two points per dollar",
        "rules": rules(reward_id),
        "attributes": {"trigger": "PURCHASE", "privacy": "PRIVATE"},
        "status": "ACTIVE",
        "start_date": iso(timedelta(hours=1)),
        "end_date": iso(timedelta(days=30)),
        "funded_by": "MARKETING",
        "budget": 1000,
        "divide_budget_in": "daily",
        "labels": [{"label": "Summer", "value": "summer"}],
        "metadata": json.dumps({"owner": "growth"}),
    }
    return body | overrides


async def post_campaign(
    client: httpx.AsyncClient, tenant: Tenant, campaign_type: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        f"{LOYALTY}/campaigns?type={campaign_type}", headers=await tenant.loyalty(client), json=body
    )


async def put_campaign(
    client: httpx.AsyncClient, tenant: Tenant, campaign_id: str, campaign_type: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.put(
        f"{LOYALTY}/campaigns/{campaign_id}?type={campaign_type}",
        headers=await tenant.loyalty(client),
        json=body,
    )


async def new_campaign(
    client: httpx.AsyncClient, tenant: Tenant, campaign_type: str = "BEHAVIOR", **overrides: Any
) -> tuple[str, dict[str, Any]]:
    """(campaign id, the body it was created with)."""
    body = campaign_body(await reward(client, tenant), **overrides)
    response = await post_campaign(client, tenant, campaign_type, body)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"]), body


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) >= {"error", "details"}
    return body


def travel(tenant: Tenant, delta: timedelta) -> None:
    """Move the clock; the cached one-hour tokens are dropped so the next call gets fresh ones."""
    clock.travel(delta)
    tenant._tokens.clear()


async def get_campaign(
    client: httpx.AsyncClient, tenant: Tenant, campaign_id: str, query: str = ""
) -> dict[str, Any]:
    response = await client.get(
        f"{LOYALTY}/campaigns/{campaign_id}{query}", headers=await tenant.loyalty(client)
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def spend(operator: str, value: int) -> list[list[dict[str, Any]]]:
    return [[{"type": "Spend Total", "operator": operator, "primitive": "number", "value": value}]]


async def tier(client: httpx.AsyncClient, tenant: Tenant, name: str, level: int, **fields: Any) -> str:
    body = {"name": name, "level": level} | fields
    response = await client.post(f"{LOYALTY}/tiers", headers=await tenant.loyalty(client), json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])
