"""Race-freedom across OS processes: two servers on one database, requests fired at once."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from pathlib import Path

import httpx

from tests.support.catalog import POINTS, campaign_body
from tests.support.server import live_server
from tests.support.tenants import LOYALTY, Tenant

ATTEMPTS = 6


async def fire(
    servers: list[str], tenant: Tenant, method: str, path: str, bodies: list[dict[str, object]]
) -> list[int]:
    async with httpx.AsyncClient(base_url=servers[0], timeout=60) as first:
        headers = await tenant.loyalty(first)
        async with httpx.AsyncClient(timeout=60) as http:
            calls = [
                http.request(
                    method, f"{servers[index % len(servers)]}{LOYALTY}{path}", headers=headers, json=body
                )
                for index, body in enumerate(bodies)
            ]
            return [response.status_code for response in await asyncio.gather(*calls)]


async def test_one_custom_code_goes_to_one_campaign_only(
    database_url: str, workdir: Path, tenant: Tenant
) -> None:
    with ExitStack() as stack:
        running = [stack.enter_context(live_server(database_url, workdir)) for _ in range(2)]
        servers = [server.base_url for server in running]
        async with httpx.AsyncClient(base_url=servers[0]) as http:
            created = await http.post(f"{LOYALTY}/rewards", headers=await tenant.loyalty(http), json=POINTS)
            reward_id = created.json()["data"]["id"]
        body = campaign_body(reward_id, attributes={}, useCustomCodes=True, customCodes="ONLYONCE")
        statuses = await fire(servers, tenant, "POST", "/campaigns?type=COUPONS", [body] * ATTEMPTS)
        logs = "\n".join(server.log()[-3000:] for server in running)
    assert statuses.count(201) == 1, (statuses, logs)
    assert set(statuses) <= {201, 400, 409}, (statuses, logs)


async def test_one_tier_per_level(database_url: str, workdir: Path, tenant: Tenant) -> None:
    with ExitStack() as stack:
        servers = [stack.enter_context(live_server(database_url, workdir)).base_url for _ in range(2)]
        bodies: list[dict[str, object]] = [{"name": f"Gold {index}", "level": 4} for index in range(ATTEMPTS)]
        statuses = await fire(servers, tenant, "POST", "/tiers", bodies)
    assert sorted(statuses) == [201] + [409] * (ATTEMPTS - 1), statuses
