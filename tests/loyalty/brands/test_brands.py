from __future__ import annotations

import httpx

from tests.support.catalog import campaign_body, create, error, post_campaign, reward
from tests.support.tenants import LOYALTY, Tenant


async def test_brand_crud(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = await tenant.loyalty(client)
    brand = await create(client, tenant, "/brands", {"name": "Acme", "metadata": {"region": "EU"}})
    assert brand == {"id": brand["id"], "name": "Acme", "description": None, "metadata": {"region": "EU"}}
    updated = await client.put(f"{LOYALTY}/brands/{brand['id']}", headers=headers, json={"name": "Acme EU"})
    assert updated.json()["data"]["name"] == "Acme EU"
    assert updated.json()["data"]["metadata"] is None  # PUT replaces every field
    listed = await client.get(f"{LOYALTY}/brands", headers=headers)
    assert [item["name"] for item in listed.json()["data"]] == ["Acme EU"]
    deleted = await client.delete(f"{LOYALTY}/brands/{brand['id']}", headers=headers)
    assert deleted.status_code == 200
    assert error(await client.get(f"{LOYALTY}/brands/{brand['id']}", headers=headers), 404)["error"] == (
        "Brand not found"
    )


async def test_brand_used_by_a_reward_or_campaign_cannot_be_deleted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    for_reward = await create(client, tenant, "/brands", {"name": "R"})
    await reward(client, tenant, brand_id=for_reward["id"])
    body = error(await client.delete(f"{LOYALTY}/brands/{for_reward['id']}", headers=headers), 409)
    assert body["error"] == "Brand in use"

    for_campaign = await create(client, tenant, "/brands", {"name": "C"})
    created = await post_campaign(
        client, tenant, "BEHAVIOR", campaign_body(await reward(client, tenant), brand_id=for_campaign["id"])
    )
    assert created.status_code == 201, created.text
    error(await client.delete(f"{LOYALTY}/brands/{for_campaign['id']}", headers=headers), 409)
    assert (await client.get(f"{LOYALTY}/brands/{for_campaign['id']}", headers=headers)).status_code == 200


async def test_another_accounts_brand_is_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    brand = await create(client, other_tenant, "/brands", {"name": "Theirs"})
    headers = await tenant.loyalty(client)
    error(await client.get(f"{LOYALTY}/brands/{brand['id']}", headers=headers), 404)
    error(await client.put(f"{LOYALTY}/brands/{brand['id']}", headers=headers, json={"name": "x"}), 404)
    error(await client.delete(f"{LOYALTY}/brands/{brand['id']}", headers=headers), 404)
    # Nor can it be named by this account's rewards.
    response = await client.post(
        f"{LOYALTY}/rewards",
        headers=headers,
        json={"type": "POINTS", "name": "P", "brand_id": brand["id"], "attributes": {"conversion_factor": 1}},
    )
    assert "brand_id" in error(response, 400)["details"]


async def test_brand_writes_need_a_server_token_and_a_name(client: httpx.AsyncClient, tenant: Tenant) -> None:
    public = await tenant.loyalty(client, public=True)
    error(await client.post(f"{LOYALTY}/brands", headers=public, json={"name": "x"}), 403)
    response = await client.post(f"{LOYALTY}/brands", headers=await tenant.loyalty(client), json={"name": ""})
    assert "name" in error(response, 400)["details"]
