"""Coupon redemptions over HTTP against a real `perks serve`: each request redeems a distinct single-use
code of one running COUPONS campaign (custom codes) into one of 100 customers' wallets, next to the bare
`GET /healthz` baseline of the same server, client and concurrency, in one run; then `GET /customers/{id}`
(token check, customer, wallet with its lines) on the wallets the redemptions filled, as a reference.

    python -m bench.redeem [--requests N] [--concurrency C]

SQLite always; PERKS_BENCH_POSTGRES_URL adds PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import timedelta
from typing import Any

import httpx

from bench.support import LoadResult, machine, perks_server, run_load, summary
from perks.kit import clock

LOYALTY = "/api/storefront/v1"
CUSTOMERS = 100


def prepare(base_url: str, api_key: str, codes: int) -> dict[str, str]:
    """A reward, a running COUPONS campaign with `codes` custom codes and the customers: bearer headers."""
    with httpx.Client(base_url=base_url + LOYALTY, timeout=120) as http:
        token = http.get("/auth/authorize", headers={"x-api-key": api_key}).json()["data"]
        headers = {"Authorization": f"Bearer {token}"}
        reward = http.post(
            "/rewards",
            headers=headers,
            json={"type": "POINTS", "name": "Points", "attributes": {"conversion_factor": 0.1}},
        ).json()["data"]["id"]
        rules = [
            {
                "conditions": [],
                "effects": [{"reward_id": reward, "amount": 10, "expiration_date": "12/months"}],
            }
        ]
        campaign = http.post(
            "/campaigns?type=COUPONS",
            headers=headers,
            json={
                "name": "Bench coupons",
                "rules": json.dumps(rules),
                "start_date": clock.now().isoformat(),
                "end_date": (clock.now() + timedelta(days=30)).isoformat(),
                "useCustomCodes": True,
                "customCodes": ",".join(code(n) for n in range(codes)),
            },
        )
        campaign.raise_for_status()
        for n in range(CUSTOMERS):
            body = {"id": f"c{n}", "name": "Bench", "email": f"c{n}@example.com"}
            http.post("/customers", headers=headers, json=body).raise_for_status()
        return headers


def code(n: int) -> str:
    return f"BENCH{n:07d}"


def bench(database_url: str | None, requests: int, concurrency: int) -> list[LoadResult]:
    with perks_server(database_url) as server:
        headers = prepare(server.base_url, server.api_key, requests)

        def healthz(_: int) -> tuple[str, str, dict[str, str], Any]:
            return "GET", "/healthz", {}, None

        def customer(n: int) -> tuple[str, str, dict[str, str], Any]:
            return "GET", f"{LOYALTY}/customers/c{n % CUSTOMERS}", headers, None

        def redeem(n: int) -> tuple[str, str, dict[str, str], Any]:
            body = {"customer_id": f"c{n % CUSTOMERS}", "code": code(n).lower(), "brand_id": None}
            return "POST", f"{LOYALTY}/coupons/redeem", headers, body

        name = "postgres" if database_url else "sqlite"
        return [
            run_load(f"{name} GET /healthz (baseline)", server.base_url, healthz, requests, concurrency),
            run_load(f"{name} POST /coupons/redeem", server.base_url, redeem, requests, concurrency),
            run_load(
                f"{name} GET /customers/{{id}} (after)", server.base_url, customer, requests, concurrency
            ),
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    print(machine())
    targets = [None] + (
        [os.environ["PERKS_BENCH_POSTGRES_URL"]] if os.environ.get("PERKS_BENCH_POSTGRES_URL") else []
    )
    for target in targets:
        print(summary(bench(target, args.requests, args.concurrency)))
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
