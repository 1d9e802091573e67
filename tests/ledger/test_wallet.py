"""The ledger through its service on the real database, read back through the customer routes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from perks.db.database import Database
from perks.errors import BadRequest
from perks.kit import clock
from perks.ledger import jobs, repository
from perks.ledger import service as ledger
from perks.ledger.models import TransactionType
from perks.worker import run_periodic_jobs
from tests.support.ledger import listing, registered_wallet, totals_by_reward, travel, wallet_json
from tests.support.tenants import Tenant

POINTS = "0195f0c4-0000-7000-8000-000000000001"
STARS = "0195f0c4-0000-7000-8000-000000000002"


async def transactions(client: httpx.AsyncClient, tenant: Tenant, query: str = "") -> list[dict[str, Any]]:
    return await listing(client, tenant, f"/customers/c1/transactions{query}")


async def test_accumulation_shows_as_a_line_a_total_and_a_transaction(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    expires = clock.now() + timedelta(days=30)
    await wallet.accumulate(
        POINTS,
        "127.6",
        expiration_date=expires,
        entry=ledger.Entry(
            campaign_id="camp-1", brand_id="brand-1", funded_by="MARKETING", event_type="PURCHASE"
        ),
    )
    await wallet.accumulate(STARS, "3")
    view = await wallet_json(client, tenant)
    assert totals_by_reward(view) == {POINTS: 127.6, STARS: 3}
    [line] = [line for line in view["lines"] if line["reward_id"] == POINTS]
    assert line["amount"] == 127.6
    assert (line["campaign_id"], line["brand_id"], line["reservation_expires_at"]) == (
        "camp-1",
        "brand-1",
        None,
    )
    assert line["expiration_date"].startswith(expires.date().isoformat())
    assert all(total["reward"] is None for total in view["totals"])
    rows = await transactions(client, tenant)
    assert sorted((row["type"], row["amount"]) for row in rows) == [
        ("ACCUMULATION", 3),
        ("ACCUMULATION", 127.6),
    ]
    points = next(row for row in rows if row["reward_id"] == POINTS)
    assert (points["funded_by"], points["customer_id"], points["event_type"]) == (
        "MARKETING",
        "c1",
        "PURCHASE",
    )


async def test_redemption_spends_the_lines_that_expire_first(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    now = clock.now()
    late = await wallet.accumulate(POINTS, "50", expiration_date=now + timedelta(days=10))
    await wallet.accumulate(POINTS, "100")
    soon = await wallet.accumulate(POINTS, "30", expiration_date=now + timedelta(days=5))
    spent = await wallet.redeem(POINTS, "60")
    assert len(spent) == 2
    view = await wallet_json(client, tenant)
    left = sorted(line["amount"] for line in view["lines"])
    assert left == [20, 100]
    assert totals_by_reward(view) == {POINTS: 120}
    rows = await transactions(client, tenant, "?type=REDEMPTION")
    by_line = {row["attributes"]["line"]["id"]: row["amount"] for row in rows}
    assert sorted(by_line.values()) == [-30, -30]
    assert late and soon


async def test_a_redemption_never_overdraws_and_changes_nothing_when_refused(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    await wallet.accumulate(POINTS, "10")
    with pytest.raises(ledger.InsufficientBalance):
        await wallet.redeem(POINTS, "10.0001")
    with pytest.raises(ledger.InsufficientBalance):
        await wallet.redeem(STARS, "1")
    assert await wallet.totals() == {POINTS: Decimal(10)}
    assert [row["type"] for row in await transactions(client, tenant)] == ["ACCUMULATION"]


async def test_amounts_are_exact_decimals(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    for _ in range(3):
        await wallet.accumulate(POINTS, "0.1")
    await wallet.redeem(POINTS, "0.3")
    assert await wallet.totals() == {}
    with pytest.raises(BadRequest, match="decimal places"):
        await wallet.accumulate(POINTS, "0.00001")
    with pytest.raises(BadRequest, match="greater than 0"):
        await wallet.redeem(POINTS, "-1")
    with pytest.raises(BadRequest, match="at most"):
        await wallet.accumulate(POINTS, "1e13")
    await wallet.accumulate(POINTS, "999999999999.9999", kind=TransactionType.MIGRATION)
    assert await wallet.totals() == {POINTS: Decimal("999999999999.9999")}
    [migrated] = await transactions(client, tenant, "?type=MIGRATION")
    assert migrated["amount"] == pytest.approx(999999999999.9999)


async def test_brand_lines_pay_only_for_their_brand(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    await wallet.accumulate(POINTS, "10", entry=ledger.Entry(brand_id="brand-a"))
    await wallet.accumulate(POINTS, "5")
    with pytest.raises(ledger.InsufficientBalance):
        await wallet.redeem(POINTS, "6", entry=ledger.Entry(brand_id="brand-b"))
    await wallet.redeem(POINTS, "15", entry=ledger.Entry(brand_id="brand-a"))
    assert await wallet.totals() == {}


async def test_expired_lines_leave_the_totals_and_write_expirations_lazily(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    await wallet.accumulate(POINTS, "40", expiration_date=clock.now() + timedelta(days=1))
    await wallet.accumulate(POINTS, "2")
    travel(tenant, timedelta(days=1, seconds=1))
    view = await wallet_json(client, tenant)
    assert totals_by_reward(view) == {POINTS: 2}
    assert [line["amount"] for line in view["lines"]] == [2]
    rows = await transactions(client, tenant, "?type=EXPIRATION")
    assert [(row["type"], row["amount"]) for row in rows] == [("EXPIRATION", -40)]
    await wallet_json(client, tenant)
    assert len(await transactions(client, tenant, "?type=EXPIRATION")) == 1


async def test_the_expiry_job_writes_expirations_without_a_read(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    await wallet.accumulate(POINTS, "7", expiration_date=clock.now() + timedelta(hours=1))
    await wallet.reserve(POINTS, "2", "held")
    await jobs.expire_once(database)
    assert await wallet.ledger_sums() == (Decimal(7), Decimal(7), Decimal(2))
    travel(tenant, timedelta(days=2))
    assert await jobs.expire_once(database) >= 1
    async with database.transaction(read_only=True) as session:
        rows = await repository.wallet_transactions(session, wallet.ctx, wallet.wallet_id)
    expected = [("ACCUMULATION", Decimal(7)), ("EXPIRATION", Decimal(-7))]
    assert sorted((row.type, row.amount) for row in rows) == expected
    assert await wallet.ledger_sums() == (Decimal(0), Decimal(0), Decimal(0))


async def test_the_webhook_worker_runs_the_expiry_job(
    app: FastAPI, client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    await wallet.accumulate(POINTS, "5", expiration_date=clock.now() + timedelta(hours=1))
    travel(tenant, timedelta(days=1))
    await run_periodic_jobs(app.state.db, app.state.settings)
    async with database.transaction(read_only=True) as session:
        rows = await repository.wallet_transactions(session, wallet.ctx, wallet.wallet_id)
    assert sorted((row.type, row.amount) for row in rows) == [
        ("ACCUMULATION", Decimal(5)),
        ("EXPIRATION", Decimal(-5)),
    ]


async def test_reserve_then_fulfill(client: httpx.AsyncClient, database: Database, tenant: Tenant) -> None:
    wallet = await registered_wallet(client, database, tenant)
    await wallet.accumulate(POINTS, "100")
    await wallet.reserve(POINTS, "40", "event-1")
    view = await wallet_json(client, tenant)
    assert totals_by_reward(view) == {POINTS: 60}
    [held] = [line for line in view["lines"] if line["reservation_expires_at"]]
    assert held["amount"] == 40
    with pytest.raises(ledger.InsufficientBalance):
        await wallet.redeem(POINTS, "61")
    assert await transactions(client, tenant, "?type=REDEMPTION") == []
    await wallet.fulfill("event-1")
    assert totals_by_reward(await wallet_json(client, tenant)) == {POINTS: 60}
    assert [row["amount"] for row in await transactions(client, tenant, "?type=REDEMPTION")] == [-40]
    with pytest.raises(ledger.ReservationNotActive):
        await wallet.fulfill("event-1")


async def test_release_and_reservation_expiry_give_the_rewards_back(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    await wallet.accumulate(POINTS, "100")
    await wallet.reserve(POINTS, "30", "released")
    assert await wallet.release("released") == Decimal(30)
    assert await wallet.totals() == {POINTS: Decimal(100)}
    await wallet.reserve(POINTS, "10", "default-24h")
    await wallet.reserve(POINTS, "20", "three-days", days=3)
    travel(tenant, timedelta(hours=24, seconds=1))
    assert totals_by_reward(await wallet_json(client, tenant)) == {POINTS: 80}
    with pytest.raises(ledger.ReservationNotActive):
        await wallet.fulfill("default-24h")
    travel(tenant, timedelta(days=2))
    assert await wallet.totals() == {POINTS: Decimal(100)}
    assert await transactions(client, tenant, "?type=REDEMPTION") == []


async def test_reversals_are_new_entries(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    earned = await wallet.accumulate(POINTS, "100")
    [spent] = await wallet.redeem(POINTS, "30")
    await wallet.reverse(spent)
    assert await wallet.totals() == {POINTS: Decimal(100)}
    with pytest.raises(ledger.AlreadyReversed):
        await wallet.reverse(spent)
    await wallet.reverse(earned)
    assert await wallet.totals() == {}
    rows = await transactions(client, tenant)
    assert sorted((row["type"], row["amount"]) for row in rows) == [
        ("ACCUMULATION", 100),
        ("REDEMPTION", -30),
        ("REVERSAL", -100),
        ("REVERSAL", 30),
    ]
    reversal = next(row for row in rows if row["type"] == "REVERSAL" and row["amount"] == 30)
    assert reversal["reverses_id"] == spent


async def test_spent_or_reserved_accumulations_cannot_be_reversed(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    spent = await wallet.accumulate(POINTS, "10")
    await wallet.redeem(POINTS, "1")
    with pytest.raises(ledger.RewardsSpent):
        await wallet.reverse(spent)
    held = await wallet.accumulate(STARS, "10")
    await wallet.reserve(STARS, "10", "hold")
    with pytest.raises(ledger.RewardsReserved):
        await wallet.reverse(held)
    await wallet.release("hold")
    await wallet.reverse(held)
    assert await wallet.totals() == {POINTS: Decimal(9)}


async def test_reverse_event_undoes_what_the_event_did(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    wallet = await registered_wallet(client, database, tenant)
    await wallet.accumulate(POINTS, "50")
    event = ledger.Entry(event_id="event-9", event_type="PURCHASE")
    await wallet.accumulate(POINTS, "20", entry=event)
    await wallet.redeem(POINTS, "60", entry=event)
    await wallet.reserve(POINTS, "5", "event-9")
    assert await wallet.totals() == {POINTS: Decimal(5)}
    async with wallet.session() as session:
        undone = await ledger.reverse_event(session, wallet.ctx, "event-9", details="refund")
    assert sorted(row.amount for row in undone) == [Decimal(-20), Decimal(10), Decimal(50)]
    assert await wallet.totals() == {POINTS: Decimal(50)}
    async with wallet.session() as session:
        assert await ledger.reverse_event(session, wallet.ctx, "event-9") == []
    assert await wallet.ledger_sums() == (Decimal(50), Decimal(50), Decimal(0))
    rows = await transactions(client, tenant, "?type=REVERSAL")
    assert {row["details"] for row in rows} == {"refund"}
    assert {row["event_id"] for row in rows} == {"event-9"}
