"""Concurrency claims, tested with several OS processes against a real multi-worker server."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from multiprocessing.synchronize import Barrier
from typing import Any

import httpx
import pytest

from perks.db.database import Database
from tests.support.affiliate import create, program
from tests.support.outbox import events
from tests.support.server import LiveServer, live_server
from tests.support.tenants import AFFILIATE, Tenant

RACERS = 6


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(
        database_url, tmp_path_factory.mktemp("races"), args=("--no-migrate", "--workers", "2")
    ) as running:
        yield running


def _racer(
    barrier: Barrier, results: Any, url: str, method: str, headers: dict[str, str], body: dict[str, Any]
) -> None:
    with httpx.Client(timeout=30) as http:
        barrier.wait()
        response = http.request(method, url, headers=headers, json=body)
        results.put((response.status_code, response.json()))


def race(
    url: str, method: str, headers: dict[str, str], bodies: list[dict[str, Any]]
) -> list[tuple[int, Any]]:
    """Send every body at once, each from its own process; the (status, json) answers."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(bodies))
    results = context.Queue()
    workers = [
        context.Process(target=_racer, args=(barrier, results, url, method, headers, body)) for body in bodies
    ]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    return answers


def campaign_body(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "campaignName": name,
        "commissionType": "fixed",
        "amount": 5,
        "url": "https://race.example",
    } | fields


async def default_count(client: httpx.AsyncClient, tenant: Tenant, workspace_id: str) -> int:
    listing = await client.get(
        f"{AFFILIATE}/campaigns/list?limit=100&workspaceId={workspace_id}", headers=tenant.affiliate
    )
    return sum(item["isDefault"] for item in listing.json()["data"]["items"])


async def test_concurrent_first_campaigns_make_one_default(
    server: LiveServer, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bodies = [campaign_body(f"c{index}") for index in range(RACERS)]
    answers = race(f"{server.base_url}{AFFILIATE}/campaigns", "POST", tenant.affiliate, bodies)
    assert [status for status, _ in answers] == [201] * RACERS, answers
    assert sum(body["data"]["isDefault"] for _, body in answers) == 1
    assert await default_count(client, tenant, tenant.workspace_id) == 1


async def test_concurrent_default_switches_leave_one_default(
    server: LiveServer, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await create(client, tenant, "campaigns", campaign_body("first"))
    bodies = [campaign_body(f"d{index}", isDefault=True) for index in range(RACERS)]
    answers = race(f"{server.base_url}{AFFILIATE}/campaigns", "POST", tenant.affiliate, bodies)
    assert {status for status, _ in answers} <= {201, 409}, answers
    assert await default_count(client, tenant, tenant.workspace_id) == 1


async def test_one_referral_code_one_winner(
    server: LiveServer, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    _, person = await program(client, tenant)
    bodies = [
        {"affiliateId": person["id"], "referralCode": code}
        for code in ("Sand", "sand", "SAND", "sAnd", "sanD", "saND")
    ]
    answers = race(f"{server.base_url}{AFFILIATE}/links", "POST", tenant.affiliate, bodies)
    assert sorted(status for status, _ in answers) == [201] + [422] * (RACERS - 1), answers
    listing = await client.get(f"{AFFILIATE}/links?affiliateId={person['id']}", headers=tenant.affiliate)
    assert listing.json()["data"]["pagination"]["total"] == 1


async def test_concurrent_refunds_refund_once(
    server: LiveServer, client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    _, person = await program(client, tenant)
    item = await create(
        client,
        tenant,
        "commissions",
        {"affiliateId": person["id"], "referredUser": "r@example.com", "amount": 9},
    )
    url = f"{server.base_url}{AFFILIATE}/commissions?commissionId={item['id']}"
    answers = race(url, "PUT", tenant.affiliate, [{"status": "refunded"}] * RACERS)
    assert [status for status, _ in answers] == [200] * RACERS, answers
    assert len(await events(database, tenant, "commission.refunded")) == 1


async def test_lists_stay_stable_while_rows_are_added(
    server: LiveServer, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """Sorted by a field with ties (status), then id: concurrent inserts never reorder what was listed."""
    await program(client, tenant)
    for index in range(5):
        await create(
            client,
            tenant,
            "affiliates",
            {"email": f"seed{index}@example.com", "firstName": "S", "lastName": "S"},
        )
    url = f"{AFFILIATE}/affiliates/list?orderType=status&orderValue=ASC&limit=100"
    before = [
        item["id"] for item in (await client.get(url, headers=tenant.affiliate)).json()["data"]["items"]
    ]
    bodies = [
        {"email": f"new{index}@example.com", "firstName": "N", "lastName": "N"} for index in range(RACERS)
    ]
    answers = race(f"{server.base_url}{AFFILIATE}/affiliates", "POST", tenant.affiliate, bodies)
    assert [status for status, _ in answers] == [201] * RACERS
    after = [item["id"] for item in (await client.get(url, headers=tenant.affiliate)).json()["data"]["items"]]
    assert [row for row in after if row in before] == before
    assert len(after) == len(before) + RACERS
