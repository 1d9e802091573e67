"""Coupon reversals and referral codes against the one-route FastAPI app, in one run: server CPU per request
as a ratio to the bare app's `/healthz` (bench.bare_app), throughput at 16 in flight.

Loads, in rounds: the bare app's `/healthz`; `POST /coupons/reverse` of codes redeemed beforehand (each once,
so every reversal gives its 10 points back); `POST /customers/{id}/referrals/request-code` for customers
without a code (201, the code created) and again for customers with one (200, the code found); and
`POST /customers` of a new customer with a referral code (the referee's and the referrer's rewards at
registration) beside plain registrations (the same without the code).

`--before SRC` runs a second `perks serve` from another source tree (the code before a change:
`git archive <commit> src | tar -x -C /tmp/before`, then `--before /tmp/before/src`) on a database of its
own in the same run, so both are measured in the same rounds against one baseline.

    python -m bench.reversals [--per-round N] [--rounds R] [--concurrency C] [--before SRC]
    PERKS_BENCH_POSTGRES_URL=postgresql+asyncpg://... python -m bench.reversals   # PostgreSQL instead
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bench.hotpaths import loadavg, measured
from bench.support import (
    POSTGRES_ENV,
    LoadResult,
    RequestFactory,
    Server,
    bare_server,
    machine,
    median,
    perks_server,
    run_load,
)

LOYALTY = "/api/storefront/v1"
REDEEMERS = 100  # r0..r99: whose redemptions are reversed
REFERRERS = 100  # f0..f99: customers with a referral code
WARM_UP = 100
Request = tuple[str, str, dict[str, str], Any]


def code(n: int) -> str:
    return f"REV{n:07d}"


@dataclass
class Target:
    """One Perks server of the run, prepared, with a counter per load (each request uses a new code or
    customer)."""

    name: str
    server: Server
    token: str = ""
    campaign_id: str = ""
    referral_codes: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def next(self, kind: str) -> int:
        value = self.counters.get(kind, 0)
        self.counters[kind] = value + 1
        return value

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def reverse(self, _: int) -> Request:
        n = self.next("reverse")
        body = {"customer_id": f"r{n % REDEEMERS}", "code": code(n).lower()}
        return "POST", f"{LOYALTY}/coupons/reverse", self.auth, body

    def new_code(self, _: int) -> Request:
        path = f"{LOYALTY}/customers/k{self.next('new_code')}/referrals/request-code"
        return "POST", path, self.auth, {"campaign_id": self.campaign_id}

    def existing_code(self, _: int) -> Request:
        path = f"{LOYALTY}/customers/f{self.next('existing_code') % REFERRERS}/referrals/request-code"
        return "POST", path, self.auth, {"campaign_id": self.campaign_id}

    def referred(self, _: int) -> Request:
        n = self.next("referred")
        body = customer(f"g{n}") | {"referral_code": self.referral_codes[n % REFERRERS].lower()}
        return "POST", f"{LOYALTY}/customers", self.auth, body

    def plain(self, _: int) -> Request:
        return "POST", f"{LOYALTY}/customers", self.auth, customer(f"p{self.next('plain')}")


def customer(name: str) -> dict[str, Any]:
    return {"id": name, "name": "Bench", "email": f"{name}@example.com"}


async def prepare(target: Target, codes: int, new_customers: int) -> None:
    """Token, rewards, a COUPONS campaign with `codes` custom codes (all redeemed here, by r0..r99), a
    REFERRALS campaign (referrer 50, referee 10, on any event), its codes for f0..f99, and customers
    k0.. without a code."""
    server = target.server
    async with aiohttp.ClientSession(base_url=server.base_url) as http:
        async with http.get(f"{LOYALTY}/auth/authorize", headers={"x-api-key": server.api_key}) as response:
            target.token = str((await response.json())["data"])
        semaphore = asyncio.Semaphore(16)

        async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            async with semaphore, http.post(f"{LOYALTY}{path}", headers=target.auth, json=body) as response:
                assert response.status in (200, 201), await response.text()
                answer: dict[str, Any] = await response.json()
                return answer

        async def reward() -> str:
            body = {"type": "POINTS", "name": "Points", "attributes": {"conversion_factor": 0.01}}
            return str((await post("/rewards", body))["data"]["id"])

        coupon_reward, referrer_reward, referee_reward = await reward(), await reward(), await reward()
        now = datetime.now(UTC)
        start = max(now - timedelta(minutes=1), now.replace(hour=0, minute=0, second=0, microsecond=0))
        end = (now + timedelta(days=30)).isoformat()

        def rules(reward_id: str, amount: int) -> str:
            effect = {"reward_id": reward_id, "amount": amount, "expiration_date": "12/months"}
            return json.dumps([{"conditions": [], "effects": [effect]}])

        await post(
            "/campaigns?type=COUPONS",
            {
                "name": "Reversed coupons",
                "rules": rules(coupon_reward, 10),
                "start_date": start.isoformat(),
                "end_date": end,
                "useCustomCodes": True,
                "customCodes": ",".join(code(n) for n in range(codes)),
            },
        )
        referrals = await post(
            "/campaigns?type=REFERRALS",
            {
                "brand_id": None,
                "platforms": [],
                "name": "Referrals",
                "rules": rules(referrer_reward, 50),
                "referee_rules_json": rules(referee_reward, 10),
                "attributes": {},
                "status": "ACTIVE",
                "start_date": start.isoformat(),
                "end_date": end,
                "labels": [],
            },
        )
        target.campaign_id = str(referrals["data"]["id"])
        names = (
            [f"r{n}" for n in range(REDEEMERS)]
            + [f"f{n}" for n in range(REFERRERS)]
            + [f"k{n}" for n in range(new_customers)]
        )
        await asyncio.gather(*(post("/customers", customer(name)) for name in names))
        target.referral_codes = [
            str(answer["data"]["code"])
            for answer in await asyncio.gather(
                *(
                    post(f"/customers/f{n}/referrals/request-code", {"campaign_id": target.campaign_id})
                    for n in range(REFERRERS)
                )
            )
        ]
        await asyncio.gather(
            *(
                post("/coupons/redeem", {"customer_id": f"r{n % REDEEMERS}", "code": code(n)})
                for n in range(codes)
            )
        )


def loads_of(target: Target) -> list[tuple[str, RequestFactory, tuple[int, ...]]]:
    return [
        (f"{target.name}: POST /coupons/reverse", target.reverse, (200,)),
        (f"{target.name}: request-code, new (201)", target.new_code, (201,)),
        (f"{target.name}: request-code, existing (200)", target.existing_code, (200,)),
        (f"{target.name}: POST /customers + referral", target.referred, (201,)),
        (f"{target.name}: POST /customers, plain", target.plain, (201,)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-round", type=int, default=1000, help="requests of each load per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--before", help="a source tree (its src directory) to run as 'before'")
    args = parser.parse_args()
    print(machine())
    database_url = os.environ.get(POSTGRES_ENV)
    print(f"database: {'PostgreSQL' if database_url else 'SQLite'}")
    print(f"load average before: {loadavg()}", flush=True)
    each = WARM_UP + args.rounds * args.per_round
    with ExitStack() as stack:
        bare = stack.enter_context(bare_server())
        targets = []
        if args.before:
            before = stack.enter_context(perks_server(database_url, env={"PYTHONPATH": args.before}))
            targets.append(Target("before", before))
        after = stack.enter_context(perks_server(database_url))
        targets.append(Target("after" if args.before else "perks", after))
        for target in targets:
            asyncio.run(prepare(target, each, each))

        def healthz(_: int) -> Request:
            return "GET", "/healthz", {}, None

        loads: list[tuple[str, Server, RequestFactory, tuple[int, ...]]] = [
            ("bare app GET /healthz (baseline)", bare, healthz, (200,))
        ]
        for target in targets:
            loads += [(label, target.server, factory, expect) for label, factory, expect in loads_of(target)]
        for label, server, factory, expect in loads:
            run_load(f"warm-up {label}", server.base_url, factory, WARM_UP, 4, expect=expect)
        rounds: list[list[tuple[LoadResult, float]]] = []
        for number in range(args.rounds):
            print(f"round {number + 1} (load average {os.getloadavg()[0]:.2f}):", flush=True)
            results = []
            for label, server, factory, expect in loads:
                result, cpu = measured(server, label, factory, expect, args.per_round, args.concurrency)
                results.append((result, cpu))
                print(f"  {result.line()}   server CPU {cpu * 1000 / result.requests:.3f} ms", flush=True)
            rounds.append(results)
        report(rounds)
    print(f"load average after: {loadavg()}")


def per_request(item: tuple[LoadResult, float]) -> float:
    """Server CPU seconds per request of a load."""
    return item[1] / item[0].requests


def report(rounds: list[list[tuple[LoadResult, float]]]) -> None:
    print("medians over the rounds (CPU ratio: server CPU per request / the bare app's per /healthz):")
    for index, (first, _cpu) in enumerate(rounds[0]):
        rates = [round_[index][0].per_second for round_ in rounds]
        cpus = [per_request(round_[index]) * 1000 for round_ in rounds]
        ratios = [per_request(round_[index]) / per_request(round_[0]) for round_ in rounds]
        p99s = [round_[index][0].percentile(0.99) for round_ in rounds]
        print(
            f"  {first.label:<46} {median(rates):>7.0f} /s   p99 {median(p99s):6.1f} ms   "
            f"CPU {median(cpus):.3f} ms   {median(ratios):5.2f}x"
        )


if __name__ == "__main__":
    main()
