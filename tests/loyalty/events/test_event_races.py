"""Behavior events racing against a live server from several OS processes, on both databases: a campaign
budget is never exceeded, one purchase_id rewards once, one customer's wallet stays equal to its ledger,
and reversals racing new events leave the customer's purchase count exact."""

from __future__ import annotations

import asyncio
import multiprocessing
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from perks.kit import clock
from tests.support.catalog import campaign_body, post_campaign, reward
from tests.support.events import EVENTS, customer, per_dollar, purchase, sent
from tests.support.server import live_server
from tests.support.tenants import LOYALTY, Tenant

RACERS = 4
ROUNDS = 5


Request = tuple[str, dict[str, Any]]  # (path, JSON body) of a POST


def post_in_a_process(
    base_url: str, token: str, requests: list[Request], start: Any, results: Any
) -> None:  # pragma: no cover - runs in a child process
    """Post each request in turn, every process starting each round at the same moment."""
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        for path, body in requests:
            start.wait()
            response = http.post(path, json=body)
            results.put((response.status_code, response.json()))


async def race(base_url: str, token: str, bodies: list[list[dict[str, Any]]]) -> list[tuple[int, Any]]:
    """bodies[p] is the events process p posts, round by round; returns every (status, body)."""
    return await race_requests(base_url, token, [[(EVENTS, body) for body in mine] for mine in bodies])


async def race_requests(base_url: str, token: str, requests: list[list[Request]]) -> list[tuple[int, Any]]:
    """requests[p] is what process p posts, round by round; returns every (status, body)."""
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Barrier(len(requests)), spawn.Queue()
    workers = [
        spawn.Process(target=post_in_a_process, args=(base_url, token, mine, start, results))
        for mine in requests
    ]
    for worker in workers:
        worker.start()
    outcomes = [await asyncio.to_thread(results.get, True, 120) for _ in range(sum(map(len, requests)))]
    for worker in workers:
        await asyncio.to_thread(worker.join, 30)
        assert worker.exitcode == 0
    return outcomes


def started_today() -> str:
    """A start the catalog accepts (today) that is already past, so the campaign runs on the live server."""
    now = clock.now()
    return max(now - timedelta(minutes=1), now.replace(hour=0, minute=0, second=0, microsecond=0)).isoformat()


async def behavior_campaign(client: httpx.AsyncClient, tenant: Tenant, **overrides: Any) -> str:
    points = await reward(client, tenant)
    values: dict[str, Any] = {
        "rules": per_dollar(points),
        "start_date": started_today(),
        "platforms": [],
        "budget": None,
        "divide_budget_in": None,
    }
    response = await post_campaign(client, tenant, "BEHAVIOR", campaign_body(points, **(values | overrides)))
    assert response.status_code == 201, response.text
    return points


def accumulated(outcomes: list[tuple[int, Any]]) -> Decimal:
    return sum(
        (
            Decimal(str(line["amount"]))
            for status, body in outcomes
            if status == 201
            for line in body["data"]["result"]["accumulations"]
        ),
        Decimal(0),
    )


async def test_a_budget_holds_under_concurrent_events(
    client: httpx.AsyncClient, database_url: str, workdir: Path, tenant: Tenant
) -> None:
    await behavior_campaign(client, tenant, budget=7, divide_budget_in="daily")
    for racer in range(RACERS):
        await customer(client, tenant, f"c{racer}")
    bearer = (await tenant.loyalty(client))["Authorization"].removeprefix("Bearer ")
    bodies = [[purchase(1, customer_id=f"c{racer}") for _ in range(ROUNDS)] for racer in range(RACERS)]
    with live_server(database_url, workdir) as server:
        outcomes = await race(server.base_url, bearer, bodies)
    assert sorted({status for status, _ in outcomes}) == [201], outcomes
    assert accumulated(outcomes) == 7
    total = Decimal(0)
    for racer in range(RACERS):
        response = await client.get(f"{LOYALTY}/customers/c{racer}", headers=await tenant.loyalty(client))
        total += sum(
            (Decimal(str(t["total"])) for t in response.json()["data"]["wallet"]["totals"]), Decimal(0)
        )
    assert total == 7


async def test_one_customer_one_purchase_id_and_a_wallet_equal_to_its_ledger(
    client: httpx.AsyncClient, database_url: str, workdir: Path, tenant: Tenant
) -> None:
    points = await behavior_campaign(client, tenant)
    await customer(client, tenant, "c1")
    bearer = (await tenant.loyalty(client))["Authorization"].removeprefix("Bearer ")
    same_order = [[purchase(3, "order-1")] for _ in range(RACERS)]
    mixed = [
        [
            purchase(10)
            if (racer + round_number) % 2 == 0
            else purchase(1, redeem=[{"id": points, "amount": 4}])
            for round_number in range(ROUNDS)
        ]
        for racer in range(RACERS)
    ]
    with live_server(database_url, workdir) as server:
        once = await race(server.base_url, bearer, same_order)
        outcomes = await race(server.base_url, bearer, mixed)
    assert sorted(status for status, _ in once) == [200] * (RACERS - 1) + [201], once
    assert len({body["data"]["id"] for _, body in once}) == 1
    assert {status for status, _ in outcomes} <= {201, 422}, outcomes
    headers = await tenant.loyalty(client)
    wallet = (await client.get(f"{LOYALTY}/customers/c1", headers=headers)).json()["data"]["wallet"]
    transactions = (await client.get(f"{LOYALTY}/customers/c1/transactions", headers=headers)).json()["data"]
    ledger_sum = sum((Decimal(str(t["amount"])) for t in transactions), Decimal(0))
    [total] = wallet["totals"]
    assert Decimal(str(total["total"])) == ledger_sum
    spent = sum(4 for status, body in outcomes if status == 201 and body["data"]["result"]["redemptions"])
    assert ledger_sum == 3 + accumulated(outcomes) - spent
    assert ledger_sum >= 0


async def test_reversals_racing_new_events_keep_the_purchase_count(
    client: httpx.AsyncClient, database_url: str, workdir: Path, tenant: Tenant
) -> None:
    """Half the processes reverse earlier purchases while the others send new ones for the same customer:
    a reversal that rewrote the metrics from a stale copy would lose a concurrent purchase, and one that
    locked the wallet before the customer could deadlock with the events (PostgreSQL)."""
    await behavior_campaign(client, tenant)
    await customer(client, tenant, "c1")
    earlier = [(await sent(client, tenant, purchase(5)))["id"] for _ in range(RACERS // 2 * ROUNDS)]
    bearer = (await tenant.loyalty(client))["Authorization"].removeprefix("Bearer ")
    reversing: list[list[Request]] = [
        [(f"{EVENTS}/{event_id}/reverse", {}) for event_id in earlier[racer::2]] for racer in range(2)
    ]
    purchasing = [[(EVENTS, purchase(7)) for _ in range(ROUNDS)] for _ in range(RACERS - 2)]
    with live_server(database_url, workdir) as server:
        outcomes = await race_requests(server.base_url, bearer, reversing + purchasing)
    assert sorted({status for status, _ in outcomes}) == [200, 201], outcomes
    shown = (await client.get(f"{LOYALTY}/customers/c1", headers=await tenant.loyalty(client))).json()
    lifetime = shown["data"]["customer"]["metrics"]["lifetime"]
    new_purchases = (RACERS - 2) * ROUNDS
    assert lifetime["number_of_purchases"] == new_purchases
    assert Decimal(lifetime["spend_total"]) == 7 * new_purchases
