"""The hot paths against the one-route FastAPI app, in one run: server CPU per request as a ratio to the
bare app's `/healthz` (bench.bare_app, same uvicorn settings), throughput at 16 in flight, and latency at a
fixed arrival rate (open loop, measured from each request's scheduled send time).

Loads, in rounds: the bare app's `/healthz`; Perks' `/healthz`; `GET /customers/{id}` of customers whose
wallets hold 30 lines; `POST /behavior/events` (PURCHASE) with 50 running BEHAVIOR campaigns (as in
bench.events: a typical event is rewarded by 2 or 3 of them); `POST /coupons/redeem` of distinct codes.
Then the customer read while events are written (both loads at once), and the open-loop latencies:
redemptions at 150/s and events at --event-rate.

    python -m bench.hotpaths [--per-round N] [--rounds R] [--concurrency C] [--workers W]
    PERKS_BENCH_POSTGRES_URL=postgresql+asyncpg://... python -m bench.hotpaths   # PostgreSQL instead
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bench.events import CAMPAIGNS, campaign_rules, purchase
from bench.support import (
    POSTGRES_ENV,
    LoadResult,
    RequestFactory,
    Server,
    bare_server,
    cpu_seconds,
    machine,
    perks_server,
    print_cpu_medians,
    run_load,
    run_open_loop,
)

LOYALTY = "/api/storefront/v1"
EVENT_CUSTOMERS = 1000
READ_CUSTOMERS = 100  # w0..w99, 30 wallet lines each
LINES = 30
REDEEM_CUSTOMERS = 100  # r0..r99
OPEN_LOOP_REDEEM_RATE = 150.0


def code(n: int) -> str:
    return f"HOT{n:07d}"


async def prepare(base_url: str, api_key: str, codes: int) -> str:
    """Token, reward, the 50 BEHAVIOR campaigns, a COUPONS campaign with `codes` custom codes, the
    customers, and 30 lines in each read customer's wallet (by redeeming codes 0..2999)."""
    async with aiohttp.ClientSession(base_url=base_url) as http:
        async with http.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": api_key}) as response:
            token = str((await response.json())["data"])
        headers = {"Authorization": f"Bearer {token}"}

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            async with http.post(f"{LOYALTY}{path}", headers=headers, json=body) as response:
                assert response.status in (200, 201), await response.text()
                answer: dict[str, Any] = await response.json()
                return answer

        reward = {"type": "POINTS", "name": "Points", "attributes": {"conversion_factor": 0.01}}
        reward_id = (await post("/rewards", reward))["data"]["id"]
        now = datetime.now(UTC)
        start = max(now - timedelta(minutes=1), now.replace(hour=0, minute=0, second=0, microsecond=0))
        end = (now + timedelta(days=30)).isoformat()
        for index in range(CAMPAIGNS):
            await post(
                "/campaigns?type=BEHAVIOR",
                {
                    "brand_id": None,
                    "platforms": [],
                    "name": f"Campaign {index}",
                    "rules": json.dumps(campaign_rules(index, reward_id)),
                    "attributes": {"trigger": "PURCHASE"},
                    "status": "ACTIVE",
                    "start_date": start.isoformat(),
                    "end_date": end,
                    "labels": [],
                },
            )
        effect = {"reward_id": reward_id, "amount": 10, "expiration_date": "12/months"}
        await post(
            "/campaigns?type=COUPONS",
            {
                "name": "Hot coupons",
                "rules": json.dumps([{"conditions": [], "effects": [effect]}]),
                "start_date": start.isoformat(),
                "end_date": end,
                "useCustomCodes": True,
                "customCodes": ",".join(code(n) for n in range(codes)),
            },
        )
        semaphore = asyncio.Semaphore(16)

        async def limited(path: str, body: dict[str, Any]) -> None:
            async with semaphore:
                await post(path, body)

        names = (
            [f"c{n}" for n in range(EVENT_CUSTOMERS)]
            + [f"w{n}" for n in range(READ_CUSTOMERS)]
            + [f"r{n}" for n in range(REDEEM_CUSTOMERS)]
        )
        await asyncio.gather(
            *(
                limited("/customers", {"id": name, "name": "Bench", "email": f"{name}@example.com"})
                for name in names
            )
        )
        await asyncio.gather(
            *(
                limited(
                    "/coupons/redeem",
                    {"customer_id": f"w{n % READ_CUSTOMERS}", "code": code(n), "brand_id": None},
                )
                for n in range(READ_CUSTOMERS * LINES)
            )
        )
    return token


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-round", type=int, default=1500, help="requests of each load per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="perks serve --workers")
    parser.add_argument("--event-rate", type=float, default=400.0, help="open-loop events per second")
    parser.add_argument("--open-loop-seconds", type=float, default=10.0)
    args = parser.parse_args()
    print(machine())
    database_url = os.environ.get(POSTGRES_ENV)
    print(f"database: {'PostgreSQL' if database_url else 'SQLite'}, workers {args.workers}")
    print(f"load average before: {loadavg()}")
    redeem_open = int(OPEN_LOOP_REDEEM_RATE * args.open_loop_seconds)
    first_free = READ_CUSTOMERS * LINES
    codes = first_free + 200 + args.rounds * args.per_round + redeem_open
    counters = {"event": 0, "redeem": first_free}

    def next_index(kind: str) -> int:
        counters[kind] += 1
        return counters[kind]

    with bare_server() as bare, perks_server(database_url, workers=args.workers) as server:
        token = asyncio.run(prepare(server.base_url, server.api_key, codes))
        auth = {"Authorization": f"Bearer {token}"}

        def event(_: int) -> tuple[str, str, dict[str, str], Any]:
            return purchase(next_index("event"), token, EVENT_CUSTOMERS)

        def redeem(_: int) -> tuple[str, str, dict[str, str], Any]:
            n = next_index("redeem")
            body = {"customer_id": f"r{n % REDEEM_CUSTOMERS}", "code": code(n).lower(), "brand_id": None}
            return "POST", f"{LOYALTY}/coupons/redeem", auth, body

        def read(i: int) -> tuple[str, str, dict[str, str], Any]:
            return "GET", f"{LOYALTY}/customers/w{i % READ_CUSTOMERS}", auth, None

        def healthz(_: int) -> tuple[str, str, dict[str, str], Any]:
            return "GET", "/healthz", {}, None

        loads: list[tuple[str, Server, RequestFactory, tuple[int, ...]]] = [
            ("bare app GET /healthz (baseline)", bare, healthz, (200,)),
            ("Perks GET /healthz", server, healthz, (200,)),
            ("GET /customers/{id} (30 lines)", server, read, (200,)),
            ("POST /behavior/events (50 campaigns)", server, event, (201,)),
            ("POST /coupons/redeem", server, redeem, (200,)),
        ]
        for label, target, factory, expect in loads:  # warm-up
            run_load(f"warm-up {label}", target.base_url, factory, 100, 4, expect=expect)
        rounds: list[list[tuple[LoadResult, float]]] = []
        for number in range(args.rounds):
            print(f"round {number + 1} (load average {os.getloadavg()[0]:.2f}):", flush=True)
            results = []
            for label, target, factory, expect in loads:
                result, cpu = measured(target, label, factory, expect, args.per_round, args.concurrency)
                results.append((result, cpu))
                print(f"  {result.line()}   server CPU {cpu * 1000 / result.requests:.3f} ms", flush=True)
            rounds.append(results)
        print_cpu_medians(rounds)
        alone, during = reads_beside_events(server, read, event, args.per_round, args.concurrency)
        print("customer reads alone, then while events are written (8 + 8 in flight):")
        print(f"  {alone.line()}")
        print(f"  {during.line()}")
        print(f"open loop (load average {os.getloadavg()[0]:.2f}):")
        print(
            "  "
            + run_open_loop(
                "redeem at 150/s", server.base_url, redeem, OPEN_LOOP_REDEEM_RATE, redeem_open
            ).line()
        )
        events_open = int(args.event_rate * args.open_loop_seconds)
        print(
            "  "
            + run_open_loop(
                f"events at {args.event_rate:.0f}/s",
                server.base_url,
                event,
                args.event_rate,
                events_open,
                (201,),
            ).line()
        )
    print(f"load average after: {loadavg()}")


def loadavg() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def measured(
    server: Server, label: str, factory: RequestFactory, expect: tuple[int, ...], total: int, concurrency: int
) -> tuple[LoadResult, float]:
    """A load and the server CPU it cost."""
    before = cpu_seconds(server.pid)
    result = run_load(label, server.base_url, factory, total, concurrency, expect=expect)
    return result, cpu_seconds(server.pid) - before


def reads_beside_events(
    server: Server, read: RequestFactory, event: RequestFactory, total: int, concurrency: int
) -> tuple[LoadResult, LoadResult]:
    """Customer reads at half the concurrency alone, then with events at the other half at the same time."""
    half = max(1, concurrency // 2)
    alone = run_load("reads alone", server.base_url, read, total, half)
    outcome: dict[str, LoadResult] = {}

    def in_thread(name: str, job: Callable[[], LoadResult]) -> threading.Thread:
        thread = threading.Thread(target=lambda: outcome.__setitem__(name, job()))
        thread.start()
        return thread

    writer = in_thread(
        "events", lambda: run_load("events", server.base_url, event, total * 2, half, expect=(201,))
    )
    reader = in_thread(
        "reads", lambda: run_load("reads while events are written", server.base_url, read, total, half)
    )
    reader.join()
    writer.join()
    return alone, outcome["reads"]


if __name__ == "__main__":
    main()
