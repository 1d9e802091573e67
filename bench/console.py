"""Console pages at scale: server time of the customers search and of a customer's page on an account of
1,000,000 customers whose wallets hold 10,000,000 lines (and as many ledger transactions: each line came
with its ACCUMULATION), on SQLite. Also the overview: its 30 days hold half of those transactions; its
first view counts the closed hours of 30 days (and keeps their figures), later ones only the open hour.

The rows are bulk-loaded with raw inserts (the indexes dropped during the load and built after it), so
setup takes minutes; the pages are then requested in process (ASGI, no network), signed in as an owner,
each kind of page `ROUNDS` times over different customers and searches: p50 and p99 per page. Baseline in
the same run: the same pages on an account of 1,000 customers in the same database.

Run: .venv/bin/python -m bench.console [customers] [lines per customer]
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from tests.support.console import BASE_URL, add_user, session_token
from tests.support.server import TEST_SECRET
from tests.support.tenants import LOYALTY, Tenant, create_tenant

from bench.support import fresh_databases
from perks.app import create_app
from perks.config import Settings
from perks.console.pages import FACE
from perks.console.users.models import Role
from perks.db.database import Database

CUSTOMERS = 1_000_000
LINES_PER_CUSTOMER = 10
BASELINE = 1_000
CHUNK = 20_000  # customers a transaction of the load
ROUNDS = 200
OVERVIEW_ROUNDS = 20  # it counts the open day's rows on every view
TARGET_P99_MS = 100
NAMES = ("Ana", "Bruno", "Carla", "Diego", "Elena", "Fabio", "Gloria", "Hugo", "Irene", "Jorge")
TABLES = ("customers", "wallets", "wallet_lines", "ledger_transactions")
HISTORY_DAYS = 60


def settings(url: str) -> Settings:
    return Settings(database_url=url, secret_key=TEST_SECRET, rate_limit_enabled=False, log_level="WARNING")  # type: ignore[call-arg]


def uuid_like(kind: int, account: int, index: int) -> str:
    """Ids in the shape (and the time order) of the app's UUIDv7: sequential per kind, unique per account."""
    return f"{kind:08x}-{account:04x}-7000-8000-{index:012x}"


def stamp(moment: datetime) -> str:
    return moment.isoformat(" ", "microseconds")  # how UTCDateTime writes naive UTC on SQLite


def rows(
    account_id: str, account: int, reward_id: str, count: int, per: int
) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """Batches of rows of `count` customers, each with a wallet and `per` lines, each line with its
    ACCUMULATION; lines spread over the last HISTORY_DAYS days, a third of them spent."""
    now = datetime.now(UTC).replace(tzinfo=None)
    spread = timedelta(days=HISTORY_DAYS)
    shared = (reward_id, None, None, None)  # reward, campaign, brand, event
    for start in range(0, count, CHUNK):
        batch: dict[str, list[tuple[Any, ...]]] = {table: [] for table in TABLES}
        for index in range(start, min(count, start + CHUNK)):
            customer_id, wallet_id = uuid_like(1, account, index), uuid_like(2, account, index)
            registered = stamp(now - spread * (1 - index / count))
            batch["customers"].append(
                (
                    customer_id,
                    account_id,
                    f"cust-{index:07d}",
                    f"{NAMES[index % 10]} {index:07d}",
                    f"user{index:07d}@shop.test",
                    None,
                    registered,
                    "ACTIVE",
                    0,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    "[]",
                    "[]",
                    "{}",
                    None,
                    "{}",
                    "{}",
                    registered,
                    registered,
                )
            )
            batch["wallets"].append((wallet_id, account_id, customer_id, per, registered))
            for line in range(per):
                serial = index * per + line
                line_id, transaction_id = uuid_like(3, account, serial), uuid_like(4, account, serial)
                # Spread evenly over the days (a fixed scramble of customer and line), the newest now.
                moment = stamp(now - spread * (((index * 7919 + line * 104_729) % 999_983) / 999_983))
                amount = 100 * 10_000  # 100 points, as the Amount type stores it (1/10,000ths)
                remaining = 0 if line % 3 == 0 else amount
                batch["wallet_lines"].append(
                    (
                        line_id,
                        account_id,
                        wallet_id,
                        *shared,
                        amount,
                        remaining,
                        moment,
                        None,
                        None,
                        None,
                        None,
                        moment,
                    )
                )
                batch["ledger_transactions"].append(
                    (
                        transaction_id,
                        account_id,
                        wallet_id,
                        line_id,
                        "ACCUMULATION",
                        amount,
                        *shared,
                        "PURCHASE",
                        None,
                        None,
                        None,
                        "POINTS",
                        None,
                        None,
                        None,
                        None,
                        None,
                        "{}",
                        "{}",
                        moment,
                        moment,
                    )
                )
        yield batch


COLUMNS = {
    "customers": "id, account_id, external_id, name, email, email_status, registration_date, status, "
    "is_anonymous, gender, dob, document_type, document_number, country, tier_id, referral_code, "
    "platforms, devices, tags, consent, metrics, metadata, created_at, updated_at",
    "wallets": "id, account_id, customer_id, version, created_at",
    "wallet_lines": "id, account_id, wallet_id, reward_id, campaign_id, brand_id, event_id, amount, "
    "remaining, issued_at, expiration_date, reservation_id, reservation_expires_at, source_line_id, "
    "created_at",
    "ledger_transactions": "id, account_id, wallet_id, line_id, type, amount, reward_id, campaign_id, "
    "brand_id, event_id, event_type, channel_id, store_id, funded_by, reward_type, cost, details, sender_id, "
    "receiver_id, reverses_id, attributes, metadata, issued_at, created_at",
}


def bulk_load(path: str, accounts: list[tuple[str, int, str, int, int]]) -> None:
    """Raw inserts through sqlite3, the four tables' indexes dropped first and built once at the end."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -1000000")  # 1 GB of page cache for the index builds
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "  # noqa: S608
        f"({', '.join('?' * len(TABLES))})",
        TABLES,
    ).fetchall()
    for name, _sql in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    started = time.perf_counter()
    for account_id, account, reward_id, count, per in accounts:
        for batch in rows(account_id, account, reward_id, count, per):
            connection.execute("BEGIN")
            for table, values in batch.items():
                marks = ", ".join("?" * len(values[0]))
                insert = f"INSERT INTO {table} ({COLUMNS[table]}) VALUES ({marks})"  # noqa: S608
                connection.executemany(insert, values)
            connection.execute("COMMIT")
    loaded = time.perf_counter() - started
    for _name, sql in indexes:
        connection.execute(sql)
    connection.execute("ANALYZE")
    connection.close()
    print(
        f"  rows inserted in {loaded:.0f} s, indexes built and analyzed in "
        f"{time.perf_counter() - started - loaded:.0f} s",
        flush=True,
    )


async def setup(database: Database, name: str) -> tuple[Tenant, str]:
    """An account with a POINTS reward (through the API's own tables) and a signed-in owner's session."""
    tenant = await create_tenant(database, TEST_SECRET, name)
    user = await add_user(database, tenant.account_id, Role.OWNER)
    return tenant, await session_token(database, user)


async def reward_of(client: httpx.AsyncClient, tenant: Tenant) -> str:
    created = await client.post(
        f"{LOYALTY}/rewards",
        headers=await tenant.loyalty(client),
        json={"type": "POINTS", "name": "Points", "attributes": {"conversion_factor": 0.01}},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["data"]["id"])


def pages(count: int, account: int, cursor_of: Callable[[], str]) -> dict[str, Callable[[int], str]]:
    """Page kind -> the path of its n-th request (different customers and searches each time)."""
    pick = random.Random(7)

    def customer(_n: int) -> str:
        return uuid_like(1, account, pick.randrange(count))

    return {
        "customers: first page": lambda _n: "/customers",
        "customers: next page (cursor)": lambda _n: f"/customers?after={cursor_of()}",
        "customers: id prefix": lambda _n: f"/customers?by=id&q=cust-{pick.randrange(count):07d}"[:-1],
        "customers: email prefix": lambda _n: f"/customers?by=email&q=user{pick.randrange(count):07d}",
        "customers: name prefix (10%)": lambda n: f"/customers?q={NAMES[n % 10].lower()}",
        "customers: name, 1 match": lambda n: (
            f"/customers?by=name&q={NAMES[n % 10]} {(pick.randrange(count) // 10) * 10 + n % 10:07d}"
        ),
        "customer page (transactions)": lambda _n: f"/customers/{customer(_n)}",
        "customer page, 2nd page of transactions": lambda _n: f"/customers/{customer(_n)}?after=",
        "customer page (events)": lambda _n: f"/customers/{customer(_n)}?tab=events",
        "overview": lambda _n: "/overview",
    }


async def measure(
    app: Any, token: str, count: int, account: int, rounds: int
) -> dict[str, tuple[float, float]]:
    transport = httpx.ASGITransport(app=app)
    results: dict[str, tuple[float, float]] = {}
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=300) as client:
        client.cookies.set(FACE.session_cookie, token, domain="perks.test", path=FACE.prefix)
        first = await client.get(FACE.path("/customers"))
        assert first.status_code == 200, first.text[:300]
        cursor = first.text.split('rel="next" href="?after=', 1)[1].split('"', 1)[0]
        started = time.perf_counter()
        assert (await client.get(FACE.path("/overview"))).status_code == 200
        first_overview = (time.perf_counter() - started) * 1000
        results["overview, first view (counts the closed hours)"] = (first_overview, first_overview)
        for label, path_of in pages(count, account, lambda: cursor).items():
            times = []
            for n in range(rounds if label != "overview" else OVERVIEW_ROUNDS):
                path = path_of(n)
                if path.endswith("?after="):  # the second page of a customer's transactions
                    page = await client.get(FACE.path(path[: -len("?after=")]))
                    found = page.text.split('rel="next" href="?', 1)
                    path = path[: -len("?after=")] + (
                        "?" + found[1].split('"', 1)[0].replace("&amp;", "&") if len(found) > 1 else ""
                    )
                started = time.perf_counter()
                response = await client.get(FACE.path(path))
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code, response.text[:300])
            ordered = sorted(times)
            results[label] = (
                statistics.median(ordered),
                ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
            )
    return results


async def run(url: str, count: int, per: int) -> None:
    import os

    app = create_app(settings(url))
    database: Database = app.state.db
    small, small_token = await setup(database, "small")
    big, big_token = await setup(database, "big")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=300) as client:
        small_reward, big_reward = await reward_of(client, small), await reward_of(client, big)
    await database.dispose()
    path = url.split(":///", 1)[1]
    started = time.perf_counter()
    bulk_load(
        path,
        [(small.account_id, 1, small_reward, BASELINE, per), (big.account_id, 2, big_reward, count, per)],
    )
    print(
        f"  {count:,} customers, {count * per:,} lines and {count * per:,} transactions loaded in "
        f"{time.perf_counter() - started:.0f} s"
    )
    app = create_app(settings(url))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    baseline = await measure(app, small_token, BASELINE, 1, ROUNDS)
    large = await measure(app, big_token, count, 2, ROUNDS)
    await app.state.db.dispose()
    print(f"  load average before measuring: {load}; after: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print(f"  {'page':42} {f'{BASELINE:,} customers':>22} {f'{count:,} customers':>24}")
    print(f"  {'':42} {'p50':>10} {'p99':>11} {'p50':>11} {'p99':>12}")
    for label, (p50, p99) in large.items():
        base50, base99 = baseline[label]
        flag = "" if p99 < TARGET_P99_MS or label.startswith("overview") else "  over target"
        print(f"  {label:42} {base50:7.1f} ms {base99:8.1f} ms {p50:8.1f} ms {p99:9.1f} ms{flag}")


def main() -> None:
    import asyncio

    count = int(sys.argv[1]) if len(sys.argv) > 1 else CUSTOMERS
    per = int(sys.argv[2]) if len(sys.argv) > 2 else LINES_PER_CUSTOMER
    for kind, url in fresh_databases():
        if kind == "sqlite":  # the bulk load writes SQLite's file directly
            asyncio.run(run(url, count, per))


if __name__ == "__main__":
    main()
