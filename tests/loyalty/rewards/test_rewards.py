from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.support.catalog import ORDER_OVER, POINTS, create, error, new_campaign, reward
from tests.support.events import customer, purchase, running_campaign, sent, started
from tests.support.ledger import travel
from tests.support.tenants import LOYALTY, Tenant


async def test_reward_crud_and_filters(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = await tenant.loyalty(client)
    brand = await create(client, tenant, "/brands", {"name": "Acme"})
    points = await create(client, tenant, "/rewards", POINTS | {"conditions": [[ORDER_OVER]]})
    assert points == {
        "id": points["id"],
        "brand_id": None,
        "platforms": None,
        "name": "Points",
        "description": None,
        "type": "POINTS",
        "conditions": [[ORDER_OVER]],
        "attributes": {"conversion_factor": 0.1},
    }
    discount = await create(
        client,
        tenant,
        "/rewards",
        {
            "type": "DISCOUNT",
            "name": "10% off",
            "brand_id": brand["id"],
            "platforms": ["web"],
            "attributes": {"discount_type": "PERCENTAGE", "value": 10},
        },
    )
    assert discount["attributes"]["apply_to"] == "ORDER_VALUE"
    everything = await client.get(f"{LOYALTY}/rewards?from=0&to=9", headers=headers)
    assert [item["id"] for item in everything.json()["data"]] == [points["id"], discount["id"]]
    by_brand = await client.get(f"{LOYALTY}/rewards?from=0&to=9&brand_id={brand['id']}", headers=headers)
    assert [item["id"] for item in by_brand.json()["data"]] == [discount["id"]]
    by_type = await client.get(f"{LOYALTY}/rewards?from=0&to=9&type=POINTS", headers=headers)
    assert [item["id"] for item in by_type.json()["data"]] == [points["id"]]
    second = await client.get(f"{LOYALTY}/rewards?from=1&to=1", headers=headers)
    assert [item["id"] for item in second.json()["data"]] == [discount["id"]]

    replaced = await client.put(
        f"{LOYALTY}/rewards/{points['id']}", headers=headers, json=POINTS | {"name": "Stars"}
    )
    assert replaced.json()["data"]["name"] == "Stars"
    assert replaced.json()["data"]["conditions"] == []
    assert (await client.delete(f"{LOYALTY}/rewards/{points['id']}", headers=headers)).status_code == 200
    gone = error(await client.get(f"{LOYALTY}/rewards/{points['id']}", headers=headers), 404)
    assert gone == {"error": "Reward not found", "details": "Reward not found"}


async def test_rewards_list_window_is_checked(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = await tenant.loyalty(client)
    assert "from" in error(await client.get(f"{LOYALTY}/rewards?from=-1", headers=headers), 400)["details"]
    assert "to" in error(await client.get(f"{LOYALTY}/rewards?from=5&to=1", headers=headers), 400)["details"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "POINTS", "attributes": {}}, "attributes.conversion_factor"),
        ({"type": "POINTS", "attributes": {"conversion_factor": 0}}, "attributes.conversion_factor"),
        ({"type": "POINTS", "attributes": {"conversion_factor": -1}}, "attributes.conversion_factor"),
        ({"type": "DISCOUNT", "attributes": {"value": 5}}, "attributes.discount_type"),
        (
            {"type": "DISCOUNT", "attributes": {"discount_type": "PERCENTAGE", "value": 150}},
            "attributes.value",
        ),
        (
            {
                "type": "DISCOUNT",
                "attributes": {"discount_type": "FIXED_AMOUNT", "value": 5, "apply_to": "TAX"},
            },
            "attributes.apply_to",
        ),
        (
            {
                "type": "DISCOUNT",
                "attributes": {"discount_type": "FIXED_AMOUNT", "value": 5, "apply_to": "PRODUCT"},
            },
            "attributes.sku",
        ),
        ({"type": "GIFT_CARD", "attributes": {"value": 0}}, "attributes.value"),
        ({"type": "PRODUCT", "attributes": {}}, "attributes.sku"),
        ({"type": "PRODUCT", "attributes": {"sku": "A", "action": "REPLACE"}}, "attributes.replaced_sku"),
        ({"type": "CASH", "attributes": {}}, "type"),
        (
            {"type": "POINTS", "attributes": {"conversion_factor": 1}, "conditions": [[{"type": "x"}]]},
            "conditions",
        ),
    ],
)
async def test_reward_attributes_by_type(
    client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    response = await client.post(
        f"{LOYALTY}/rewards", headers=await tenant.loyalty(client), json={"name": "R"} | body
    )
    assert error(response, 400)["details"].startswith(field)


async def test_each_reward_type_is_accepted(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for body in (
        {
            "type": "DISCOUNT",
            "attributes": {"discount_type": "FIXED_AMOUNT", "value": 5, "apply_to": "SHIPPING"},
        },
        {"type": "GIFT_CARD", "attributes": {"value": 25}},
        {"type": "PRODUCT", "attributes": {"sku": "MUG", "action": "REPLACE", "replaced_sku": "CUP"}},
    ):
        assert (await create(client, tenant, "/rewards", {"name": "R"} | body))["type"] == body["type"]


async def test_a_reward_used_by_a_campaign_cannot_be_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign_id, body = await new_campaign(client, tenant)
    reward_id = body["rules"].split('"reward_id": "')[1].split('"')[0]
    headers = await tenant.loyalty(client)
    assert error(await client.delete(f"{LOYALTY}/rewards/{reward_id}", headers=headers), 409)["error"] == (
        "Reward in use"
    )
    gift_card = {"type": "GIFT_CARD", "name": "Card", "attributes": {}}
    retyped = await client.put(f"{LOYALTY}/rewards/{reward_id}", headers=headers, json=gift_card)
    assert error(retyped, 409)["details"] == "A campaign uses this reward; its type cannot change"
    renamed = await client.put(
        f"{LOYALTY}/rewards/{reward_id}", headers=headers, json=POINTS | {"name": "Stars"}
    )
    assert renamed.status_code == 200
    await client.delete(f"{LOYALTY}/campaigns/{campaign_id}", headers=headers)
    assert (await client.delete(f"{LOYALTY}/rewards/{reward_id}", headers=headers)).status_code == 200


async def test_another_accounts_reward_is_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await reward(client, other_tenant)
    headers = await tenant.loyalty(client)
    assert (
        error(await client.get(f"{LOYALTY}/rewards/{theirs}", headers=headers), 404)["error"]
        == "Reward not found"
    )
    error(await client.put(f"{LOYALTY}/rewards/{theirs}", headers=headers, json=POINTS), 404)
    error(await client.delete(f"{LOYALTY}/rewards/{theirs}", headers=headers), 404)
    listed = await client.get(f"{LOYALTY}/rewards?from=0&to=9", headers=headers)
    assert listed.json()["data"] == []


async def test_reward_writes_need_a_server_token(client: httpx.AsyncClient, tenant: Tenant) -> None:
    public = await tenant.loyalty(client, public=True)
    error(await client.post(f"{LOYALTY}/rewards", headers=public, json=POINTS), 403)


async def test_a_wallet_shows_its_rewards_as_they_are_now(client: httpx.AsyncClient, tenant: Tenant) -> None:
    """Wallets show each total's reward object (cached by the reward's version): after a change of the
    reward, the customer read and the next event's answer show the new one."""
    _campaign, points = await running_campaign(client, tenant)
    await customer(client, tenant, "c1")
    started(tenant)
    await sent(client, tenant, purchase(50, "p-1"))

    async def shown_name() -> str:
        response = await client.get(f"{LOYALTY}/customers/c1", headers=await tenant.loyalty(client))
        assert response.status_code == 200, response.text
        [total] = response.json()["data"]["wallet"]["totals"]
        return str(total["reward"]["name"])

    assert await shown_name() == "Points"
    travel(tenant, timedelta(seconds=2))  # updated_at moves on
    renamed = POINTS | {"name": "Stars"}
    headers = await tenant.loyalty(client)
    response = await client.put(f"{LOYALTY}/rewards/{points}", headers=headers, json=renamed)
    assert response.status_code == 200, response.text
    assert await shown_name() == "Stars"
    answer = await sent(client, tenant, purchase(50, "p-2"))
    assert {total["reward"]["name"] for total in answer["result"]["wallet"]["totals"]} == {"Stars"}
