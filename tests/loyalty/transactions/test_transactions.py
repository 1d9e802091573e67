from __future__ import annotations

from datetime import timedelta

import httpx

from perks.db.database import Database
from perks.kit import clock
from perks.ledger import service as ledger
from tests.support.ledger import listing, registered_wallet, travel
from tests.support.tenants import LOYALTY, Tenant

POINTS = "0195f0c4-0000-7000-8000-000000000001"
STARS = "0195f0c4-0000-7000-8000-000000000002"


def today() -> str:
    return clock.now().strftime("%d-%m-%Y")


async def test_account_transactions_by_day_with_cursor_and_filters(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    first = await registered_wallet(client, database, tenant, "first")
    second = await registered_wallet(client, database, tenant, "second")
    await first.accumulate(POINTS, "10", entry=ledger.Entry(brand_id="b1", campaign_id="k1", event_id="e1"))
    await second.accumulate(STARS, "5", entry=ledger.Entry(funded_by="MARKETING"))
    await first.redeem(POINTS, "4")
    rows = await listing(client, tenant, f"/transactions?date={today()}")
    assert [row["type"] for row in rows] == ["ACCUMULATION", "ACCUMULATION", "REDEMPTION"]
    assert [row["customer_id"] for row in rows] == ["first", "second", "first"]
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    after = await listing(client, tenant, f"/transactions?date={today()}&cursor={rows[0]['id']}")
    assert [row["id"] for row in after] == [row["id"] for row in rows[1:]]
    filters = {
        "brand_id=b1": 2,
        "campaign_id=k1": 2,
        "event_id=e1": 1,
        f"reward_id={STARS}": 1,
        "type=REDEMPTION": 1,
        "funded_by=MARKETING": 1,
    }
    for query, expected in filters.items():
        assert len(await listing(client, tenant, f"/transactions?date={today()}&{query}")) == expected, query
    yesterday = (clock.now() - timedelta(days=1)).strftime("%d-%m-%Y")
    assert await listing(client, tenant, f"/transactions?date={yesterday}") == []


async def test_transactions_are_scoped_to_the_account(
    client: httpx.AsyncClient, database: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant, "scoped")
    await wallet.accumulate(POINTS, "1")
    assert len(await listing(client, tenant, f"/transactions?date={today()}")) == 1
    assert await listing(client, other_tenant, f"/transactions?date={today()}") == []


async def test_bad_queries_are_400s_naming_the_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = await tenant.loyalty(client)
    cases = {
        "/transactions": "date",
        "/transactions?date=2024-07-31": "date",
        "/transactions?date=31-13-2024": "date",
        f"/transactions?date={today()}&cursor=nope": "cursor",
        f"/transactions?date={today()}&type=GIFT": "type",
    }
    for path, field in cases.items():
        response = await client.get(f"{LOYALTY}{path}", headers=headers)
        assert response.status_code == 400, path
        assert response.json()["details"].startswith(f"{field}:"), response.json()


async def test_customer_transactions_default_to_three_months_and_take_a_year(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant, "history")
    await wallet.accumulate(POINTS, "10")
    year = clock.now().year
    assert len(await listing(client, tenant, "/customers/history/transactions")) == 1
    travel(tenant, timedelta(days=80))
    await wallet.accumulate(STARS, "2")
    assert len(await listing(client, tenant, "/customers/history/transactions")) == 2
    travel(tenant, timedelta(days=40))
    recent = await listing(client, tenant, "/customers/history/transactions")
    assert [row["reward_id"] for row in recent] == [STARS]
    in_year = await listing(client, tenant, f"/customers/history/transactions?year={year}")
    assert POINTS in {row["reward_id"] for row in in_year}
    filtered = await listing(client, tenant, f"/customers/history/transactions?year={year}&type=REDEMPTION")
    assert filtered == []
    headers = await tenant.loyalty(client)
    for query in ("year=2019", "year=abc", "type=NOPE"):
        response = await client.get(f"{LOYALTY}/customers/history/transactions?{query}", headers=headers)
        assert response.status_code == 400, query
        assert response.json()["details"].startswith(query.split("=")[0] + ":")
    missing = await client.get(f"{LOYALTY}/customers/nobody/transactions", headers=headers)
    assert missing.status_code == 404
