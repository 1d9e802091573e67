"""Health, readiness, metrics and structured logs."""

from __future__ import annotations

import io
import json
import logging

import httpx

from perks.app import create_app
from perks.web.observability import json_handler
from tests.conftest import test_settings
from tests.support.tenants import AFFILIATE, Tenant


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ok"}


async def test_readiness_fails_when_the_database_is_unreachable() -> None:
    app = create_app(test_settings("postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://perks.test"
    ) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert (await app.state.db.dispose()) is None


async def test_metrics_count_requests_by_route_and_status(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await client.get(f"{AFFILIATE}/workspaces/list", headers=tenant.affiliate)
    text = (await client.get("/metrics")).text
    assert 'perks_requests_total{method="GET",route="/api/v1/workspaces/list",status="200"}' in text
    assert "perks_request_duration_seconds_bucket" in text


async def test_logs_are_json_with_request_and_account_ids(client: httpx.AsyncClient, tenant: Tenant) -> None:
    stream = io.StringIO()
    handler = json_handler(stream)
    perks_logger = logging.getLogger("perks")
    perks_logger.addHandler(handler)
    perks_logger.setLevel(logging.INFO)
    try:
        response = await client.get(
            f"{AFFILIATE}/workspaces/list", headers={**tenant.affiliate, "x-request-id": "req-42"}
        )
    finally:
        perks_logger.removeHandler(handler)
        perks_logger.setLevel(logging.WARNING)
    assert response.headers["x-request-id"] == "req-42"
    [entry] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert entry["request_id"] == "req-42"
    assert entry["account_id"] == tenant.account_id
    assert entry["route"] == "/api/v1/workspaces/list"
    assert entry["status"] == 200
