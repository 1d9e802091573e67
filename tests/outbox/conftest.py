from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from perks.outbox.worker import Worker
from tests.support.tenants import AFFILIATE, LOYALTY, Tenant


@pytest.fixture
async def worker(app: FastAPI) -> AsyncIterator[Worker]:
    """A delivery worker in this process, on the test app's database and settings."""
    running = Worker(app.state.db, app.state.settings)
    yield running
    await running.close()


async def create_endpoint(
    client: httpx.AsyncClient, tenant: Tenant, url: str, events: list[str], **fields: Any
) -> dict[str, Any]:
    """An endpoint made through the affiliate face; returns its data (with the one-time `secret`)."""
    response = await client.post(
        f"{AFFILIATE}/webhooks", headers=tenant.affiliate, json={"url": url, "events": events, **fields}
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def send_test_event(client: httpx.AsyncClient, tenant: Tenant, endpoint_id: str) -> str:
    response = await client.post(
        f"{AFFILIATE}/webhooks/test?endpointId={endpoint_id}", headers=tenant.affiliate
    )
    assert response.status_code == 201, response.text
    event_id: str = response.json()["data"]["id"]
    return event_id


async def deliveries(client: httpx.AsyncClient, tenant: Tenant, endpoint_id: str) -> list[dict[str, Any]]:
    response = await client.get(
        f"{AFFILIATE}/webhooks/deliveries?endpointId={endpoint_id}", headers=tenant.affiliate
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["items"]
    return items


__all__ = ["AFFILIATE", "LOYALTY", "create_endpoint", "deliveries", "send_test_event"]
