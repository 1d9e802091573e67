from __future__ import annotations

import httpx
from sqlalchemy import func, select

from perks.affiliate.commissions.models import Commission
from perks.affiliate.links.models import AffiliateLink
from perks.affiliate.referred_users.models import ReferredUser
from perks.db.database import Database
from tests.support.affiliate import affiliate, campaign, create, program
from tests.support.outbox import events
from tests.support.tenants import AFFILIATE, Tenant


async def test_create_joins_the_default_campaign(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    default = await campaign(client, tenant)
    body = {
        "email": "jane.doe@example.com",
        "firstName": "Jane",
        "lastName": "Doe",
        "notes": "Affiliate onboarded via admin panel",
        "workspaceId": tenant.workspace_id,
        "payoutEmail": "jane.payout@example.com",
        "payoutMethod": "PAYPAL",
    }
    response = await client.post(f"{AFFILIATE}/affiliates", headers=tenant.affiliate, json=body)
    assert response.status_code == 201, response.text
    envelope = response.json()
    assert envelope["status"] == 201 and envelope["message"] == "Affiliate created successfully"
    data = envelope["data"]
    assert data["campaignId"] == default["id"] and data["status"] == "active"
    assert {key: data[key] for key in body} == body
    [event] = await events(database, tenant, "affiliate.created")
    assert event.payload == data


async def test_approval_campaigns_make_pending_affiliates(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await campaign(client, tenant)
    gated = await campaign(client, tenant, requiresApprovalToJoin=True)
    pending = await affiliate(client, tenant, campaignId=gated["id"])
    assert pending["status"] == "pending"
    url = f"{AFFILIATE}/affiliates?affiliateId={pending['id']}"
    approved = await client.put(url, headers=tenant.affiliate, json={"isActive": True})
    assert approved.json()["data"]["status"] == "active"
    paused = await client.put(url, headers=tenant.affiliate, json={"isActive": False})
    assert paused.json()["data"]["status"] == "inactive"


async def test_no_default_campaign_is_a_422(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    response = await client.post(
        f"{AFFILIATE}/affiliates",
        headers=tenant.affiliate,
        json={"email": "a@b.co", "firstName": "A", "lastName": "B"},
    )
    assert response.status_code == 422
    assert await events(database, tenant) == []


async def test_email_is_unique_per_workspace_case_insensitively(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    await program(client, tenant)
    again = await client.post(
        f"{AFFILIATE}/affiliates",
        headers=tenant.affiliate,
        json={"email": "JANE@example.com", "firstName": "J", "lastName": "D"},
    )
    assert again.status_code == 422
    assert again.json() == {
        "status": 422,
        "message": "An affiliate with this email already exists in this workspace",
    }
    assert len(await events(database, tenant, "affiliate.created")) == 1
    other = (
        await client.post(f"{AFFILIATE}/workspaces", headers=tenant.affiliate, json={"name": "EU"})
    ).json()
    await campaign(client, tenant, workspaceId=other["data"]["id"])
    elsewhere = await affiliate(client, tenant, workspaceId=other["data"]["id"])
    assert elsewhere["workspaceId"] == other["data"]["id"]


async def test_update_is_partial(client: httpx.AsyncClient, tenant: Tenant, database: Database) -> None:
    _, person = await program(client, tenant)
    body = {
        "firstName": "Jane",
        "lastName": "Updated",
        "notes": "Updated payout method and campaign",
        "payoutEmail": "jane.updated.payout@example.com",
        "payoutMethod": "wise",
        "isActive": True,
    }
    response = await client.put(
        f"{AFFILIATE}/affiliates?affiliateId={person['id']}", headers=tenant.affiliate, json=body
    )
    assert response.status_code == 200
    assert response.json()["message"] == "Affiliate updated successfully"
    data = response.json()["data"]
    assert (
        data["lastName"] == "Updated" and data["payoutMethod"] == "WISE" and data["email"] == person["email"]
    )
    [event] = await events(database, tenant, "affiliate.updated")
    assert event.payload == data
    bad = await client.put(
        f"{AFFILIATE}/affiliates?affiliateId={person['id']}",
        headers=tenant.affiliate,
        json={"payoutMethod": "BANK"},
    )
    assert bad.status_code == 400 and bad.json()["message"].startswith("payoutMethod:")


async def test_list_searches_pages_and_sorts(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await campaign(client, tenant)
    for email, first, last in (
        ("john@example.com", "John", "Doe"),
        ("amy@shop.io", "Amy", "Johnson"),
        ("bo@x.io", "Bo", "Lee"),
    ):
        await affiliate(client, tenant, email, firstName=first, lastName=last)
    found = await client.get(
        f"{AFFILIATE}/affiliates/list?contains=JOHN&orderType=email&orderValue=ASC", headers=tenant.affiliate
    )
    body = found.json()
    assert body["message"] == "Affiliates fetched successfully"
    assert [item["email"] for item in body["data"]["items"]] == ["amy@shop.io", "john@example.com"]
    assert body["data"]["pagination"] == {"page": 1, "limit": 25, "total": 2, "totalPages": 1}
    wildcard = await client.get(f"{AFFILIATE}/affiliates/list?contains=%25", headers=tenant.affiliate)
    assert wildcard.json()["data"]["items"] == []
    page = await client.get(
        f"{AFFILIATE}/affiliates/list?limit=2&page=2&orderType=createdAt&orderValue=ASC",
        headers=tenant.affiliate,
    )
    assert [item["email"] for item in page.json()["data"]["items"]] == ["bo@x.io"]


async def test_delete_cascades_in_one_go(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    first, person = await program(client, tenant)
    keeper = await affiliate(client, tenant, "keeper@example.com")
    for owner, code in ((person, "janecode"), (keeper, "keepcode")):
        await create(client, tenant, "links", {"affiliateId": owner["id"], "referralCode": code})
        await create(
            client,
            tenant,
            "referred-users",
            {"referredTo": f"{code}@customer.io", "affiliateId": owner["id"]},
        )
        await create(
            client,
            tenant,
            "commissions",
            {"affiliateId": owner["id"], "referredUser": f"{code}@customer.io", "amount": 5},
        )
    response = await client.delete(
        f"{AFFILIATE}/affiliates?affiliateId={person['id']}", headers=tenant.affiliate
    )
    assert response.status_code == 200
    assert response.json() == {"status": 200, "message": "Affiliate deleted successfully"}
    async with database.transaction(read_only=True) as session:
        for model in (AffiliateLink, ReferredUser, Commission):
            counts = dict(
                (
                    await session.execute(
                        select(model.affiliate_id, func.count())
                        .where(model.account_id == tenant.account_id)
                        .group_by(model.affiliate_id)
                    )
                ).all()
            )
            assert counts == {keeper["id"]: 1}, model
    [event] = await events(database, tenant, "affiliate.deleted")
    assert event.payload == {"id": person["id"]}
    gone = await client.get(f"{AFFILIATE}/affiliates?affiliateId={person['id']}", headers=tenant.affiliate)
    assert gone.status_code == 404 and gone.json() == {"status": 404, "message": "Affiliate not found"}
    # The campaign is empty again only once its last affiliate is gone.
    assert (
        await client.delete(f"{AFFILIATE}/campaigns?campaignId={first['id']}", headers=tenant.affiliate)
    ).status_code == 422


async def test_delete_takes_the_id_from_a_json_body(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    response = await client.request(
        "DELETE", f"{AFFILIATE}/affiliates", headers=tenant.affiliate, json={"affiliateId": person["id"]}
    )
    assert response.status_code == 200
    missing = await client.delete(f"{AFFILIATE}/affiliates", headers=tenant.affiliate)
    assert missing.status_code == 400 and missing.json()["message"].startswith("affiliateId:")


async def test_another_account_cannot_touch_affiliates(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, database: Database
) -> None:
    first, person = await program(client, tenant)
    url = f"{AFFILIATE}/affiliates?affiliateId={person['id']}"
    assert (await client.get(url, headers=other_tenant.affiliate)).status_code == 404
    assert (await client.put(url, headers=other_tenant.affiliate, json={"firstName": "X"})).status_code == 404
    assert (await client.delete(url, headers=other_tenant.affiliate)).status_code == 404
    joined = await client.post(
        f"{AFFILIATE}/affiliates",
        headers=other_tenant.affiliate,
        json={"email": "spy@example.com", "firstName": "S", "lastName": "P", "campaignId": first["id"]},
    )
    assert joined.status_code == 404
    listing = await client.get(f"{AFFILIATE}/affiliates/list?contains=jane", headers=other_tenant.affiliate)
    assert listing.json()["data"]["items"] == []
    assert await events(database, other_tenant) == []
    mine = await client.get(url, headers=tenant.affiliate)
    assert mine.json()["data"]["firstName"] == "Jane"


async def test_changing_to_a_taken_email_is_a_422(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    _, person = await program(client, tenant)
    await affiliate(client, tenant, "taken@example.com")
    url = f"{AFFILIATE}/affiliates?affiliateId={person['id']}"
    response = await client.put(url, headers=tenant.affiliate, json={"email": "Taken@Example.com"})
    assert response.status_code == 422
    assert await events(database, tenant, "affiliate.updated") == []
    assert (await client.get(url, headers=tenant.affiliate)).json()["data"]["email"] == "jane@example.com"


async def test_status_filter_and_public_keys(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    await affiliate(client, tenant, "other@example.com")
    await client.put(
        f"{AFFILIATE}/affiliates?affiliateId={person['id']}",
        headers=tenant.affiliate,
        json={"isActive": False},
    )
    inactive = await client.get(f"{AFFILIATE}/affiliates/list?status=inactive", headers=tenant.affiliate)
    assert [item["id"] for item in inactive.json()["data"]["items"]] == [person["id"]]
    public = await client.get(f"{AFFILIATE}/affiliates/list", headers=tenant.affiliate_public)
    assert public.status_code == 403
