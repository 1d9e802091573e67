"""The affiliate face's sale path against the one-route FastAPI app, in one run: server CPU per request as
a ratio to the bare app's `/healthz` (bench.bare_app, same uvicorn settings), throughput and p99 at 16 in
flight.

Loads, in rounds: the bare app's `/healthz`; Perks' `/healthz`; `POST /api/v1/track/sale` of referred
customers (each sale earns a pending commission: the sale, the commission and two webhooks are written),
distinct invoiceIds; `POST /api/v1/track/refund` of part of those sales (the commission is reduced pro
rata). After the run the commissions are counted: every sale answered 201 must have its one commission.

    python -m bench.sales [--per-round N] [--rounds R] [--concurrency C]
    PERKS_BENCH_POSTGRES_URL=postgresql+asyncpg://... python -m bench.sales   # PostgreSQL instead
                                                              (in a database of its own, dropped after)
"""

from __future__ import annotations

import argparse
import asyncio
import os
from contextlib import ExitStack
from typing import Any

import aiohttp
import httpx

from bench.hotpaths import loadavg, measured
from bench.support import (
    POSTGRES_ENV,
    LoadResult,
    RequestFactory,
    Server,
    bare_server,
    machine,
    perks_server,
    print_cpu_medians,
    run_load,
)
from bench.webhooks import fresh_postgres

AFFILIATE = "/api/v1"
CUSTOMERS = 500  # referred customers, signed up through the affiliate's code before the loads
CODE = "bench"


def email(n: int) -> str:
    return f"customer{n % CUSTOMERS}@example.com"


async def prepare(server: Server) -> str:
    """A percentage campaign, an active affiliate with a link, and CUSTOMERS sign-ups through its code;
    the affiliate's id."""
    headers = {"x-auth-referralstack": server.api_key}
    async with aiohttp.ClientSession(base_url=server.base_url, headers=headers) as http:

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            async with http.post(f"{AFFILIATE}{path}", json=body) as response:
                assert response.status in (200, 201), await response.text()
                answer: dict[str, Any] = await response.json()
                return answer

        campaign = {"campaignName": "Bench", "commissionType": "percentage", "amount": 10}
        await post("/campaigns", campaign | {"url": "https://shop.example", "payoutTerm": 30})
        person = await post("/affiliates", {"email": "a@example.com", "firstName": "A", "lastName": "B"})
        affiliate_id = str(person["data"]["id"])
        await post("/links", {"affiliateId": affiliate_id, "referralCode": CODE})
        semaphore = asyncio.Semaphore(16)

        async def sign_up(n: int) -> None:
            async with semaphore:
                await post("/track/signup", {"email": email(n), "referralCode": CODE})

        await asyncio.gather(*(sign_up(n) for n in range(CUSTOMERS)))
    return affiliate_id


def commissions(server: Server, affiliate_id: str) -> int:
    response = httpx.get(
        f"{server.base_url}{AFFILIATE}/commissions/list?affiliateId={affiliate_id}&limit=1",
        headers={"x-auth-referralstack": server.api_key},
    )
    response.raise_for_status()
    return int(response.json()["data"]["pagination"]["total"])


def measure(label: str, database_url: str | None, per_round: int, rounds: int, concurrency: int) -> None:
    print(f"database: {label}")
    counters = {"sale": 0, "refund": 0}

    def next_index(kind: str) -> int:
        counters[kind] += 1
        return counters[kind]

    with ExitStack() as stack:
        bare = stack.enter_context(bare_server())
        server = stack.enter_context(perks_server(database_url))
        affiliate_id = asyncio.run(prepare(server))
        headers = {"x-auth-referralstack": server.api_key}

        def sale(_: int) -> tuple[str, str, dict[str, str], Any]:
            n = next_index("sale")
            body = {"email": email(n), "amount": "100.00", "invoiceId": f"inv-{n}"}
            return "POST", f"{AFFILIATE}/track/sale", headers, body

        def refund(_: int) -> tuple[str, str, dict[str, str], Any]:
            n = next_index("refund")  # the sales are made before the refunds of each round
            return "POST", f"{AFFILIATE}/track/refund", headers, {"invoiceId": f"inv-{n}", "amount": "25.00"}

        def healthz(_: int) -> tuple[str, str, dict[str, str], Any]:
            return "GET", "/healthz", {}, None

        loads: list[tuple[str, Server, RequestFactory, tuple[int, ...]]] = [
            ("bare app GET /healthz (baseline)", bare, healthz, (200,)),
            ("Perks GET /healthz", server, healthz, (200,)),
            ("POST /track/sale (referred)", server, sale, (201,)),
            ("POST /track/refund (part)", server, refund, (200,)),
        ]
        for name, target, factory, expect in loads:  # warm-up
            run_load(f"warm-up {name}", target.base_url, factory, 100, 4, expect=expect)
        table: list[list[tuple[LoadResult, float]]] = []
        for number in range(rounds):
            print(f"round {number + 1} (load average {os.getloadavg()[0]:.2f}):", flush=True)
            results = []
            for name, target, factory, expect in loads:
                result, cpu = measured(target, name, factory, expect, per_round, concurrency)
                results.append((result, cpu))
                print(f"  {result.line()}   server CPU {cpu * 1000 / result.requests:.3f} ms", flush=True)
            table.append(results)
        print_cpu_medians(table)
        sold = counters["sale"] - sum(round_[2][0].failures for round_ in table)
        counted = commissions(server, affiliate_id)
        print(
            f"commissions: {counted} for {sold} sales answered 201 ({'all' if counted == sold else 'WRONG'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-round", type=int, default=1500, help="requests of each load per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(machine())
    print(f"load average before: {loadavg()}")
    admin_url = os.environ.get(POSTGRES_ENV)
    if admin_url:
        with fresh_postgres(admin_url) as postgres_url:
            measure("PostgreSQL", postgres_url, args.per_round, args.rounds, args.concurrency)
    else:
        measure("SQLite", None, args.per_round, args.rounds, args.concurrency)
    print(f"load average after: {loadavg()}")


if __name__ == "__main__":
    main()
