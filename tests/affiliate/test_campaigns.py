from __future__ import annotations

import httpx

from tests.support.affiliate import affiliate, campaign
from tests.support.tenants import AFFILIATE, Tenant

SEED_BODY = {
    "campaignName": "Summer 2025 Promotion",
    "commissionType": "percentage",
    "amount": 15.5,
    "minimumPayoutAmount": 50.00,
    "url": "https://example.com",
    "requiresApprovalToJoin": False,
    "collectAdditionalInfo": True,
    "hideCustomerEmail": True,
    "payoutTerm": 30,
    "affiliatePortalWelcomeMessage": "Welcome to our affiliate program!",
    "affiliateDashboardText": "Track your referrals and earnings here.",
    "stripeCouponId": "",
    "allowedUrlParameters": ["ref", "via", "aff"],
    "isDefault": False,
}


async def test_create_returns_the_documented_object(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = SEED_BODY | {"workspaceId": tenant.workspace_id}
    response = await client.post(f"{AFFILIATE}/campaigns", headers=tenant.affiliate, json=body)
    assert response.status_code == 201, response.text
    envelope = response.json()
    assert envelope["status"] == 201 and envelope["message"] == "Campaign created successfully"
    data = envelope["data"]
    assert data["amount"] == 15.5 and data["minimumPayoutAmount"] == 50
    assert isinstance(data["minimumPayoutAmount"], int)
    assert data["workspaceId"] == tenant.workspace_id
    assert data["cookieDurationDays"] == 60
    assert len(data["payoutId"]) == 36 and data["createdAt"].endswith("Z") and len(data["createdAt"]) == 24
    # The workspace's first campaign becomes its default even though isDefault was false.
    assert data["isDefault"] is True
    for key, value in SEED_BODY.items():
        if key not in ("isDefault",):
            assert data[key] == value, key


async def test_defaults_and_required_fields(client: httpx.AsyncClient, tenant: Tenant) -> None:
    data = await campaign(client, tenant)
    assert data["allowedUrlParameters"] == ["ref", "via", "aff"]
    assert data["minimumPayoutAmount"] == 0 and data["payoutTerm"] == 30
    missing = await client.post(
        f"{AFFILIATE}/campaigns", headers=tenant.affiliate, json={"campaignName": "x"}
    )
    assert missing.status_code == 400
    assert missing.json()["message"].startswith("commissionType: Field required")


async def test_validation_is_400_naming_the_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    base: dict[str, object] = {
        "campaignName": "c",
        "commissionType": "percentage",
        "amount": 10,
        "url": "https://x.example",
    }
    cases: dict[str, dict[str, object]] = {
        "amount": {"amount": 100.5},
        "commissionType": {"commissionType": "tiered"},
        "url": {"url": "not a url"},
        "allowedUrlParameters": {"allowedUrlParameters": ["ok", "not safe"]},
        "minimumPayoutAmount": {"minimumPayoutAmount": -1},
        "payoutTerm": {"payoutTerm": "soon"},
    }
    for field, change in cases.items():
        response = await client.post(f"{AFFILIATE}/campaigns", headers=tenant.affiliate, json=base | change)
        assert response.status_code == 400, (field, response.text)
        assert response.json()["message"].startswith(field), response.json()
    fixed = await client.post(
        f"{AFFILIATE}/campaigns",
        headers=tenant.affiliate,
        json=base | {"commissionType": "fixed", "amount": 150},
    )
    assert fixed.status_code == 201
    assert fixed.json()["data"]["amount"] == 150


async def test_one_default_per_workspace(client: httpx.AsyncClient, tenant: Tenant) -> None:
    first = await campaign(client, tenant, campaignName="first")
    second = await campaign(client, tenant, campaignName="second", isDefault=True)
    third = await campaign(client, tenant, campaignName="third")
    listing = await client.get(
        f"{AFFILIATE}/campaigns/list?orderType=campaignName&orderValue=ASC", headers=tenant.affiliate
    )
    defaults = {item["campaignName"]: item["isDefault"] for item in listing.json()["data"]["items"]}
    assert defaults == {"first": False, "second": True, "third": False}
    switched = await client.put(
        f"{AFFILIATE}/campaigns?campaignId={third['id']}", headers=tenant.affiliate, json={"isDefault": True}
    )
    assert switched.status_code == 200 and switched.json()["data"]["isDefault"] is True
    for other in (first, second):
        got = await client.get(f"{AFFILIATE}/campaigns?campaignId={other['id']}", headers=tenant.affiliate)
        assert got.json()["data"]["isDefault"] is False


async def test_defaults_are_per_workspace(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await campaign(client, tenant)
    workspace = await client.post(f"{AFFILIATE}/workspaces", headers=tenant.affiliate, json={"name": "EU"})
    eu = workspace.json()["data"]["id"]
    eu_campaign = await campaign(client, tenant, workspaceId=eu)
    assert eu_campaign["isDefault"] is True
    listing = await client.get(f"{AFFILIATE}/campaigns/list?workspaceId={eu}", headers=tenant.affiliate)
    assert [item["id"] for item in listing.json()["data"]["items"]] == [eu_campaign["id"]]


async def test_update_is_partial_and_keeps_commission_type(client: httpx.AsyncClient, tenant: Tenant) -> None:
    data = await campaign(client, tenant)
    url = f"{AFFILIATE}/campaigns?campaignId={data['id']}"
    response = await client.put(
        url, headers=tenant.affiliate, json={"campaignName": "Summer 2025", "minimumPayoutAmount": 20}
    )
    assert response.status_code == 200
    assert response.json()["message"] == "Campaign updated successfully"
    updated = response.json()["data"]
    assert updated["campaignName"] == "Summer 2025" and updated["minimumPayoutAmount"] == 20
    assert updated["amount"] == 15 and updated["url"] == "https://shop.example"
    same_type = await client.put(url, headers=tenant.affiliate, json={"commissionType": "percentage"})
    assert same_type.status_code == 200
    changed = await client.put(url, headers=tenant.affiliate, json={"commissionType": "fixed", "amount": 500})
    assert changed.status_code == 422
    assert changed.json() == {
        "status": 422,
        "message": "commissionType cannot be changed after the campaign is created",
    }
    assert (await client.get(url, headers=tenant.affiliate)).json()["data"]["amount"] == 15
    too_much = await client.put(url, headers=tenant.affiliate, json={"amount": 101})
    assert too_much.status_code == 400 and too_much.json()["message"].startswith("amount:")
    null = await client.put(url, headers=tenant.affiliate, json={"campaignName": None})
    assert null.status_code == 400 and null.json()["message"] == "campaignName: may not be null"


async def test_missing_or_bad_campaign_id(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for query in ("", "?campaignId", "?campaignId=", "?campaignId=nope"):
        response = await client.put(f"{AFFILIATE}/campaigns{query}", headers=tenant.affiliate, json={})
        assert response.status_code == 400, query
        assert response.json()["message"].startswith("campaignId:")
    unknown = await client.get(
        f"{AFFILIATE}/campaigns?campaignId=3f6a9c1e-8b44-4c6e-9d4f-2e6b8f4a1c92", headers=tenant.affiliate
    )
    assert unknown.status_code == 404
    assert unknown.json() == {"status": 404, "message": "Campaign not found"}


async def test_delete_only_when_empty(client: httpx.AsyncClient, tenant: Tenant) -> None:
    used = await campaign(client, tenant)
    await affiliate(client, tenant, campaignId=used["id"])
    refused = await client.delete(f"{AFFILIATE}/campaigns?campaignId={used['id']}", headers=tenant.affiliate)
    assert refused.status_code == 422
    assert (
        await client.get(f"{AFFILIATE}/campaigns?campaignId={used['id']}", headers=tenant.affiliate)
    ).status_code == 200
    empty = await campaign(client, tenant, campaignName="empty")
    deleted = await client.delete(f"{AFFILIATE}/campaigns?campaignId={empty['id']}", headers=tenant.affiliate)
    assert deleted.status_code == 200
    assert deleted.json() == {"status": 200, "message": "Campaign deleted successfully"}
    gone = await client.get(f"{AFFILIATE}/campaigns?campaignId={empty['id']}", headers=tenant.affiliate)
    assert gone.status_code == 404


async def test_list_pages_and_sorts(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for name in ("b", "a", "c"):
        await campaign(client, tenant, campaignName=name)
    page = await client.get(
        f"{AFFILIATE}/campaigns/list?page=2&limit=2&orderType=campaignName&orderValue=DESC",
        headers=tenant.affiliate,
    )
    body = page.json()
    assert body["message"] == "Campaigns fetched successfully"
    assert body["data"]["pagination"] == {"page": 2, "limit": 2, "total": 3, "totalPages": 2}
    assert [item["campaignName"] for item in body["data"]["items"]] == ["a"]
    bad = await client.get(f"{AFFILIATE}/campaigns/list?orderType=payoutId", headers=tenant.affiliate)
    assert bad.status_code == 400 and bad.json()["message"].startswith("orderType:")
    capped = await client.get(f"{AFFILIATE}/campaigns/list?limit=101", headers=tenant.affiliate)
    assert capped.status_code == 400


async def test_another_account_sees_nothing(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    data = await campaign(client, tenant)
    url = f"{AFFILIATE}/campaigns?campaignId={data['id']}"
    assert (await client.get(url, headers=other_tenant.affiliate)).status_code == 404
    assert (
        await client.put(url, headers=other_tenant.affiliate, json={"campaignName": "x"})
    ).status_code == 404
    assert (await client.delete(url, headers=other_tenant.affiliate)).status_code == 404
    listing = await client.get(f"{AFFILIATE}/campaigns/list", headers=other_tenant.affiliate)
    assert listing.json()["data"]["items"] == []
    foreign_workspace = await client.post(
        f"{AFFILIATE}/campaigns",
        headers=other_tenant.affiliate,
        json={
            "campaignName": "x",
            "commissionType": "fixed",
            "amount": 1,
            "url": "https://a.example",
            "workspaceId": tenant.workspace_id,
        },
    )
    assert foreign_workspace.status_code == 404
    mine = await client.get(url, headers=tenant.affiliate)
    assert mine.json()["data"]["campaignName"] == "Launch"


async def test_a_campaign_stays_in_its_workspace(client: httpx.AsyncClient, tenant: Tenant) -> None:
    data = await campaign(client, tenant)
    other = (
        await client.post(f"{AFFILIATE}/workspaces", headers=tenant.affiliate, json={"name": "EU"})
    ).json()["data"]
    url = f"{AFFILIATE}/campaigns?campaignId={data['id']}"
    moved = await client.put(url, headers=tenant.affiliate, json={"workspaceId": other["id"]})
    assert moved.status_code == 422
    same = await client.put(
        url, headers=tenant.affiliate, json={"workspaceId": tenant.workspace_id, "payoutTerm": 45}
    )
    assert same.status_code == 200 and same.json()["data"]["payoutTerm"] == 45
