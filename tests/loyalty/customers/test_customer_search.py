"""GET /customers: prefixes of id, email and name, tags, tiers, and keyset pages that never skip or repeat."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import pages
from tests.support.events import purchase, sent
from tests.support.tenants import LOYALTY, Tenant

GOLD_ENTRY = [[{"type": "Customer Tag", "operator": "equal", "primitive": "string", "value": "gold"}]]


async def register(client: httpx.AsyncClient, tenant: Tenant, external_id: str, **fields: Any) -> None:
    body = {
        "id": external_id,
        "name": f"Customer {external_id}",
        "email": f"{external_id}@shop.test",
    } | fields
    response = await client.post(f"{LOYALTY}/customers", headers=await tenant.loyalty(client), json=body)
    assert response.status_code == 201, response.text


async def listing(client: httpx.AsyncClient, tenant: Tenant, **query: Any) -> dict[str, Any]:
    response = await client.get(f"{LOYALTY}/customers", params=query, headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"data", "cursor"}
    return body


async def ids(client: httpx.AsyncClient, tenant: Tenant, **query: Any) -> list[str]:
    return [customer["id"] for customer in (await listing(client, tenant, **query))["data"]]


async def test_pages_follow_the_cursor_in_id_order_without_gaps(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    registered = [f"c-{index:02d}" for index in range(23)]
    for external_id in reversed(registered):
        await register(client, tenant, external_id)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = await listing(client, tenant, limit=10, **({"cursor": cursor} if cursor else {}))
        seen += [customer["id"] for customer in page["data"]]
        pages += 1
        cursor = page["cursor"]
        if cursor is None:
            break
    assert seen == sorted(registered) and pages == 3
    first = (await listing(client, tenant, limit=1))["data"][0]
    assert first["email"] == "c-00@shop.test" and "wallet" not in first and first["consent"]["purposes"]


async def test_a_full_last_page_says_there_is_nothing_more(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for external_id in ("a", "b"):
        await register(client, tenant, external_id)
    assert (await listing(client, tenant, limit=2))["cursor"] is None
    cursor = (await listing(client, tenant, limit=1))["cursor"]
    assert await ids(client, tenant, limit=5, cursor=cursor) == ["b"]


async def test_prefix_searches_on_id_email_and_name(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await register(client, tenant, "shop-1", name="Ana Lopez", email="ana@north.test")
    await register(client, tenant, "shop-2", name="anabel Ruiz", email="Anabel@south.test")
    await register(client, tenant, "web-1", name="Bruno Diaz", email="bruno@north.test")
    await register(client, tenant, "shop_3", name="Ánxela", email="x%y@north.test")
    assert await ids(client, tenant, id="shop-") == ["shop-1", "shop-2"]
    assert await ids(client, tenant, id="shop") == ["shop-1", "shop-2", "shop_3"]
    assert await ids(client, tenant, id="SHOP") == []  # ids are the caller's, compared exactly
    assert await ids(client, tenant, email="ANA") == ["shop-1", "shop-2"]
    assert await ids(client, tenant, email="x%") == ["shop_3"]  # no wildcards
    assert await ids(client, tenant, email="x_") == []
    assert await ids(client, tenant, name="ana") == ["shop-1", "shop-2"]
    assert await ids(client, tenant, name="ANA L") == ["shop-1"]
    assert await ids(client, tenant, name="Án") == ["shop_3"]
    assert await ids(client, tenant, name="lopez") == []  # a prefix of the name, not any word
    assert await ids(client, tenant, email="ana", name="anab") == ["shop-2"]  # filters combine
    assert await ids(client, tenant, name="ana", id="shop-2") == ["shop-2"]
    assert await ids(client, tenant, id="", email="") == ["shop-1", "shop-2", "shop_3", "web-1"]


async def every_page(client: httpx.AsyncClient, tenant: Tenant, **query: Any) -> list[str]:
    headers = await tenant.loyalty(client)
    return [row["id"] for row in await pages.every_page(client, f"{LOYALTY}/customers", headers, **query)]


async def test_a_search_is_sorted_by_what_it_searches_and_pages_through_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    people = {
        "z1": ("Ana Zeta", "ab@x.test"),
        "a1": ("ana beta", "ac@x.test"),
        "m1": ("Ana Beta", "aa@x.test"),
        "b1": ("Anabel", "ba@x.test"),
        "c1": ("Bruno", "ad@x.test"),
    }
    for external_id, (name, email) in people.items():
        await register(client, tenant, external_id, name=name, email=email)
    assert await every_page(client, tenant, name="ana", limit=1) == ["a1", "m1", "z1", "b1"]
    assert await every_page(client, tenant, email="a", limit=2) == ["m1", "z1", "a1", "c1"]
    cursor = (await listing(client, tenant, name="ana", limit=1))["cursor"]
    refused = await client.get(
        f"{LOYALTY}/customers", params={"cursor": cursor}, headers=await tenant.loyalty(client)
    )
    assert refused.status_code == 400 and refused.json()["details"].startswith("cursor:")
    garbage = await client.get(
        f"{LOYALTY}/customers", params={"cursor": "%%%"}, headers=await tenant.loyalty(client)
    )
    assert garbage.status_code == 400 and garbage.json()["details"].startswith("cursor:")


async def test_tags_by_key_and_value_follow_updates(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = await tenant.loyalty(client)
    await register(client, tenant, "t1", tags={"vip": True, "city": "Lima"})
    await register(client, tenant, "t2", tags={"city": "Quito"})
    await register(client, tenant, "t3")
    assert await ids(client, tenant, tag="city") == ["t1", "t2"]
    assert await ids(client, tenant, tag="city:Lima") == ["t1"]
    assert await ids(client, tenant, tag="vip:true") == ["t1"]
    patched = await client.patch(f"{LOYALTY}/customers/t3", headers=headers, json={"tags": {"vip": True}})
    assert patched.status_code == 200, patched.text
    assert await ids(client, tenant, tag="vip") == ["t1", "t3"]
    removed = await client.request(
        "DELETE", f"{LOYALTY}/customers/t1/tags", headers=headers, json={"tags": ["vip"]}
    )
    assert removed.status_code == 200, removed.text
    assert await ids(client, tenant, tag="vip") == ["t3"]
    assert await ids(client, tenant, tag="city:Lima") == ["t1"]
    assert await every_page(client, tenant, tag="city", limit=1) == ["t1", "t2"]


async def test_a_new_id_from_identify_is_what_a_tag_search_shows(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    created = await client.post(
        f"{LOYALTY}/customers",
        headers=headers,
        json={"id": "anon-1", "is_anonymous": True, "tags": {"kiosk": 1}},
    )
    assert created.status_code == 201, created.text
    await register(client, tenant, "b-known", tags={"kiosk": 1})
    identified = await client.patch(
        f"{LOYALTY}/customers/anon-1/identify/anonymous",
        headers=headers,
        json={"name": "Zoe", "email": "zoe@shop.test", "new_id": "z-zoe"},
    )
    assert identified.status_code == 200, identified.text
    assert await ids(client, tenant, tag="kiosk:1") == ["b-known", "z-zoe"]


async def test_tier_filter_and_the_base_tier_holds_customers_never_moved(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    tiers = (await client.get(f"{LOYALTY}/tiers", headers=headers)).json()["data"]
    base = next(tier["id"] for tier in tiers if tier["level"] == 1)
    created = await client.post(
        f"{LOYALTY}/tiers",
        headers=headers,
        json={"name": "Gold", "status": "ACTIVE", "entry_conditions": GOLD_ENTRY},
    )
    assert created.status_code == 201, created.text
    gold = created.json()["data"]["id"]
    await register(client, tenant, "c1", tags={"gold": True})
    await register(client, tenant, "c2")
    await sent(client, tenant, purchase(10))  # moves c1 to Gold
    assert await ids(client, tenant, tier_id=gold) == ["c1"]
    assert await ids(client, tenant, tier_id=base) == ["c2"]
    refused = await client.get(f"{LOYALTY}/customers", params={"tier_id": "nope"}, headers=headers)
    assert refused.status_code == 400 and refused.json()["details"].startswith("tier_id:")


async def test_other_accounts_customers_are_never_listed(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await register(client, tenant, "mine")
    await register(client, other_tenant, "theirs", email="theirs@shop.test", tags={"x": 1})
    assert await ids(client, tenant) == ["mine"]
    assert await ids(client, tenant, tag="x") == []


@pytest.mark.parametrize("limit", [0, 1001, "many"])
async def test_a_bad_limit_is_a_400_naming_it(client: httpx.AsyncClient, tenant: Tenant, limit: Any) -> None:
    response = await client.get(
        f"{LOYALTY}/customers", params={"limit": limit}, headers=await tenant.loyalty(client)
    )
    assert response.status_code == 400, response.text
    assert response.json()["details"].startswith("limit"), response.json()


async def test_a_public_token_cannot_list_customers(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(f"{LOYALTY}/customers", headers=await tenant.loyalty(client, public=True))
    assert response.status_code == 403
