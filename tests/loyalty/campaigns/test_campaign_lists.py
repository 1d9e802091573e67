from __future__ import annotations

from datetime import timedelta

import httpx

from tests.support.catalog import (
    campaign_body,
    create,
    error,
    new_campaign,
    post_campaign,
    put_campaign,
    reward,
    travel,
)
from tests.support.tenants import LOYALTY, Tenant


async def test_paging_filters_and_count(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    brand = await create(client, tenant, "/brands", {"name": "Acme"})
    oldest, _ = await new_campaign(client, tenant, funded_by="BRAND", brand_id=brand["id"])
    middle, _ = await new_campaign(client, tenant, "PUNCH_CARDS", attributes={"punches": 5})
    newest, _ = await new_campaign(client, tenant)
    await new_campaign(client, other_tenant)
    headers = await tenant.loyalty(client)

    page = (await client.get(f"{LOYALTY}/campaigns?from=1&to=1", headers=headers)).json()
    assert (page["from"], page["to"], page["count"]) == (1, 1, 3)
    assert [item["id"] for item in page["data"]] == [middle]
    everything = (await client.get(f"{LOYALTY}/campaigns", headers=headers)).json()
    assert [item["id"] for item in everything["data"]] == [newest, middle, oldest]
    assert (everything["from"], everything["to"]) == (0, 9)

    filters = {
        "type=PUNCH_CARDS": [middle],
        f"brand_id={brand['id']}": [oldest],
        "funded_by=BRAND": [oldest],
    }
    for query, expected in filters.items():
        found = (await client.get(f"{LOYALTY}/campaigns?{query}", headers=headers)).json()
        assert [item["id"] for item in found["data"]] == expected, query
        assert found["count"] == len(expected)
    for bad in ("type=LOTTERY", "status=SLEEPING", "from=-1", "from=5&to=2", "from=0&to=5000"):
        error(await client.get(f"{LOYALTY}/campaigns?{bad}", headers=headers), 400)


async def test_customer_id_lists_the_campaigns_running_now(client: httpx.AsyncClient, tenant: Tenant) -> None:
    running, _ = await new_campaign(client, tenant)
    await new_campaign(client, tenant, status="INACTIVE")
    travel(tenant, timedelta(hours=2))
    await new_campaign(client, tenant)  # scheduled
    headers = await tenant.loyalty(client)
    found = (await client.get(f"{LOYALTY}/campaigns?customer_id=ana", headers=headers)).json()
    assert [item["id"] for item in found["data"]] == [running]


async def test_an_update_carrying_account_id_is_rejected(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, body = await new_campaign(client, tenant)
    sneaky = body | {"account_id": tenant.account_id, "name": "Changed"}
    assert error(await put_campaign(client, tenant, campaign_id, "BEHAVIOR", sneaky), 400)[
        "details"
    ].startswith("account_id")
    stored = await client.get(f"{LOYALTY}/campaigns/{campaign_id}", headers=await tenant.loyalty(client))
    assert stored.json()["data"]["name"] == body["name"]


async def test_punch_cards_need_their_punches(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = campaign_body(await reward(client, tenant), attributes={})
    assert error(await post_campaign(client, tenant, "PUNCH_CARDS", body), 400)["details"].startswith(
        "attributes.punches"
    )
    body["attributes"] = {"punches": 10}
    created = (await post_campaign(client, tenant, "PUNCH_CARDS", body)).json()["data"]
    assert created["attributes"] == {"punches": 10, "trigger": "PURCHASE"}
    behavior = campaign_body(await reward(client, tenant), attributes={})
    assert error(await post_campaign(client, tenant, "BEHAVIOR", behavior), 400)["details"].startswith(
        "attributes.trigger"
    )


async def test_every_route_is_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    expected = {
        "/brands": {"get", "post"},
        "/brands/{brand_id}": {"get", "put", "delete"},
        "/rewards": {"get", "post"},
        "/rewards/{reward_id}": {"get", "put", "delete"},
        "/tiers": {"get", "post"},
        "/tiers/{tier_id}": {"get", "put", "delete"},
        "/campaigns": {"get", "post"},
        "/campaigns/{campaign_id}": {"get", "put", "delete"},
        "/conditions/catalogue": {"get"},
    }
    for path, methods in expected.items():
        assert set(paths[f"{LOYALTY}{path}"]) >= methods, path
