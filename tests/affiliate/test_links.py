from __future__ import annotations

import httpx

from tests.support.affiliate import affiliate, campaign, create, program
from tests.support.tenants import AFFILIATE, Tenant


async def test_create_builds_the_tracking_url(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    body = {"affiliateId": person["id"], "referralCode": "sand", "urlParameter": "via"}
    response = await client.post(f"{AFFILIATE}/links", headers=tenant.affiliate, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["message"] == "Affiliate link created successfully"
    link = response.json()["data"]
    assert link["url"] == "https://shop.example?via=sand"
    assert {key: link[key] for key in body} == body
    listing = await client.get(f"{AFFILIATE}/links?affiliateId={person['id']}", headers=tenant.affiliate)
    assert listing.json()["message"] == "Links fetched successfully"
    assert listing.json()["data"]["items"] == [link]
    assert listing.json()["data"]["pagination"]["total"] == 1


async def test_existing_query_is_kept(client: httpx.AsyncClient, tenant: Tenant) -> None:
    shop = await campaign(client, tenant, url="https://shop.example/landing?utm=x&via=old")
    person = await affiliate(client, tenant, campaignId=shop["id"])
    link = await create(
        client, tenant, "links", {"affiliateId": person["id"], "referralCode": "c0de", "urlParameter": "via"}
    )
    assert link["url"] == "https://shop.example/landing?utm=x&via=c0de"


async def test_code_is_generated_when_omitted(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    first = await create(client, tenant, "links", {"affiliateId": person["id"]})
    second = await create(client, tenant, "links", {"affiliateId": person["id"]})
    assert first["referralCode"] != second["referralCode"]
    assert len(first["referralCode"]) == 8 and first["urlParameter"] == "ref"
    assert first["url"] == f"https://shop.example?ref={first['referralCode']}"


async def test_codes_are_unique_case_insensitively(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    await create(client, tenant, "links", {"affiliateId": person["id"], "referralCode": "Sand"})
    taken = await client.post(
        f"{AFFILIATE}/links",
        headers=tenant.affiliate,
        json={"affiliateId": person["id"], "referralCode": "sAND"},
    )
    assert taken.status_code == 422
    assert taken.json()["message"].startswith("referralCode:")


async def test_url_parameter_must_be_allowed(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    response = await client.post(
        f"{AFFILIATE}/links",
        headers=tenant.affiliate,
        json={"affiliateId": person["id"], "urlParameter": "partner"},
    )
    assert response.status_code == 422
    assert response.json()["message"].startswith("urlParameter:")
    unsafe = await client.post(
        f"{AFFILIATE}/links",
        headers=tenant.affiliate,
        json={"affiliateId": person["id"], "referralCode": "a b"},
    )
    assert unsafe.status_code == 400 and unsafe.json()["message"].startswith("referralCode:")


async def test_delete(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    link = await create(client, tenant, "links", {"affiliateId": person["id"], "referralCode": "gone"})
    response = await client.delete(
        f"{AFFILIATE}/links?affiliateLinkId={link['id']}", headers=tenant.affiliate
    )
    assert response.json() == {"status": 200, "message": "Affiliate link deleted successfully"}
    again = await client.delete(f"{AFFILIATE}/links?affiliateLinkId={link['id']}", headers=tenant.affiliate)
    assert again.status_code == 404
    # The code is free again.
    await create(client, tenant, "links", {"affiliateId": person["id"], "referralCode": "GONE"})


async def test_unknown_affiliate_and_other_accounts(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    _, person = await program(client, tenant)
    link = await create(client, tenant, "links", {"affiliateId": person["id"], "referralCode": "mine"})
    assert (
        await client.get(f"{AFFILIATE}/links?affiliateId={person['id']}", headers=other_tenant.affiliate)
    ).status_code == 404
    stolen = await client.post(
        f"{AFFILIATE}/links",
        headers=other_tenant.affiliate,
        json={"affiliateId": person["id"], "referralCode": "x"},
    )
    assert stolen.status_code == 404
    removed = await client.delete(
        f"{AFFILIATE}/links?affiliateLinkId={link['id']}", headers=other_tenant.affiliate
    )
    assert removed.status_code == 404
    still = await client.get(f"{AFFILIATE}/links?affiliateId={person['id']}", headers=tenant.affiliate)
    assert [item["id"] for item in still.json()["data"]["items"]] == [link["id"]]
    missing = await client.get(f"{AFFILIATE}/links", headers=tenant.affiliate)
    assert missing.status_code == 400 and missing.json()["message"].startswith("affiliateId:")
