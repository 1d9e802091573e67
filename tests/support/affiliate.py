"""Small builders for the affiliate API tests: every row is made through the HTTP API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.tenants import AFFILIATE, Tenant


async def create(
    client: httpx.AsyncClient, tenant: Tenant, resource: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(f"{AFFILIATE}/{resource}", headers=tenant.affiliate, json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def campaign(client: httpx.AsyncClient, tenant: Tenant, **fields: Any) -> dict[str, Any]:
    body = {
        "campaignName": "Launch",
        "commissionType": "percentage",
        "amount": 15,
        "url": "https://shop.example",
    }
    return await create(client, tenant, "campaigns", body | fields)


async def affiliate(
    client: httpx.AsyncClient, tenant: Tenant, email: str = "jane@example.com", **fields: Any
) -> dict[str, Any]:
    body = {"email": email, "firstName": "Jane", "lastName": "Doe"}
    return await create(client, tenant, "affiliates", body | fields)


async def program(client: httpx.AsyncClient, tenant: Tenant) -> tuple[dict[str, Any], dict[str, Any]]:
    """A default campaign with one affiliate in it."""
    first = await campaign(client, tenant)
    return first, await affiliate(client, tenant)
