"""PURCHASE events over HTTP against a real server with 50 active BEHAVIOR campaigns, beside the bare
/healthz route of the same server, in one run.

Every campaign triggers on PURCHASE, so every event evaluates all 50; their conditions (order value
thresholds, SKUs, payment methods) are set so that a typical event is rewarded by 3 of them (1 point per
dollar, a fixed bonus over 20, a bonus for CREDIT payments), as in a real catalog where most campaigns target
something specific. Events go to 1,000 customers in turn, each with its own purchase_id.

    python -m bench.events [--total N] [--rounds R] [--concurrency C] [--customers N]

Each round measures the three loads in turn; the medians over the rounds are printed last, with the server
process's CPU time per request (from /proc), which the client sharing the two cores disturbs less than
the rates.
    PERKS_BENCH_POSTGRES_URL=postgresql+asyncpg://... python -m bench.events   # PostgreSQL instead
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bench.support import (
    POSTGRES_ENV,
    LoadResult,
    RequestFactory,
    Server,
    cpu_seconds,
    machine,
    median,
    perks_server,
    run_load,
)

LOYALTY = "/api/storefront/v1"
CAMPAIGNS = 50


def condition(kind: str, operator: str, value: Any, primitive: str = "number") -> dict[str, Any]:
    return {"type": kind, "operator": operator, "primitive": primitive, "value": value}


def campaign_rules(index: int, reward_id: str) -> list[dict[str, Any]]:
    """Campaign 0 gives a point per dollar, 1 a fixed 10 over 20 dollars, 2 a CREDIT bonus; the others
    need a SKU or an order value no bench event has."""
    per_dollar = {"reward_id": reward_id, "amount": 1, "amount_type": "PER_CURRENCY_UNIT"}
    fixed = {"reward_id": reward_id, "amount": 10, "expiration_date": "12/months"}
    if index == 0:
        return [{"conditions": [], "effects": [per_dollar]}]
    if index == 1:
        return [{"conditions": [[condition("Order Value", "greater than", 20)]], "effects": [fixed]}]
    if index == 2:
        return [
            {"conditions": [[condition("Payment Method", "equal", "CREDIT", "string")]], "effects": [fixed]}
        ]
    if index % 2:
        sku = condition("Product SKU", "equal", f"SKU-{index}", "string")
        return [{"conditions": [[sku]], "effects": [fixed]}]
    big = condition("Order Value", "greater than", 10_000 + index)
    return [
        {"conditions": [[big], [condition("Number of Products", "greater than", 50)]], "effects": [fixed]}
    ]


async def prepare(base_url: str, api_key: str, customers: int) -> str:
    """Token, a POINTS reward, the campaigns and the customers; returns the bearer token."""
    async with aiohttp.ClientSession(base_url=base_url) as http:
        async with http.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": api_key}) as response:
            token = str((await response.json())["data"])
        headers = {"Authorization": f"Bearer {token}"}
        body = {"type": "POINTS", "name": "Points", "attributes": {"conversion_factor": 0.01}}
        async with http.post(f"{LOYALTY}/rewards", headers=headers, json=body) as response:
            reward_id = (await response.json())["data"]["id"]
        now = datetime.now(UTC)
        start = max(now - timedelta(minutes=1), now.replace(hour=0, minute=0, second=0, microsecond=0))
        for index in range(CAMPAIGNS):
            campaign = {
                "brand_id": None,
                "platforms": [],
                "name": f"Campaign {index}",
                "rules": json.dumps(campaign_rules(index, reward_id)),
                "attributes": {"trigger": "PURCHASE"},
                "status": "ACTIVE",
                "start_date": start.isoformat(),
                "end_date": (now + timedelta(days=30)).isoformat(),
                "labels": [],
            }
            async with http.post(
                f"{LOYALTY}/campaigns?type=BEHAVIOR", headers=headers, json=campaign
            ) as response:
                assert response.status == 201, await response.text()
        semaphore = asyncio.Semaphore(16)

        async def register(index: int) -> None:
            async with semaphore:
                body = {"id": f"c{index}", "name": "Bench", "email": f"c{index}@example.com"}
                async with http.post(f"{LOYALTY}/customers", headers=headers, json=body) as response:
                    assert response.status == 201, await response.text()

        await asyncio.gather(*(register(index) for index in range(customers)))
    return token


def purchase(index: int, token: str, customers: int) -> tuple[str, str, dict[str, str], Any]:
    body = {
        "customer_id": f"c{index % customers}",
        "brand_id": None,
        "type": "PURCHASE",
        "platform": "web",
        "order": {
            "purchase_id": f"order-{index}",
            "value": 25 + index % 20,
            "payment_method": "CREDIT" if index % 2 else "DEBIT",
            "products": [{"sku": "SKU-A", "amount": 1, "value": 25}],
        },
    }
    return "POST", f"{LOYALTY}/behavior/events", bearer(token), body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--total", type=int, default=6000, help="requests of each kind, over all rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1, help="perks serve --workers")
    args = parser.parse_args()
    print(machine())
    database_url = os.environ.get(POSTGRES_ENV)
    print(f"database: {'PostgreSQL' if database_url else 'SQLite'}; load average {os.getloadavg()}")
    per_round = args.total // args.rounds
    rounds: list[list[tuple[LoadResult, float]]] = []
    with perks_server(database_url, workers=args.workers) as server:
        token = asyncio.run(prepare(server.base_url, server.api_key, args.customers))
        run_load("warm-up", server.base_url, lambda i: purchase(10**6 + i, token, args.customers), 300, 4)
        for number in range(args.rounds):
            loads: list[tuple[str, RequestFactory, tuple[int, ...]]] = [
                ("GET /healthz (baseline)", lambda i: ("GET", "/healthz", {}, None), (200,)),
                (
                    "GET /customers/{id} (auth + 3 reads)",
                    lambda i: ("GET", f"{LOYALTY}/customers/c{i % args.customers}", bearer(token), None),
                    (200,),
                ),
                (
                    "POST /behavior/events (PURCHASE)",
                    lambda i, number=number: purchase(number * per_round + i, token, args.customers),
                    (201,),
                ),
            ]
            rounds.append([measured(server, load, per_round, args.concurrency) for load in loads])
            print(f"round {number + 1}:")
            for result, cpu in rounds[-1]:
                print(f"  {result.line()}   server CPU {cpu * 1000 / result.requests:.2f} ms/request")
    print("medians over the rounds:")
    for index, (first, _cpu) in enumerate(rounds[0]):
        rates = [round_[index][0].per_second for round_ in rounds]
        ratios = [round_[index][0].per_second / round_[0][0].per_second for round_ in rounds]
        cpus = [round_[index][1] * 1000 / round_[index][0].requests for round_ in rounds]
        print(
            f"  {first.label:<40} {median(rates):>7.0f} /s   {median(ratios):.2f}x healthz   "
            f"server CPU {median(cpus):.2f} ms/request"
        )
    print(f"load average after: {os.getloadavg()}")


def measured(
    server: Server, load: tuple[str, RequestFactory, tuple[int, ...]], total: int, concurrency: int
) -> tuple[LoadResult, float]:
    """A load and the server CPU it cost."""
    label, factory, expect = load
    before = cpu_seconds(server.pid)
    result = run_load(label, server.base_url, factory, total, concurrency, expect=expect)
    return result, cpu_seconds(server.pid) - before


if __name__ == "__main__":
    main()
