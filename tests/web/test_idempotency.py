"""Idempotency-Key on POST: stored responses, mismatches, expiry, tenant scoping, and real concurrency."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from perks.db.database import Database
from perks.idempotency.models import IdempotencyRecord
from perks.kit import clock
from tests.support.processes import concurrent_requests
from tests.support.server import TEST_SECRET, live_server
from tests.support.tenants import AFFILIATE, LOYALTY, Tenant, create_tenant


async def workspace_names(client: httpx.AsyncClient, tenant: Tenant) -> list[str]:
    response = await client.get(
        f"{AFFILIATE}/workspaces/list?orderType=name&orderValue=ASC", headers=tenant.affiliate
    )
    return [item["name"] for item in response.json()["data"]["items"]]


async def test_a_repeat_returns_the_stored_response_without_redoing_the_work(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = {**tenant.affiliate, "Idempotency-Key": "create-eu"}
    first = await client.post(f"{AFFILIATE}/workspaces", headers=headers, json={"name": "eu"})
    second = await client.post(f"{AFFILIATE}/workspaces", headers=headers, json={"name": "eu"})
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await workspace_names(client, tenant) == ["eu", "tenant-a"]


async def test_the_same_key_with_another_body_is_a_422(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = {**tenant.affiliate, "Idempotency-Key": "k1"}
    assert (
        await client.post(f"{AFFILIATE}/workspaces", headers=headers, json={"name": "one"})
    ).status_code == 201
    other = await client.post(f"{AFFILIATE}/workspaces", headers=headers, json={"name": "two"})
    assert other.status_code == 422
    assert other.json()["status"] == 422
    assert await workspace_names(client, tenant) == ["one", "tenant-a"]


async def test_a_rejected_request_stores_nothing_so_a_corrected_retry_works(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = {**tenant.affiliate, "Idempotency-Key": "fix-me"}
    bad = await client.post(f"{AFFILIATE}/workspaces", headers=headers, json={"name": ""})
    assert bad.status_code == 400
    good = await client.post(f"{AFFILIATE}/workspaces", headers=headers, json={"name": ""} | {"name": "ok"})
    # A different body after a failure is not a mismatch: the failed attempt left no record.
    assert good.status_code == 201


async def test_keys_expire_after_24_hours(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = {**tenant.affiliate, "Idempotency-Key": "daily"}
    await client.post(f"{AFFILIATE}/workspaces", headers=headers, json={"name": "w"})
    clock.travel(timedelta(hours=23))
    replay = await client.post(f"{AFFILIATE}/workspaces", headers=headers, json={"name": "w"})
    assert replay.headers.get("idempotent-replayed") == "true"
    clock.travel(timedelta(hours=2))
    fresh = await client.post(f"{AFFILIATE}/workspaces", headers=headers, json={"name": "w"})
    assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
    assert await workspace_names(client, tenant) == ["tenant-a", "w", "w"]


async def test_keys_are_scoped_to_the_account(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    for owner in (tenant, other_tenant):
        response = await client.post(
            f"{AFFILIATE}/workspaces",
            headers={**owner.affiliate, "Idempotency-Key": "shared"},
            json={"name": "x"},
        )
        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers


async def test_an_overlong_key_is_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        f"{AFFILIATE}/workspaces",
        headers={**tenant.affiliate, "Idempotency-Key": "k" * 256},
        json={"name": "x"},
    )
    assert response.status_code == 422
    assert await workspace_names(client, tenant) == ["tenant-a"]


async def test_concurrent_requests_with_one_key_do_the_work_once(
    database_url: str, database: Database, workdir: Path
) -> None:
    owner = await create_tenant(database, TEST_SECRET, "racer")
    headers = {**owner.affiliate, "Idempotency-Key": "race-1"}
    with live_server(database_url, workdir, args=("--no-migrate", "--workers", "2")) as server:
        results = concurrent_requests(
            8, "POST", f"{server.base_url}{AFFILIATE}/workspaces", headers, [{"name": "raced"}] * 8
        )
        listing = httpx.get(f"{server.base_url}{AFFILIATE}/workspaces/list", headers=owner.affiliate).json()
    assert {status for status, _ in results} == {201}
    assert len({json.loads(text)["data"]["id"] for _, text in results}) == 1
    assert sorted(item["name"] for item in listing["data"]["items"]) == ["raced", "racer"]


async def stored_answers(database: Database, tenant: Tenant) -> list[str]:
    async with database.transaction(read_only=True) as session:
        rows = await session.scalars(
            select(IdempotencyRecord.response_body).where(IdempotencyRecord.account_id == tenant.account_id)
        )
        return [row or "" for row in rows]


async def test_a_webhook_secret_is_never_stored_in_clear_yet_replays_whole(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    create = {**tenant.affiliate, "Idempotency-Key": "hook-1"}
    body = {"url": "http://127.0.0.1:9/hook", "events": ["payout.paid"]}
    first = await client.post(f"{AFFILIATE}/webhooks", headers=create, json=body)
    assert first.status_code == 201, first.text
    secret = first.json()["data"]["secret"]
    assert secret.startswith("whsec_")
    endpoint_id = first.json()["data"]["id"]
    rotate = {**tenant.affiliate, "Idempotency-Key": "rotate-1"}
    rotated = await client.post(
        f"{AFFILIATE}/webhooks/rotate-secret?endpointId={endpoint_id}", headers=rotate
    )
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["data"]["secret"]
    loyalty = {**await tenant.loyalty(client), "Idempotency-Key": "hook-2"}
    third = await client.post(
        f"{LOYALTY}/webhooks", headers=loyalty, json={"url": body["url"], "events": ["CUSTOMER_REGISTRATION"]}
    )
    assert third.status_code == 201, third.text

    stored = await stored_answers(database, tenant)
    assert len(stored) == 3
    for answer in stored:
        assert "whsec_" not in answer and secret[6:] not in answer and new_secret[6:] not in answer
        assert endpoint_id not in answer  # the whole answer is sealed, not only the secret
    again = await client.post(f"{AFFILIATE}/webhooks", headers=create, json=body)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    rotated_again = await client.post(
        f"{AFFILIATE}/webhooks/rotate-secret?endpointId={endpoint_id}", headers=rotate
    )
    assert rotated_again.json() == rotated.json()
    assert (
        await client.post(
            f"{LOYALTY}/webhooks",
            headers=loyalty,
            json={"url": body["url"], "events": ["CUSTOMER_REGISTRATION"]},
        )
    ).json() == third.json()
