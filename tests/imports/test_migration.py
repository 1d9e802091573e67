"""The storefront's migration routes: customers with their balance and metrics, their transaction history,
their past events. Each batch is validated whole, written by a job on the import engine, and sending it
again writes nothing twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from perks.kit import clock
from tests.support.catalog import reward
from tests.support.events import running_campaign, started
from tests.support.imports import errors, job, run_jobs
from tests.support.tenants import LOYALTY, Tenant

MIGRATE = f"{LOYALTY}/customers/migrate"
TIER_AT_TWO_PURCHASES = [
    [{"type": "Number of Purchases", "operator": "greater than or equal", "primitive": "number", "value": 2}]
]


def person(customer_id: str, *balance: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "id": customer_id,
        "name": customer_id.title(),
        "email": f"{customer_id}@shop.test",
        "registration_date": "2021-03-04T10:00:00Z",
        "balance": list(balance),
    } | fields


async def migrated(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Send a batch, run its job, and return the job as GET /jobs/{id} shows it."""
    response = await client.post(path, json=body, headers=await tenant.loyalty(client))
    assert response.status_code == 202, response.text
    assert response.json()["data"]["state"] == "QUEUED"
    await run_jobs(app)
    return await job(client, tenant, response.json()["data"]["id"])


async def wallet(client: httpx.AsyncClient, tenant: Tenant, customer_id: str) -> dict[str, Any]:
    response = await client.get(f"{LOYALTY}/customers/{customer_id}", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_migrated_customers_hold_their_balance_with_its_expiry_and_a_batch_sent_again_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    points = await reward(client, tenant)
    later = (clock.now() + timedelta(days=90)).replace(microsecond=0)
    tier = await client.post(f"{LOYALTY}/tiers", headers=headers, json={"name": "Gold", "status": "ACTIVE"})
    assert tier.status_code == 201, tier.text
    gold = tier.json()["data"]["id"]
    body = {
        "customers": [
            person(
                "ana",
                {"reward_id": points, "amount": 120.5, "expiration_date": later.isoformat()},
                {"reward_id": points, "amount": 30, "store_id": "s-1", "funded_by": "MARKETING"},
                metrics={
                    "lifetime": {"tier_id": gold, "spend_total": "310.20", "number_of_purchases": 7},
                    "this_year": {"from": "2026-01-01T00:00:00Z", "spend_total": 80},
                },
            ),
            person("bruno", {"reward_id": "no-such-reward", "amount": 5}),
            person("carla", {"reward_id": points, "amount": 5, "expiration_date": "2020-01-01T00:00:00Z"}),
            person("dora", email="ana@shop.test"),
            person("eli"),
        ]
    }
    done = await migrated(app, client, tenant, MIGRATE, body)
    assert (done["type"], done["state"], done["total"]) == ("migration.customers", "SUCCEEDED", 5)
    assert (done["done"], done["skipped"], done["errors"]) == (2, 0, 3)
    refused = {row["id"]: (row["line"], row["field"]) for row in await errors(client, tenant, done["id"])}
    assert refused == {
        "bruno": (2, "balance.0.reward_id"),
        "carla": (3, "balance.0.expiration_date"),
        "dora": (4, "email"),
    }
    ana = await wallet(client, tenant, "ana")
    assert [total["total"] for total in ana["wallet"]["totals"]] == [150.5]
    expiries = {line["amount"]: line["expiration_date"] for line in ana["wallet"]["lines"]}
    assert expiries[30] is None
    assert datetime.fromisoformat(expiries[120.5].replace("Z", "+00:00")) == later
    assert ana["customer"]["tier_id"] == gold
    assert ana["customer"]["metrics"]["lifetime"]["number_of_purchases"] == 7
    assert ana["customer"]["metrics"]["lifetime"]["spend_total"] == "310.20"
    assert ana["customer"]["registration_date"].startswith("2021-03-04")
    history = await client.get(
        f"{LOYALTY}/customers/ana/transactions", params={"type": "MIGRATION"}, headers=headers
    )
    assert history.status_code == 200, history.text
    assert sorted(row["amount"] for row in history.json()["data"]) == [30, 120.5]
    bruno = await client.get(f"{LOYALTY}/customers/bruno", headers=headers)
    assert bruno.status_code == 404  # a refused customer is not written at all

    again = await migrated(app, client, tenant, MIGRATE, body)
    assert (again["done"], again["skipped"], again["errors"]) == (0, 2, 3)
    assert [total["total"] for total in (await wallet(client, tenant, "ana"))["wallet"]["totals"]] == [150.5]


async def test_a_history_that_does_not_sum_to_the_balance_is_refused_for_that_customer_only(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    points = await reward(client, tenant)
    body = {
        "customers": [
            person("ana", {"reward_id": points, "amount": 100}),
            person("bruno", {"reward_id": points, "amount": 40}),
        ]
    }
    assert (await migrated(app, client, tenant, MIGRATE, body))["done"] == 2
    day = "2025-06-01T12:00:00Z"

    def move(kind: str, amount: float, **fields: Any) -> dict[str, Any]:
        return {"reward_id": points, "type": kind, "amount": amount, "issued_at": day} | fields

    history = {
        "customers": [
            {
                "id": "ana",
                "transactions": [
                    move("ACCUMULATION", 80, details="Order 1"),
                    move("ACCUMULATION", 40, details="Order 2", event={"type": "PURCHASE"}),
                    move("REDEMPTION", -10, resolved_at=day),
                    move("REDEMPTION", -10, resolved_at=day),  # the same twice: two redemptions
                ],
            },
            {"id": "bruno", "transactions": [move("ACCUMULATION", 50), move("REDEMPTION", -5)]},
            {"id": "ghost", "transactions": [move("ACCUMULATION", 1)]},
        ]
    }
    done = await migrated(app, client, tenant, f"{MIGRATE}/transactions", history)
    assert (done["type"], done["done"], done["errors"]) == ("migration.transactions", 1, 2)
    refused = {row["id"]: row for row in await errors(client, tenant, done["id"])}
    assert refused["bruno"]["field"] == "transactions"
    assert "sum to 45" in refused["bruno"]["error"] and "is 40" in refused["bruno"]["error"]
    assert refused["ghost"]["field"] == "id"

    async def listed(customer_id: str) -> list[dict[str, Any]]:
        # Listed when they were recorded here (the last 3 months), issued when the vendor says.
        response = await client.get(f"{LOYALTY}/customers/{customer_id}/transactions", headers=headers)
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()["data"]
        return [row for row in rows if row["type"] != "MIGRATION"]

    ana = await listed("ana")
    assert sorted(row["amount"] for row in ana) == [-10, -10, 40, 80]
    assert all(row["attributes"] == {"migrated": True} for row in ana)
    assert {row["issued_at"][:10] for row in ana} == {"2025-06-01"}
    assert await listed("bruno") == []  # nothing half-written for the refused customer
    assert [total["total"] for total in (await wallet(client, tenant, "ana"))["wallet"]["totals"]] == [100]

    again = await migrated(app, client, tenant, f"{MIGRATE}/transactions", history)
    assert (again["done"], again["skipped"], again["errors"]) == (0, 1, 2)
    assert len(await listed("ana")) == 4


async def test_a_migrated_purchase_moves_the_tier_but_no_campaign_pays_for_it(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    tier = await client.post(
        f"{LOYALTY}/tiers",
        headers=headers,
        json={"name": "Regular", "status": "ACTIVE", "entry_conditions": TIER_AT_TWO_PURCHASES},
    )
    assert tier.status_code == 201, tier.text
    assert (await migrated(app, client, tenant, MIGRATE, {"customers": [person("ana"), person("bea")]}))[
        "done"
    ] == 2
    await running_campaign(client, tenant)  # a point per dollar of every PURCHASE
    started(tenant)
    recent = (clock.now() - timedelta(days=3)).isoformat()
    long_ago = (clock.now() - timedelta(days=400)).isoformat()
    events = {
        "customers": [
            {
                "id": "ana",
                "events": [
                    {"id": "e1", "type": "PURCHASE", "issued_at": long_ago, "order": {"value": 10}},
                    {"type": "PURCHASE", "issued_at": recent, "order": {"purchase_id": "p-2", "value": 20.5}},
                    {"id": "e3", "type": "PAGE_VIEW", "issued_at": recent},
                    {"id": "e4", "type": "PURCHASE", "issued_at": recent},
                ],
            },
            {"id": "ghost", "events": [{"id": "e5", "type": "PAGE_VIEW", "issued_at": recent}]},
        ]
    }
    done = await migrated(app, client, tenant, f"{MIGRATE}/events", events)
    assert (done["type"], done["total"], done["done"], done["errors"]) == ("migration.events", 5, 3, 2)
    assert {(row["line"], row["field"]) for row in await errors(client, tenant, done["id"])} == {
        (4, "value"),
        (5, "customer_id"),
    }
    ana = await wallet(client, tenant, "ana")
    lifetime = ana["customer"]["metrics"]["lifetime"]
    assert (lifetime["number_of_purchases"], lifetime["spend_total"]) == (2, "30.5")
    assert ana["customer"]["tier_id"] == tier.json()["data"]["id"]
    assert ana["wallet"]["totals"] == []  # the running campaign paid nothing
    live = await client.post(
        f"{LOYALTY}/behavior/events",
        headers=headers,
        json={"customer_id": "bea", "brand_id": None, "type": "PURCHASE", "order": {"value": 10}},
    )
    assert live.status_code == 201, live.text
    assert [total["total"] for total in (await wallet(client, tenant, "bea"))["wallet"]["totals"]] == [10]

    again = await migrated(app, client, tenant, f"{MIGRATE}/events", events)
    assert (again["done"], again["skipped"], again["errors"]) == (0, 3, 2)
    lifetime = (await wallet(client, tenant, "ana"))["customer"]["metrics"]["lifetime"]
    assert lifetime["number_of_purchases"] == 2


async def test_a_bad_batch_is_a_400_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    too_many = {"customers": [person(f"c{index}") for index in range(1001)]}
    cases: list[tuple[str, dict[str, Any], str]] = [
        (MIGRATE, too_many, "customers"),
        (MIGRATE, {"customers": []}, "customers"),
        (
            MIGRATE,
            {"customers": [person("a", {"reward_id": "r", "amount": -1})]},
            "customers.0.balance.0.amount",
        ),
        (
            MIGRATE,
            {"customers": [person("a", {"reward_id": "r", "amount": "1.00001"})]},
            "customers.0.balance.0.amount",
        ),
        (
            MIGRATE,
            {"customers": [person("a", metrics={"lifetime": {"number_of_purchases": -2}})]},
            "customers.0.metrics.lifetime.number_of_purchases",
        ),
        (MIGRATE, {"customers": [{"name": "No id"}]}, "customers.0.id"),
        (
            MIGRATE,
            {
                "customers": [
                    person("a", {"reward_id": "r", "amount": 1, "issued_at": "0001-01-01T00:00:00+05:00"})
                ]
            },
            "customers.0.balance.0.issued_at",
        ),
        (
            f"{MIGRATE}/transactions",
            {
                "customers": [
                    {
                        "id": "a",
                        "transactions": [
                            {
                                "reward_id": "r",
                                "type": "GIFT",
                                "amount": 1,
                                "issued_at": "2025-01-01T00:00:00Z",
                            }
                        ],
                    }
                ]
            },
            "customers.0.transactions.0.type",
        ),
        (
            f"{MIGRATE}/transactions",
            {"customers": [{"id": "a", "transactions": []}]},
            "customers.0.transactions",
        ),
        (f"{MIGRATE}/events", {"customers": [{"id": "a", "events": []}]}, "customers.0.events"),
        (
            f"{MIGRATE}/events",
            {
                "customers": [
                    {"id": f"c{index}", "events": [{"type": "X", "issued_at": "2025-01-01T00:00:00Z"}] * 2}
                    for index in range(501)
                ]
            },
            "customers",
        ),
    ]
    for path, body, field in cases:
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 400, (path, field, response.text)
        answer = response.json()
        assert set(answer) >= {"error", "details"}, answer
        assert answer["details"].startswith(f"{field}: "), (field, answer)
    jobs = await client.get(f"{LOYALTY}/jobs", headers=headers)
    assert jobs.json()["data"] == []


async def test_migration_routes_need_a_server_token(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for path in (MIGRATE, f"{MIGRATE}/transactions", f"{MIGRATE}/events"):
        assert (await client.post(path, json={"customers": []})).status_code == 401


async def test_a_customer_who_signed_up_before_the_migration_gets_the_balance_once_and_keeps_the_profile(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    points = await reward(client, tenant)
    signed_up = await client.post(
        f"{LOYALTY}/customers",
        headers=headers,
        json={"id": "ana", "name": "Ana Here", "email": "ana@here.test"},
    )
    assert signed_up.status_code == 201, signed_up.text
    body = {
        "customers": [
            person(
                "ana",
                {"reward_id": points, "amount": 12},
                metrics={"lifetime": {"number_of_purchases": 3}, "last_month": {"number_of_purchases": 1}},
            )
        ]
    }
    for _ in range(2):
        await migrated(app, client, tenant, MIGRATE, body)
    ana = await wallet(client, tenant, "ana")
    assert [total["total"] for total in ana["wallet"]["totals"]] == [12]
    assert (ana["customer"]["name"], ana["customer"]["email"]) == ("Ana Here", "ana@here.test")
    assert ana["customer"]["metrics"]["last_month"] == {"number_of_purchases": 1}


async def test_a_batch_larger_than_its_limit_is_refused_before_it_is_read(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        MIGRATE,
        content=b'{"customers": [' + b" " * (33 << 20) + b"]}",
        headers=await tenant.loyalty(client) | {"content-type": "application/json"},
    )
    assert response.status_code == 413, response.text
    assert "1,000 records" in response.json()["details"]


async def test_a_batch_sent_again_with_its_idempotency_key_answers_the_same_job(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client) | {"Idempotency-Key": "migrate-1"}
    body = {"customers": [person("ana")]}
    first = await client.post(MIGRATE, json=body, headers=headers)
    again = await client.post(MIGRATE, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (202, 202), again.text
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    listed = await client.get(f"{LOYALTY}/jobs", headers=await tenant.loyalty(client))
    assert [job["id"] for job in listed.json()["data"]] == [first.json()["data"]["id"]]
