from __future__ import annotations

from typing import Any

import httpx
import pytest

from perks.db.database import Database
from tests.support.affiliate import affiliate, campaign, create, program
from tests.support.outbox import events
from tests.support.tenants import AFFILIATE, Tenant


async def commission(
    client: httpx.AsyncClient, tenant: Tenant, person: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    body = {"affiliateId": person["id"], "referredUser": "user@example.com", "amount": 50.00}
    return await create(client, tenant, "commissions", body | fields)


async def put(
    client: httpx.AsyncClient, tenant: Tenant, item: dict[str, Any], body: dict[str, Any]
) -> httpx.Response:
    return await client.put(
        f"{AFFILIATE}/commissions?commissionId={item['id']}", headers=tenant.affiliate, json=body
    )


async def test_create(client: httpx.AsyncClient, tenant: Tenant, database: Database) -> None:
    first, person = await program(client, tenant)
    body = {
        "campaignId": first["id"],
        "affiliateId": person["id"],
        "referredUser": "user@example.com",
        "amount": 50.00,
        "adminEarnedAmount": 5,
        "status": "pending",
        "commissionDate": "2025-01-15T10:30:00.000Z",
        "remarks": "First order",
    }
    response = await client.post(f"{AFFILIATE}/commissions", headers=tenant.affiliate, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["message"] == "Commission created successfully"
    data = response.json()["data"]
    assert data["amount"] == "50.00" and data["adminEarnedAmount"] == "5.00"
    assert data["commissionDate"] == "2025-01-15T10:30:00.000Z" and data["payoutDate"] is None
    assert data["workspaceId"] == tenant.workspace_id and data["status"] == "pending"
    [event] = await events(database, tenant, "commission.created")
    assert event.payload == data
    got = await client.get(f"{AFFILIATE}/commissions?commissionId={data['id']}", headers=tenant.affiliate)
    assert got.json() == {"status": 200, "message": "Commission fetched successfully", "data": data}


@pytest.mark.parametrize(
    ("path", "final"),
    [
        (["processing", "paid"], "paid"),
        (["refunded"], "refunded"),
        (["processing", "refunded"], "refunded"),
    ],
)
async def test_allowed_status_moves(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, path: list[str], final: str
) -> None:
    _, person = await program(client, tenant)
    item = await commission(client, tenant, person)
    for status in path:
        response = await put(client, tenant, item, {"status": status})
        assert response.status_code == 200, response.text
        assert response.json()["message"] == "Commission updated successfully"
        assert response.json()["data"]["status"] == status
    assert len(await events(database, tenant, "commission.updated")) == len(path)
    refunds = await events(database, tenant, "commission.refunded")
    assert [event.payload["status"] for event in refunds] == (["refunded"] if final == "refunded" else [])


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "paid"),
        (["processing"], "pending"),
        (["processing", "paid"], "refunded"),
        (["processing", "paid"], "processing"),
        (["refunded"], "pending"),
        (["refunded"], "paid"),
    ],
)
async def test_other_status_moves_are_422s(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, path: list[str], refused: str
) -> None:
    _, person = await program(client, tenant)
    item = await commission(client, tenant, person)
    for status in path:
        assert (await put(client, tenant, item, {"status": status})).status_code == 200
    before = len(await events(database, tenant))
    response = await put(client, tenant, item, {"status": refused, "remarks": "should not stick"})
    assert response.status_code == 422
    assert (
        response.json()["message"]
        == f"Commission status cannot change from {path[-1] if path else 'pending'} to {refused}"
    )
    assert len(await events(database, tenant)) == before
    current = await client.get(f"{AFFILIATE}/commissions?commissionId={item['id']}", headers=tenant.affiliate)
    assert current.json()["data"]["remarks"] is None


async def test_a_paid_amount_is_final(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    item = await commission(client, tenant, person)
    changed = await put(client, tenant, item, {"amount": "60.25"})
    assert changed.json()["data"]["amount"] == "60.25"
    await put(client, tenant, item, {"status": "processing"})
    await put(client, tenant, item, {"status": "paid"})
    refused = await put(client, tenant, item, {"amount": 70})
    assert refused.status_code == 422
    assert refused.json() == {"status": 422, "message": "The amount of a paid commission cannot change"}
    same = await put(client, tenant, item, {"amount": 60.25, "remarks": "settled", "status": "paid"})
    assert same.status_code == 200 and same.json()["data"]["remarks"] == "settled"


async def test_paying_with_a_new_amount_is_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    item = await commission(client, tenant, person, status="processing")
    response = await put(client, tenant, item, {"status": "paid", "amount": 1})
    assert response.status_code == 422
    assert (await put(client, tenant, item, {"status": "paid"})).json()["data"]["amount"] == "50.00"


async def test_delete_at_both_spellings(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, person = await program(client, tenant)
    for path in ("comissions", "commissions"):
        item = await commission(client, tenant, person)
        response = await client.delete(
            f"{AFFILIATE}/{path}?commissionId={item['id']}", headers=tenant.affiliate
        )
        assert response.json() == {"status": 200, "message": "Commission deleted successfully"}
        again = await client.delete(f"{AFFILIATE}/{path}?commissionId={item['id']}", headers=tenant.affiliate)
        assert again.status_code == 404 and again.json() == {"status": 404, "message": "Commission not found"}


async def test_list_filters(client: httpx.AsyncClient, tenant: Tenant) -> None:
    first, person = await program(client, tenant)
    second = await campaign(client, tenant, campaignName="second")
    other = await affiliate(client, tenant, "other@example.com", campaignId=second["id"])
    small = await commission(client, tenant, person, amount=5)
    big = await commission(client, tenant, person, amount=500, status="processing")
    theirs = await commission(client, tenant, other, amount=50)
    url = f"{AFFILIATE}/commissions/list"

    async def ids(query: str) -> list[str]:
        response = await client.get(f"{url}?{query}", headers=tenant.affiliate)
        assert response.status_code == 200, response.text
        assert response.json()["message"] == "Commissions fetched successfully"
        return [item["id"] for item in response.json()["data"]["items"]]

    assert await ids("orderType=amount&orderValue=DESC") == [big["id"], theirs["id"], small["id"]]
    assert await ids(f"campaignId={first['id']}&orderType=amount&orderValue=ASC") == [small["id"], big["id"]]
    assert await ids(f"affiliateId={other['id']}") == [theirs["id"]]
    assert await ids("status=processing") == [big["id"]]
    bad = await client.get(f"{url}?status=lost", headers=tenant.affiliate)
    assert bad.status_code == 400 and bad.json()["message"].startswith("status:")


async def test_validation(client: httpx.AsyncClient, tenant: Tenant, database: Database) -> None:
    _, person = await program(client, tenant)
    before = len(await events(database, tenant))
    cases = {
        "amount": {"amount": "1.001"},
        "referredUser": {"referredUser": "not-an-email"},
        "status": {"status": "void"},
        "commissionDate": {"commissionDate": "yesterday"},
    }
    for field, change in cases.items():
        body = {"affiliateId": person["id"], "referredUser": "u@example.com", "amount": 1} | change
        response = await client.post(f"{AFFILIATE}/commissions", headers=tenant.affiliate, json=body)
        assert response.status_code == 400, field
        assert response.json()["message"].startswith(field)
    unknown = await client.post(
        f"{AFFILIATE}/commissions",
        headers=tenant.affiliate,
        json={
            "affiliateId": "d3a1153d-cb87-4644-8429-7ecf1a7c3257",
            "referredUser": "u@example.com",
            "amount": 1,
        },
    )
    assert unknown.status_code == 404
    assert len(await events(database, tenant)) == before


async def test_another_account_cannot_touch_commissions(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, database: Database
) -> None:
    _, person = await program(client, tenant)
    item = await commission(client, tenant, person)
    url = f"{AFFILIATE}/commissions?commissionId={item['id']}"
    assert (await client.get(url, headers=other_tenant.affiliate)).status_code == 404
    assert (
        await client.put(url, headers=other_tenant.affiliate, json={"status": "refunded"})
    ).status_code == 404
    assert (await client.delete(url, headers=other_tenant.affiliate)).status_code == 404
    listing = await client.get(f"{AFFILIATE}/commissions/list", headers=other_tenant.affiliate)
    assert listing.json()["data"]["items"] == []
    assert await events(database, other_tenant) == []
    assert (await client.get(url, headers=tenant.affiliate)).json()["data"]["status"] == "pending"
