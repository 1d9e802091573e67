"""Tiers move up on entry conditions and down on exit conditions, on events and on reversals, through the
HTTP API on both databases."""

from __future__ import annotations

from typing import Any

import httpx

from perks.db.database import Database
from tests.support.catalog import spend, tier
from tests.support.events import EVENTS, customer, purchase, sent
from tests.support.outbox import events as outbox_events
from tests.support.tenants import LOYALTY, Tenant


def event_type_is(name: str) -> list[list[dict[str, Any]]]:
    return [[{"type": "Event Type", "operator": "equal", "primitive": "string", "value": name}]]


async def base_tier(client: httpx.AsyncClient, tenant: Tenant) -> str:
    response = await client.get(f"{LOYALTY}/tiers", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    [base] = [item for item in response.json()["data"] if item["level"] == 1]
    return str(base["id"])


async def tier_of(client: httpx.AsyncClient, tenant: Tenant, external_id: str = "c1") -> str | None:
    response = await client.get(f"{LOYALTY}/customers/{external_id}", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    tier_id: str | None = response.json()["data"]["customer"]["tier_id"]
    return tier_id


async def moves(database: Database, tenant: Tenant) -> list[tuple[str, str | None, str, str]]:
    """(webhook, previous tier, new tier, event id) of every tier move, oldest first."""
    rows = await outbox_events(database, tenant)
    return [
        (row.event_type, row.payload["previous_tier_id"], row.payload["tier_id"], row.payload["event_id"])
        for row in rows
        if row.event_type in ("TIER_UPGRADE", "TIER_DOWNGRADE")
    ]


async def test_exit_conditions_move_the_customer_down_to_the_highest_qualifying_lower_tier(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    silver = await tier(client, tenant, "Silver", 2, entry_conditions=spend("greater than", 100))
    await tier(client, tenant, "Paused", 3, entry_conditions=spend("greater than", 200), status="INACTIVE")
    gold = await tier(
        client,
        tenant,
        "Gold",
        4,
        entry_conditions=spend("greater than", 300),
        exit_conditions=event_type_is("CHARGEBACK"),
    )
    await customer(client, tenant)
    bought = await sent(client, tenant, purchase(400))
    assert bought["result"]["customer"]["tier_id"] == gold
    charged = await sent(client, tenant, {"customer_id": "c1", "brand_id": None, "type": "CHARGEBACK"})
    # Gold's exit holds; the INACTIVE level-3 tier is skipped; Silver's entry holds on the same facts.
    assert charged["result"]["customer"]["tier_id"] == silver
    assert await tier_of(client, tenant) == silver
    assert await moves(database, tenant) == [
        ("TIER_UPGRADE", None, gold, bought["id"]),
        ("TIER_DOWNGRADE", gold, silver, charged["id"]),
    ]
    [downgrade] = await outbox_events(database, tenant, "TIER_DOWNGRADE")
    assert downgrade.payload["tier_name"] == "Silver"
    assert downgrade.payload["customer"]["tier_id"] == silver
    again = await sent(client, tenant, purchase(1))  # back up: Gold's entry holds, its exit does not
    assert again["result"]["customer"]["tier_id"] == gold


async def test_without_a_qualifying_lower_tier_the_customer_falls_to_base_and_stays(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    base = await base_tier(client, tenant)
    await tier(client, tenant, "Bronze", 2)  # no entry conditions: never entered automatically
    flagged = [[{"type": "Customer Tag", "operator": "equal", "primitive": "string", "value": "flagged"}]]
    silver = await tier(
        client, tenant, "Silver", 3, entry_conditions=spend("greater than", 100), exit_conditions=flagged
    )
    await customer(client, tenant)
    bought = await sent(client, tenant, purchase(150))
    assert bought["result"]["customer"]["tier_id"] == silver
    headers = await tenant.loyalty(client)
    tagged = await client.patch(f"{LOYALTY}/customers/c1", headers=headers, json={"tags": {"flagged": True}})
    assert tagged.status_code == 200, tagged.text
    assert await tier_of(client, tenant) == silver  # a profile change does not move tiers by itself
    fell = await sent(client, tenant, purchase(10))
    # Silver's entry still holds, but so does its exit: it is not entered again, now or on later events.
    assert fell["result"]["customer"]["tier_id"] == base
    stayed = await sent(client, tenant, purchase(10))
    assert stayed["result"]["customer"]["tier_id"] == base
    assert await moves(database, tenant) == [
        ("TIER_UPGRADE", None, silver, bought["id"]),
        ("TIER_DOWNGRADE", silver, base, fell["id"]),
    ]
    [downgrade] = await outbox_events(database, tenant, "TIER_DOWNGRADE")
    assert downgrade.payload["tier_name"] == "Base"


async def test_reversing_a_purchase_recalculates_the_tier(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    base = await base_tier(client, tenant)
    silver = await tier(
        client,
        tenant,
        "Silver",
        2,
        entry_conditions=spend("greater than", 100),
        exit_conditions=spend("less than", 100),
    )
    await customer(client, tenant)
    bought = await sent(client, tenant, purchase(150))
    assert bought["result"]["customer"]["tier_id"] == silver
    reversed_ = await client.post(
        f"{EVENTS}/{bought['id']}/reverse", headers=await tenant.loyalty(client), json={}
    )
    assert reversed_.status_code == 200, reversed_.text
    assert await tier_of(client, tenant) == base
    assert await moves(database, tenant) == [
        ("TIER_UPGRADE", None, silver, bought["id"]),
        ("TIER_DOWNGRADE", silver, base, bought["id"]),
    ]
