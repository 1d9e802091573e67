"""Per-key rate limits: 429 in each face's envelope with Retry-After; shared through Redis when configured."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from perks.app import create_app
from tests.conftest import test_settings
from tests.support.tenants import AFFILIATE, LOYALTY, Tenant


async def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://perks.test")


@pytest.fixture
async def limited_app(database_url: str) -> AsyncIterator[FastAPI]:
    app = create_app(test_settings(database_url, rate_limit="3/minute", rate_limit_enabled=True))
    yield app
    await app.state.db.dispose()


async def test_the_fourth_request_in_a_minute_is_a_429_with_retry_after(
    limited_app: FastAPI, tenant: Tenant, other_tenant: Tenant
) -> None:
    async with await client_for(limited_app) as client:
        statuses = [
            (await client.get(f"{AFFILIATE}/workspaces/list", headers=tenant.affiliate)).status_code
            for _ in range(3)
        ]
        assert statuses == [200, 200, 200]
        limited = await client.get(f"{AFFILIATE}/workspaces/list", headers=tenant.affiliate)
        assert limited.status_code == 429
        assert limited.json()["status"] == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # Limits are per key: another account is unaffected.
        other = await client.get(f"{AFFILIATE}/workspaces/list", headers=other_tenant.affiliate)
        assert other.status_code == 200


async def test_the_loyalty_face_answers_429_in_its_envelope(limited_app: FastAPI, tenant: Tenant) -> None:
    async with await client_for(limited_app) as client:
        for _ in range(3):
            await client.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": tenant.server_key})
        limited = await client.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": tenant.server_key})
        assert limited.status_code == 429
        assert set(limited.json()) == {"error", "details"}
        assert "retry-after" in limited.headers


async def test_redis_shares_the_count_between_processes(database_url: str, tenant: Tenant) -> None:
    redis_url = os.environ.get("PERKS_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("PERKS_TEST_REDIS_URL is not set")
    # Two apps stand for two worker processes; a unique limit string keeps runs apart in Redis.
    settings = test_settings(
        database_url, rate_limit="4/minute", rate_limit_enabled=True, redis_url=redis_url
    )
    first, second = create_app(settings), create_app(settings)
    tenant.server_key_id = f"{tenant.server_key_id}-{uuid.uuid4().hex[:6]}"
    try:
        async with await client_for(first) as one, await client_for(second) as two:
            statuses = []
            for client in (one, two, one, two, one):
                response = await client.get(f"{AFFILIATE}/workspaces/list", headers=tenant.affiliate)
                statuses.append(response.status_code)
        assert statuses == [200, 200, 200, 200, 429]
    finally:
        await first.state.db.dispose()
        await second.state.db.dispose()
