"""Coupon code generation: one COUPONS campaign with 1,000,000 codes, created through the HTTP API (in
process, ASGI), on SQLite and on PostgreSQL (when PERKS_BENCH_POSTGRES_URL or PERKS_TEST_POSTGRES_URL
is set).

Baselines in the same run: the bare cost of generating the codes in memory (no database), and the bare
cost of bulk-inserting the same rows into a scratch table with no index or foreign key, through the same
driver path (executemany on SQLite, COPY on PostgreSQL). The ratio to the second baseline is what the
unique (account_id, code) key, the campaign index and the request itself cost.

Run: .venv/bin/python -m bench.codes [quantity]
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from itertools import repeat
from typing import Any

import httpx
from tests.support.server import TEST_SECRET
from tests.support.tenants import LOYALTY, create_tenant

from bench.support import on_each_database
from perks.app import create_app
from perks.config import Settings
from perks.db.database import Database
from perks.kit import clock
from perks.loyalty.coupons.generator import CodeFormat, unique_codes

QUANTITY = 1_000_000


def settings(url: str) -> Settings:
    return Settings(database_url=url, secret_key=TEST_SECRET, rate_limit_enabled=False, log_level="WARNING")  # type: ignore[call-arg]


async def bare_insert(database: Database, codes: list[str]) -> float:
    """Bulk insert into an unindexed scratch table through the same driver path as the real insert."""
    async with database.transaction() as session:
        connection = await session.connection()
        if database.is_sqlite:
            await connection.exec_driver_sql(
                "CREATE TEMP TABLE scratch (account_id TEXT, code TEXT, campaign_id TEXT)"
            )
            started = time.perf_counter()
            rows = list(zip(repeat("a" * 36), codes, repeat("c" * 36), strict=False))
            await connection.exec_driver_sql("INSERT INTO scratch VALUES (?, ?, ?)", rows)
        else:
            driver: Any = (await connection.get_raw_connection()).driver_connection
            await driver.execute("CREATE TEMP TABLE scratch (account_id text, code text, campaign_id text)")
            started = time.perf_counter()
            rows = list(zip(repeat("a" * 36), codes, repeat("c" * 36), strict=False))
            await driver.copy_records_to_table("scratch", records=rows)
        elapsed = time.perf_counter() - started
        await connection.exec_driver_sql("DROP TABLE scratch")
    return elapsed


async def through_api(app: Any, database: Database, quantity: int) -> tuple[float, dict[str, Any]]:
    tenant = await create_tenant(database, TEST_SECRET, "bench")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=300) as client:
        headers = await tenant.loyalty(client)
        reward = await client.post(
            f"{LOYALTY}/rewards",
            headers=headers,
            json={"type": "POINTS", "name": "Points", "attributes": {"conversion_factor": 0.1}},
        )
        effect = {"reward_id": reward.json()["data"]["id"], "amount": 10}
        body = {
            "name": "Bench coupons",
            "rules": json.dumps([{"conditions": [], "effects": [effect]}]),
            "start_date": (clock.now() + timedelta(hours=1)).isoformat(),
            "end_date": (clock.now() + timedelta(days=30)).isoformat(),
            "quantity": quantity,
            "attributes": {"code_config": {"prefix": "BENCH-", "length": 8}},
        }
        started = time.perf_counter()
        response = await client.post(f"{LOYALTY}/campaigns?type=COUPONS", headers=headers, json=body)
        elapsed = time.perf_counter() - started
        assert response.status_code == 201, response.text[:500]
        campaign_id = response.json()["data"]["id"]
        started = time.perf_counter()
        summary = await client.get(
            f"{LOYALTY}/campaigns/{campaign_id}?includes=CODES_SUMMARY", headers=headers
        )
        print(f"  GET /campaigns/{{id}}?includes=CODES_SUMMARY on it: {time.perf_counter() - started:.2f} s")
        codes_summary: dict[str, Any] = summary.json()["data"]["attributes"]["codes_summary"]
    return elapsed, codes_summary


async def run(kind: str, url: str, quantity: int) -> None:
    app = create_app(settings(url))
    database: Database = app.state.db
    started = time.perf_counter()
    codes = unique_codes(CodeFormat(prefix="BENCH-"), quantity)
    generate = time.perf_counter() - started
    insert = await bare_insert(database, codes)
    api, summary = await through_api(app, database, quantity)
    await database.dispose()
    assert summary["total"] == quantity, summary
    print(
        f"{kind:8} {quantity:>9,} codes  POST /campaigns?type=COUPONS {api:6.2f} s  "
        f"| baselines: generate only {generate:5.2f} s, bare bulk insert {insert:5.2f} s  "
        f"| API / bare insert = {api / insert:4.1f}x, API / generate = {api / generate:4.1f}x  "
        f"| {quantity / api:,.0f} codes/s"
    )


def main() -> None:
    quantity = int(sys.argv[1]) if len(sys.argv) > 1 else QUANTITY
    on_each_database(lambda kind, url: run(kind, url, quantity))


if __name__ == "__main__":
    main()
