"""Punch cards through the API: events punch matching campaigns' cards, a full card grants its effects and
the next card opens (unless single), consent and conditions are honoured, on both databases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.support.catalog import error
from tests.support.programs import (
    cards,
    new_customer,
    post,
    punch_campaign,
    total,
)
from tests.support.tenants import LOYALTY, Tenant


async def buy(client: httpx.AsyncClient, tenant: Tenant, value: Any = 20, customer_id: str = "ana") -> None:
    body = {"customer_id": customer_id, "brand_id": None, "type": "PURCHASE", "order": {"value": value}}
    response = await post(client, tenant, "/behavior/events", body)
    assert response.status_code == 201, response.text


def progress(listed: list[dict[str, Any]]) -> list[tuple[int, int, int, bool]]:
    return [(card["number"], card["punches"], card["required"], card["completed"]) for card in listed]


async def test_a_full_card_grants_its_effects_and_a_new_card_starts(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign_id, reward_id = await punch_campaign(client, tenant, punches=3)
    await new_customer(client, tenant, "ana")
    assert await cards(client, tenant) == []
    await buy(client, tenant)
    await buy(client, tenant, value=5)  # Order Value 5 does not meet the rule: no punch
    await buy(client, tenant)
    listed = await cards(client, tenant)
    assert progress(listed) == [(1, 2, 3, False)]
    assert listed[0]["campaign_id"] == campaign_id
    assert await total(client, tenant, "ana", reward_id) == 0
    await buy(client, tenant)
    assert progress(await cards(client, tenant)) == [(1, 3, 3, True), (2, 0, 3, False)]
    assert await total(client, tenant, "ana", reward_id) == Decimal(25)
    for _ in range(3):
        await buy(client, tenant)
    assert progress(await cards(client, tenant)) == [(1, 3, 3, True), (2, 3, 3, True), (3, 0, 3, False)]
    assert await total(client, tenant, "ana", reward_id) == Decimal(50)


async def test_single_cards_stop_after_the_first(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, reward_id = await punch_campaign(client, tenant, punches=2, single_card=True)
    await new_customer(client, tenant, "ana")
    for _ in range(5):
        await buy(client, tenant)
    assert progress(await cards(client, tenant)) == [(1, 2, 2, True)]
    assert await total(client, tenant, "ana", reward_id) == Decimal(25)


async def test_other_triggers_and_withdrawn_consent_do_not_punch(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await punch_campaign(client, tenant, punches=2, conditions=[], trigger="VISIT")
    await new_customer(client, tenant, "ana")
    await new_customer(client, tenant, "bob", consent={"purposes": {"punchcard_campaigns": False}})
    await buy(client, tenant)  # a PURCHASE does not punch a VISIT card
    assert await cards(client, tenant) == []
    for name in ("ana", "bob"):
        visit = {"customer_id": name, "brand_id": None, "type": "VISIT"}
        response = await post(client, tenant, "/behavior/events", visit)
        assert response.status_code == 201, response.text
    assert progress(await cards(client, tenant)) == [(1, 1, 2, False)]
    assert await cards(client, tenant, "bob") == []


async def test_punch_cards_of_unknown_customers_are_404(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(
        f"{LOYALTY}/customers/ghost/punch-cards", headers=await tenant.loyalty(client)
    )
    assert error(response, 404)["error"] == "Customer not found"
