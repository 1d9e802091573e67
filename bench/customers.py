"""Customer list and search at scale: GET /customers on an account of 1,000,000 customers, through the
HTTP API (ASGI app in process), on SQLite and on PostgreSQL (when PERKS_BENCH_POSTGRES_URL or
PERKS_TEST_POSTGRES_URL is set).

Baseline in the same run: the same requests on an account of 1,000 customers in the same database. A
search that walks an index costs about its page, whatever the account's size: the ratio of the big
account to the small one is what the size costs (1.0x is free). Each query is the median of 20 requests.

Run: .venv/bin/python -m bench.customers [customers]
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

import httpx
from sqlalchemy import insert, select, text
from tests.support.server import TEST_SECRET
from tests.support.tenants import LOYALTY, Tenant, create_tenant

from bench.support import on_each_database
from perks.app import create_app
from perks.config import Settings
from perks.db.base import table_of
from perks.db.database import Database
from perks.kit import clock
from perks.kit.ids import new_id
from perks.loyalty.customers.models import Customer, CustomerTag
from perks.loyalty.tiers.models import Tier

CUSTOMERS = 1_000_000
BASELINE = 1_000
CHUNK = 10_000
ROUNDS = 20
NAMES = ("Ana", "Bruno", "Carla", "Diego", "Elena", "Fabio", "Gloria", "Hugo", "Irene", "Jorge")


def settings(url: str) -> Settings:
    return Settings(database_url=url, secret_key=TEST_SECRET, rate_limit_enabled=False, log_level="WARNING")  # type: ignore[call-arg]


async def populate(database: Database, tenant: Tenant, count: int) -> str:
    """`count` customers written straight to the tables (the API is not what is measured here): every
    10th tagged `vip`, every 1,000th tagged `rare`, every 100th in a Gold tier. Returns the Gold tier id."""
    now = clock.now()
    async with database.transaction() as session:
        gold = Tier(
            account_id=tenant.account_id,
            name="Gold",
            status="ACTIVE",
            level=2,
            is_base=False,
            entry_conditions=[],
            exit_conditions=[],
        )
        session.add(gold)
        await session.flush()
        gold_id = gold.id
    for start in range(0, count, CHUNK):
        customers: list[dict[str, Any]] = []
        tags: list[dict[str, Any]] = []
        for index in range(start, min(count, start + CHUNK)):
            customer_id, external_id = new_id(), f"cust-{index:07d}"
            labels = {"vip": True} if index % 10 == 0 else {}
            if index % 1000 == 0:
                labels["rare"] = "yes"
            customers.append(
                {
                    "id": customer_id,
                    "account_id": tenant.account_id,
                    "external_id": external_id,
                    "name": f"{NAMES[index % 10]} {index:07d}",
                    "email": f"user{index:07d}@shop.test",
                    "registration_date": now,
                    "status": "ACTIVE",
                    "is_anonymous": False,
                    "tier_id": gold_id if index % 100 == 0 else None,
                    "platforms": [],
                    "devices": [],
                    "tags": labels,
                    "metrics": {},
                    "metadata": {},
                    "created_at": now,
                    "updated_at": now,
                }
            )
            tag_row = {
                "account_id": tenant.account_id,
                "customer_id": customer_id,
                "external_id": external_id,
            }
            tags += [tag_row | {"tag": key} for key in labels]
        async with database.transaction() as session:
            await session.execute(insert(table_of(Customer)), customers)
            if tags:
                await session.execute(insert(table_of(CustomerTag)), tags)
    async with database.transaction() as session:
        # What autovacuum (PostgreSQL) would do after such a load; the planner needs the statistics.
        await session.execute(text("ANALYZE"))
    return gold_id


async def timed(
    client: httpx.AsyncClient, headers: dict[str, str], query: dict[str, Any]
) -> tuple[float, int]:
    samples = []
    found = 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = await client.get(f"{LOYALTY}/customers", params=query, headers=headers)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:300]
        found = len(response.json()["data"])
    return statistics.median(samples) * 1000, found


def queries(count: int, gold: str, base: str, middle_cursor: str) -> dict[str, dict[str, Any]]:
    middle = f"cust-{count // 2:07d}"
    return {
        "first page (100)": {},
        "page after the middle (cursor)": {"cursor": middle_cursor},
        "id prefix, 10 match": {"id": middle[:-1]},
        "email prefix, 1 match": {"email": f"user{count // 2:07d}"},
        "name prefix, 10% match": {"name": "ana"},
        "name prefix, 1 match": {"name": f"elena {count // 2 - 6:07d}"},
        "tag vip (10%)": {"tag": "vip"},
        "tag rare (0.1%)": {"tag": "rare"},
        "tier Gold (1%)": {"tier_id": gold},
        "tier Base (99%)": {"tier_id": base},
    }


async def measure(app: Any, database: Database, tenant: Tenant, count: int) -> dict[str, tuple[float, int]]:
    gold = await populate(database, tenant, count)
    async with database.transaction(read_only=True) as session:
        base = await session.scalar(
            select(Tier.id).where(Tier.account_id == tenant.account_id, Tier.is_base.is_(True))
        )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=300) as client:
        headers = await tenant.loyalty(client)
        # The cursor a client holds after reading up to the middle customer.
        around = await client.get(
            f"{LOYALTY}/customers", params={"id": f"cust-{count // 2 // 10:06d}", "limit": 1}, headers=headers
        )
        middle_cursor = around.json()["cursor"]
        return {
            label: await timed(client, headers, query)
            for label, query in queries(count, gold, str(base), middle_cursor).items()
        }


async def run(kind: str, url: str, count: int) -> None:
    app = create_app(settings(url))
    database: Database = app.state.db
    small = await create_tenant(database, TEST_SECRET, "small")
    big = await create_tenant(database, TEST_SECRET, "big")
    started = time.perf_counter()
    large = await measure(app, database, big, count)
    print(f"{kind}: {count:,} customers written and measured in {time.perf_counter() - started:.0f} s")
    baseline = await measure(app, database, small, BASELINE)
    await database.dispose()
    print(f"  {'query':34} {f'{BASELINE:,} customers':>16} {f'{count:,} customers':>20} {'ratio':>7}")
    for label, (millis, found) in large.items():
        base_millis, _ = baseline[label]
        print(
            f"  {label:34} {base_millis:13.2f} ms {millis:14.2f} ms ({found:3}) {millis / base_millis:6.1f}x"
        )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else CUSTOMERS
    on_each_database(lambda kind, url: run(kind, url, count))


if __name__ == "__main__":
    main()
