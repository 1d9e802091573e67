"""POST /behavior/events?dry_run=true: what the event would do, worked out by the real path, with nothing
written; compared field by field with the real run that follows it, on both databases."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from perks.db.database import Database
from perks.idempotency.models import IdempotencyRecord
from perks.ledger.models import LedgerTransaction, WalletLine
from perks.loyalty.engine.models import CampaignBudget
from perks.loyalty.events.models import BehaviorEvent
from perks.outbox.models import OutboxEvent
from tests.support.catalog import spend, tier
from tests.support.events import EVENTS, customer, purchase, running_campaign, started
from tests.support.tenants import LOYALTY, Tenant

COUNTED = (BehaviorEvent, LedgerTransaction, WalletLine, OutboxEvent, IdempotencyRecord)


async def written(database: Database, tenant: Tenant) -> dict[str, Any]:
    """Everything an event may write, counted; and what the campaigns' budgets have spent."""
    found: dict[str, Any] = {}
    async with database.transaction(read_only=True) as session:
        for model in COUNTED:
            statement = select(func.count()).where(model.account_id == tenant.account_id)
            found[model.__tablename__] = await session.scalar(statement)
        spent = select(func.sum(CampaignBudget.spent)).where(CampaignBudget.account_id == tenant.account_id)
        found["budget spent"] = await session.scalar(spent)
    return found


async def post(
    client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any], query: str = "", key: str | None = None
) -> httpx.Response:
    headers = await tenant.loyalty(client) | ({"Idempotency-Key": key} if key else {})
    return await client.post(f"{EVENTS}{query}", headers=headers, json=body)


def comparable(event: dict[str, Any]) -> dict[str, Any]:
    """The event without what differs between any two runs: ids and moments."""
    result = event["result"]
    return {
        "status": event["status"],
        "type": event["type"],
        "customer_id": event["customer_id"],
        "data": {key: value for key, value in event["data"].items() if key != "issued_at"},
        "rewarding_campaigns": event["rewarding_campaigns"],
        "accumulations": [_line(line) for line in result["accumulations"]],
        "redemptions": [_line(line) for line in result["redemptions"]],
        "transactions": [
            {
                key: item[key]
                for key in ("type", "amount", "reward_id", "campaign_id", "event_type", "funded_by")
            }
            for item in result["transactions"]
        ],
        "wallet totals": [(total["reward_id"], total["total"]) for total in result["wallet"]["totals"]],
        "wallet lines": sorted(line["amount"] for line in result["wallet"]["lines"]),
        "tier": result["customer"]["tier_id"],
        "metrics": {
            key: value
            for key, value in result["customer"]["metrics"].get("lifetime", {}).items()
            if key != "last_visit"
        },
    }


def _line(line: dict[str, Any]) -> dict[str, Any]:
    return {key: line[key] for key in ("amount", "reward_id", "campaign_id", "expiration_date")}


async def test_a_dry_run_answers_what_the_real_run_then_does_and_writes_nothing(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    campaign_id, points = await running_campaign(client, tenant)  # a point per dollar
    _capped, _ = await running_campaign(client, tenant, points, budget=50, divide_budget_in="total")
    gold = await tier(client, tenant, "Gold", 2, entry_conditions=spend("greater than", 25))
    await customer(client, tenant)
    started(tenant)
    before = await written(database, tenant)

    dry = await post(client, tenant, purchase(40, "order-1"), "?dry_run=true", key="k-dry")
    assert dry.status_code == 201, dry.text
    assert dry.headers["perks-dry-run"] == "true"
    assert await written(database, tenant) == before  # no event, line, budget use, webhook or key
    would = dry.json()["data"]

    real = await post(client, tenant, purchase(40, "order-1"), key="k-dry")
    assert real.status_code == 201, real.text
    assert "perks-dry-run" not in real.headers
    done = real.json()["data"]
    assert comparable(would) == comparable(done)
    # Both campaigns granted (the second from its budget of 50), the spend moved the customer up to Gold.
    assert [line["amount"] for line in done["result"]["accumulations"]] == [40, 40]
    assert done["result"]["customer"]["tier_id"] == gold and set(done["rewarding_campaigns"]) >= {campaign_id}
    assert await written(database, tenant) != before

    # What is left of the budget (10) cannot cover another 40: the dry run knows it as the real run would;
    # a repeated purchase is the stored event (200).
    again = await post(client, tenant, purchase(40, "order-2"), "?dry_run=true")
    assert [line["amount"] for line in again.json()["data"]["result"]["accumulations"]] == [40]
    repeated = await post(client, tenant, purchase(40, "order-1"), "?dry_run=true")
    assert repeated.status_code == 200 and repeated.json()["data"]["id"] == done["id"]


async def test_a_dry_run_follows_consent_and_answers_errors_as_the_real_run(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    await running_campaign(client, tenant)
    await customer(client, tenant)
    started(tenant)
    withdrawn = await client.patch(
        f"{LOYALTY}/customers/c1/consent",
        headers=await tenant.loyalty(client),
        json={"consent": {"purposes": {"behavioral_campaigns": False}}},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    before = await written(database, tenant)
    dry = await post(client, tenant, purchase(40), "?dry_run=true")
    assert dry.status_code == 201 and dry.json()["data"]["result"]["accumulations"] == []
    real = await post(client, tenant, purchase(40))
    assert comparable(dry.json()["data"]) == comparable(real.json()["data"])
    before = await written(database, tenant)
    ghost = await post(client, tenant, purchase(40, customer_id="ghost"), "?dry_run=true")
    assert ghost.status_code == 404 and ghost.json()["error"] == "Customer not found"
    assert await written(database, tenant) == before
