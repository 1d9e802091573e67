"""Balances become IMPORT lines with their own expiry; events are stored as history that rewards nothing,
moves the metrics and the tier, and a reversal takes out again. Re-runs skip what is there."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from perks.kit import clock
from tests.support.catalog import reward
from tests.support.events import running_campaign, started
from tests.support.imports import errors, imported
from tests.support.tenants import LOYALTY, Tenant

TIER_AT_TWO_PURCHASES = [
    [{"type": "Number of Purchases", "operator": "greater than or equal", "primitive": "number", "value": 2}]
]


async def customers(app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, *ids: str) -> None:
    rows = "id,name,email\n" + "".join(f"{cid},{cid},{cid}@shop.test\n" for cid in ids)
    assert (await imported(app, client, tenant, "customers", rows))["done"] == len(ids)


async def test_balances_become_import_lines_with_their_own_expiry(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    await customers(app, client, tenant, "ana", "bruno")
    points = await reward(client, tenant)
    later = (clock.now() + timedelta(days=90)).date().isoformat()
    past = (clock.now() - timedelta(days=1)).isoformat()
    rows = (
        "id,customer_id,reward_id,amount,expiration_date,details\n"
        f"b1,ana,{points},120.5,{later},Migrated points\n"
        f"b2,ana,{points},30,,\n"
        f"b3,bruno,{points},10.00001,,\n"
        f"b4,ghost,{points},5,,\n"
        f"b5,bruno,nope,5,,\n"
        f"b6,bruno,{points},5,{past},\n"
        f"b7,bruno,{points},-1,,\n"
    )
    done = await imported(app, client, tenant, "balances", rows)
    assert (done["done"], done["skipped"], done["errors"]) == (2, 0, 5)
    refused = {row["id"]: row["field"] for row in await errors(client, tenant, done["id"])}
    assert refused == {
        "b3": "amount",
        "b4": "customer_id",
        "b5": "reward_id",
        "b6": "expiration_date",
        "b7": "amount",
    }
    wallet = (await client.get(f"{LOYALTY}/customers/ana", headers=headers)).json()["data"]["wallet"]
    assert [total["total"] for total in wallet["totals"]] == [150.5]
    assert sorted((line["amount"], (line["expiration_date"] or "")[:10]) for line in wallet["lines"]) == [
        (30, ""),
        (120.5, later),
    ]
    history = await client.get(
        f"{LOYALTY}/customers/ana/transactions", params={"type": "IMPORT"}, headers=headers
    )
    assert history.status_code == 200, history.text
    assert sorted(row["amount"] for row in history.json()["data"]) == [30, 120.5]
    assert {row["details"] for row in history.json()["data"]} == {"Migrated points", "Imported balance"}
    again = await imported(app, client, tenant, "balances", rows)
    assert (again["done"], again["skipped"], again["errors"]) == (0, 2, 5)
    total = (await client.get(f"{LOYALTY}/customers/ana", headers=headers)).json()["data"]["wallet"]["totals"]
    assert total[0]["total"] == 150.5


async def test_balances_without_an_id_are_known_by_what_they_say(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await customers(app, client, tenant, "ana")
    points = await reward(client, tenant)
    rows = f"customer_id,reward_id,amount\nana,{points},7\nana,{points},7\n"
    done = await imported(app, client, tenant, "balances", rows)
    assert (done["done"], done["skipped"]) == (1, 1)
    again = await imported(app, client, tenant, "balances", f"customer_id,reward_id,amount\nana,{points},8\n")
    assert again["done"] == 1


async def test_events_are_history_that_moves_metrics_and_tier_but_rewards_nothing(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    await customers(app, client, tenant, "ana")
    tier = await client.post(
        f"{LOYALTY}/tiers",
        headers=headers,
        json={"name": "Regular", "status": "ACTIVE", "entry_conditions": TIER_AT_TWO_PURCHASES},
    )
    assert tier.status_code == 201, tier.text
    await running_campaign(client, tenant)  # one point per dollar of every PURCHASE: must not pay here
    started(tenant)
    long_ago = (clock.now() - timedelta(days=400)).isoformat()
    recent = (clock.now() - timedelta(days=3)).isoformat()
    rows = (
        "id,customer_id,type,issued_at,purchase_id,value\n"
        f",ana,PURCHASE,{recent},p-2,20.50\n"
        f",ana,PURCHASE,{long_ago},p-1,10\n"
        f"v-1,ana,PAGE_VIEW,{recent},,\n"
        f",ana,PAGE_VIEW,{recent},,\n"
        f",ana,PURCHASE,{recent},p-3,\n"
        f",ghost,PURCHASE,{recent},p-4,5\n"
    )
    done = await imported(app, client, tenant, "events", rows)
    assert (done["done"], done["errors"]) == (3, 3)
    assert {row["field"] for row in await errors(client, tenant, done["id"])} == {
        "id",
        "value",
        "customer_id",
    }
    ana = (await client.get(f"{LOYALTY}/customers/ana", headers=headers)).json()["data"]
    lifetime = ana["customer"]["metrics"]["lifetime"]
    assert (lifetime["number_of_purchases"], lifetime["spend_total"]) == (2, "30.50")
    assert lifetime["last_visit"][:19] == recent[:19]
    assert ana["customer"]["tier_id"] == tier.json()["data"]["id"]
    assert ana["wallet"]["totals"] == []  # the running campaign paid nothing
    again = await imported(app, client, tenant, "events", rows)
    assert (again["done"], again["skipped"]) == (0, 3)
    metrics = (await client.get(f"{LOYALTY}/customers/ana", headers=headers)).json()["data"]["customer"][
        "metrics"
    ]
    assert metrics["lifetime"]["number_of_purchases"] == 2


async def test_an_imported_purchase_can_be_reversed_and_a_purchase_recorded_live_is_skipped(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    await customers(app, client, tenant, "c1")
    live = await client.post(
        f"{LOYALTY}/behavior/events",
        headers=headers,
        json={
            "customer_id": "c1",
            "brand_id": None,
            "type": "PURCHASE",
            "order": {"purchase_id": "live", "value": 5},
        },
    )
    assert live.status_code == 201, live.text
    when = (clock.now() - timedelta(days=10)).isoformat()
    rows = (
        "customer_id,type,issued_at,purchase_id,value\n"
        f"c1,PURCHASE,{when},live,5\nc1,PURCHASE,{when},old,40\n"
    )
    done = await imported(app, client, tenant, "events", rows)
    assert (done["done"], done["skipped"]) == (1, 1)
    listed = await client.get(f"{LOYALTY}/customers/c1", headers=headers)
    assert listed.json()["data"]["customer"]["metrics"]["lifetime"]["number_of_purchases"] == 2
    from sqlalchemy import select

    from perks.loyalty.events.models import BehaviorEvent

    async with app.state.db.transaction(read_only=True) as session:
        event_id = await session.scalar(
            select(BehaviorEvent.id).where(
                BehaviorEvent.account_id == tenant.account_id, BehaviorEvent.purchase_id == "old"
            )
        )
    shown = await client.get(f"{LOYALTY}/behavior/events/{event_id}", headers=headers)
    assert shown.status_code == 200, shown.text
    assert (shown.json()["data"]["status"], shown.json()["data"]["fulfilled"]) == ("RESOLVED", True)
    assert shown.json()["data"]["data"]["order"]["value"] == "40"
    reversed_ = await client.post(f"{LOYALTY}/behavior/events/{event_id}/reverse", headers=headers, json={})
    assert reversed_.status_code == 200, reversed_.text
    after = (await client.get(f"{LOYALTY}/customers/c1", headers=headers)).json()["data"]["customer"]
    assert (
        after["metrics"]["lifetime"]["number_of_purchases"],
        after["metrics"]["lifetime"]["spend_total"],
    ) == (
        1,
        "5",
    )
