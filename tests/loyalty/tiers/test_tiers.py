from __future__ import annotations

import httpx

from tests.support.catalog import campaign_body, create, error, post_campaign, reward, rules
from tests.support.tenants import LOYALTY, Tenant

SPEND = {"type": "Spend Total", "operator": "greater than or equal", "primitive": "currency", "value": 500}


async def tiers(client: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, object]]:
    response = await client.get(f"{LOYALTY}/tiers", headers=await tenant.loyalty(client))
    assert response.status_code == 200
    data: list[dict[str, object]] = response.json()["data"]
    return data


async def test_every_account_starts_with_an_undeletable_base_tier(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    [base] = await tiers(client, tenant)
    assert (base["name"], base["level"], base["status"]) == ("Base", 1, "ACTIVE")
    headers = await tenant.loyalty(client)
    response = error(await client.delete(f"{LOYALTY}/tiers/{base['id']}", headers=headers), 409)
    assert response["details"] == "The Base tier cannot be deleted"
    moved = await client.put(
        f"{LOYALTY}/tiers/{base['id']}", headers=headers, json={"name": "Base", "level": 2}
    )
    assert error(moved, 400)["details"].startswith("level")
    renamed = await client.put(f"{LOYALTY}/tiers/{base['id']}", headers=headers, json={"name": "Member"})
    assert renamed.json()["data"]["level"] == 1


async def test_levels_auto_increment_and_are_unique(client: httpx.AsyncClient, tenant: Tenant) -> None:
    silver = await create(client, tenant, "/tiers", {"name": "Silver", "entry_conditions": [[SPEND]]})
    assert silver["level"] == 2 and silver["entry_conditions"] == [[SPEND]]
    gold = await create(client, tenant, "/tiers", {"name": "Gold", "level": 5})
    assert gold["level"] == 5
    headers = await tenant.loyalty(client)
    taken = await client.post(f"{LOYALTY}/tiers", headers=headers, json={"name": "Dup", "level": 2})
    assert error(taken, 409)["error"] == "Tier level already in use"
    assert error(await client.post(f"{LOYALTY}/tiers", headers=headers, json={"name": "X", "level": 11}), 400)
    assert [tier["level"] for tier in await tiers(client, tenant)] == [1, 2, 5]
    for level in range(6, 11):
        await create(client, tenant, "/tiers", {"name": f"L{level}"})
    full = await client.post(f"{LOYALTY}/tiers", headers=headers, json={"name": "Too many"})
    assert error(full, 400)["details"].startswith("level")


async def test_tier_conditions_are_validated(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        f"{LOYALTY}/tiers",
        headers=await tenant.loyalty(client),
        json={"name": "Bad", "exit_conditions": [[SPEND | {"operator": "sort of"}]]},
    )
    assert error(response, 400)["details"].startswith("exit_conditions[0][0].operator")


async def test_a_tier_used_by_a_campaign_cannot_be_deleted(client: httpx.AsyncClient, tenant: Tenant) -> None:
    gold = await create(client, tenant, "/tiers", {"name": "Gold"})
    reward_id = await reward(client, tenant)
    body = campaign_body(reward_id, rules=rules(reward_id, tier_id=gold["id"]))
    assert (await post_campaign(client, tenant, "BEHAVIOR", body)).status_code == 201
    headers = await tenant.loyalty(client)
    assert (
        error(await client.delete(f"{LOYALTY}/tiers/{gold['id']}", headers=headers), 409)["error"]
        == "Tier in use"
    )
    spare = await create(client, tenant, "/tiers", {"name": "Spare"})
    assert (await client.delete(f"{LOYALTY}/tiers/{spare['id']}", headers=headers)).status_code == 200


async def test_another_accounts_tier_is_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    [theirs] = await tiers(client, other_tenant)
    headers = await tenant.loyalty(client)
    error(await client.get(f"{LOYALTY}/tiers/{theirs['id']}", headers=headers), 404)
    error(await client.put(f"{LOYALTY}/tiers/{theirs['id']}", headers=headers, json={"name": "x"}), 404)
    error(await client.delete(f"{LOYALTY}/tiers/{theirs['id']}", headers=headers), 404)
