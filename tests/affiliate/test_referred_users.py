from __future__ import annotations

import httpx

from perks.db.database import Database
from tests.support.affiliate import affiliate, campaign, create, program
from tests.support.outbox import events
from tests.support.tenants import AFFILIATE, Tenant


async def test_create_keeps_money_as_two_place_strings(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    first, person = await program(client, tenant)
    body = {
        "referredTo": "user@example.com",
        "affiliateId": person["id"],
        "workspaceId": tenant.workspace_id,
        "campaignId": first["id"],
        "amount": "50.00",
        "adminEarnedAmount": "5.00",
        "status": "pending",
        "payoutDate": None,
        "name": None,
        "remarks": "Manual commission for referral",
        "isSelfReferral": False,
    }
    response = await client.post(f"{AFFILIATE}/referred-users", headers=tenant.affiliate, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["message"] == "Referred user created successfully"
    data = response.json()["data"]
    assert {key: data[key] for key in body} == body
    assert data["invoiceId"] is None and data["stripeCustomerId"] is None
    [event] = await events(database, tenant, "referral.created")
    assert event.payload == data
    numbers = await create(
        client,
        tenant,
        "referred-users",
        {"referredTo": "n@example.com", "affiliateId": person["id"], "amount": 12.5},
    )
    assert numbers["amount"] == "12.50" and numbers["adminEarnedAmount"] == "0.00"
    assert numbers["campaignId"] == first["id"]


async def test_bad_money_and_email_are_400s(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    _, person = await program(client, tenant)
    before = len(await events(database, tenant))
    for field, value in (
        ("amount", "12.345"),
        ("amount", "-1"),
        ("adminEarnedAmount", "lots"),
        ("referredTo", "nobody"),
    ):
        body = {"referredTo": "ok@example.com", "affiliateId": person["id"], field: value}
        response = await client.post(f"{AFFILIATE}/referred-users", headers=tenant.affiliate, json=body)
        assert response.status_code == 400, (field, value)
        assert response.json()["message"].startswith(field)
    assert len(await events(database, tenant)) == before


async def test_get_update_by_email(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    await create(
        client, tenant, "referred-users", {"referredTo": "John@Example.com", "affiliateId": person["id"]}
    )
    got = await client.get(
        f"{AFFILIATE}/referred-users?referredUser=john@example.com", headers=tenant.affiliate
    )
    assert got.status_code == 200 and got.json()["message"] == "Referred user fetched successfully"
    body = {
        "name": "John Doe",
        "remarks": "Updated commission for referral",
        "isSelfReferral": True,
        "invoiceId": None,
    }
    updated = await client.put(
        f"{AFFILIATE}/referred-users?referredUser=john@example.com", headers=tenant.affiliate, json=body
    )
    assert updated.status_code == 200
    assert updated.json()["message"] == "Referred user updated successfully"
    data = updated.json()["data"]
    assert {key: data[key] for key in body} == body and data["referredTo"] == "John@Example.com"
    unknown = await client.get(
        f"{AFFILIATE}/referred-users?referredUser=none@example.com", headers=tenant.affiliate
    )
    assert unknown.json() == {"status": 404, "message": "Referred user not found"}
    missing = await client.get(f"{AFFILIATE}/referred-users", headers=tenant.affiliate)
    assert missing.status_code == 400 and missing.json()["message"].startswith("referredUser:")


async def test_update_can_move_to_another_affiliate(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    gated = await campaign(client, tenant, campaignName="second")
    other = await affiliate(client, tenant, "other@example.com", campaignId=gated["id"])
    await create(
        client, tenant, "referred-users", {"referredTo": "c@example.com", "affiliateId": person["id"]}
    )
    moved = await client.put(
        f"{AFFILIATE}/referred-users?referredUser=c@example.com",
        headers=tenant.affiliate,
        json={"affiliateId": other["id"]},
    )
    assert moved.json()["data"]["affiliateId"] == other["id"]
    assert moved.json()["data"]["campaignId"] == gated["id"]


async def test_email_is_referred_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    await create(
        client, tenant, "referred-users", {"referredTo": "once@example.com", "affiliateId": person["id"]}
    )
    again = await client.post(
        f"{AFFILIATE}/referred-users",
        headers=tenant.affiliate,
        json={"referredTo": "ONCE@example.com", "affiliateId": person["id"]},
    )
    assert again.status_code == 422


async def test_list_reads_filters_from_query_or_form_body(client: httpx.AsyncClient, tenant: Tenant) -> None:
    first, person = await program(client, tenant)
    second = await campaign(client, tenant, campaignName="second")
    other = await affiliate(client, tenant, "other@example.com", campaignId=second["id"])
    for index in range(3):
        await create(
            client,
            tenant,
            "referred-users",
            {"referredTo": f"a{index}@example.com", "affiliateId": person["id"]},
        )
    await create(
        client, tenant, "referred-users", {"referredTo": "b@example.com", "affiliateId": other["id"]}
    )
    url = f"{AFFILIATE}/referred-users/list"
    by_query = await client.get(
        f"{url}?campaignId={first['id']}&limit=2&orderType=createdAt&orderValue=ASC", headers=tenant.affiliate
    )
    assert by_query.json()["message"] == "Referred users fetched successfully"
    assert by_query.json()["data"]["pagination"] == {"page": 1, "limit": 2, "total": 3, "totalPages": 2}
    assert [item["referredTo"] for item in by_query.json()["data"]["items"]] == [
        "a0@example.com",
        "a1@example.com",
    ]
    multipart = await client.request(
        "GET",
        url,
        headers=tenant.affiliate,
        files={"page": (None, "1"), "limit": (None, "50"), "campaignId": (None, second["id"])},
    )
    assert multipart.status_code == 200, multipart.text
    assert [item["referredTo"] for item in multipart.json()["data"]["items"]] == ["b@example.com"]
    assert multipart.json()["data"]["pagination"]["limit"] == 50
    urlencoded = await client.request(
        "GET", url, headers=tenant.affiliate, data={"affiliateId": person["id"], "page": "2", "limit": "2"}
    )
    assert urlencoded.json()["data"]["pagination"] == {"page": 2, "limit": 2, "total": 3, "totalPages": 2}
    bad = await client.request("GET", url, headers=tenant.affiliate, files={"limit": (None, "500")})
    assert bad.status_code == 400 and bad.json()["message"].startswith("limit:")
    bad_sort = await client.get(f"{url}?orderType=secret", headers=tenant.affiliate)
    assert bad_sort.status_code == 400 and bad_sort.json()["message"].startswith("orderType:")


async def test_delete_removes_its_commissions(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    await create(
        client, tenant, "referred-users", {"referredTo": "john@example.com", "affiliateId": person["id"]}
    )
    doomed = await create(
        client,
        tenant,
        "commissions",
        {"affiliateId": person["id"], "referredUser": "JOHN@example.com", "amount": 5},
    )
    kept = await create(
        client,
        tenant,
        "commissions",
        {"affiliateId": person["id"], "referredUser": "kim@example.com", "amount": 5},
    )
    response = await client.delete(
        f"{AFFILIATE}/referred-users?referredUser=john@example.com", headers=tenant.affiliate
    )
    assert response.json() == {"status": 200, "message": "Referred user deleted successfully"}
    assert (
        await client.get(f"{AFFILIATE}/commissions?commissionId={doomed['id']}", headers=tenant.affiliate)
    ).status_code == 404
    assert (
        await client.get(f"{AFFILIATE}/commissions?commissionId={kept['id']}", headers=tenant.affiliate)
    ).status_code == 200
    assert (
        await client.get(
            f"{AFFILIATE}/referred-users?referredUser=john@example.com", headers=tenant.affiliate
        )
    ).status_code == 404


async def test_another_account_cannot_see_referred_users(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    _, person = await program(client, tenant)
    await create(
        client, tenant, "referred-users", {"referredTo": "private@example.com", "affiliateId": person["id"]}
    )
    url = f"{AFFILIATE}/referred-users?referredUser=private@example.com"
    assert (await client.get(url, headers=other_tenant.affiliate)).status_code == 404
    assert (await client.put(url, headers=other_tenant.affiliate, json={"name": "x"})).status_code == 404
    assert (await client.delete(url, headers=other_tenant.affiliate)).status_code == 404
    listing = await client.get(f"{AFFILIATE}/referred-users/list", headers=other_tenant.affiliate)
    assert listing.json()["data"]["items"] == []
    # The same email is free in another account, so nothing leaks through a uniqueness error either.
    _, theirs = await program(client, other_tenant)
    await create(
        client,
        other_tenant,
        "referred-users",
        {"referredTo": "private@example.com", "affiliateId": theirs["id"]},
    )
    foreign = await client.post(
        f"{AFFILIATE}/referred-users",
        headers=other_tenant.affiliate,
        json={"referredTo": "z@example.com", "affiliateId": person["id"]},
    )
    assert foreign.status_code == 404
    assert (await client.get(url, headers=tenant.affiliate)).json()["data"]["affiliateId"] == person["id"]


async def test_changing_to_a_referred_email_is_a_422(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    for email in ("a@example.com", "b@example.com"):
        await create(client, tenant, "referred-users", {"referredTo": email, "affiliateId": person["id"]})
    response = await client.put(
        f"{AFFILIATE}/referred-users?referredUser=a@example.com",
        headers=tenant.affiliate,
        json={"referredTo": "B@example.com"},
    )
    assert response.status_code == 422
    assert (
        await client.get(f"{AFFILIATE}/referred-users?referredUser=a@example.com", headers=tenant.affiliate)
    ).status_code == 200
