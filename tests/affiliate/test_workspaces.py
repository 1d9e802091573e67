from __future__ import annotations

import httpx

from tests.support.tenants import AFFILIATE, Tenant

INVALID_KEY = {"status": 401, "message": "Invalid API key. Please check your API key and try again."}


async def test_list_shows_the_default_workspace_in_the_affiliate_envelope(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get(f"{AFFILIATE}/workspaces/list", headers=tenant.affiliate)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 200
    assert body["message"] == "Workspaces fetched successfully"
    assert body["data"]["pagination"] == {"page": 1, "limit": 25, "total": 1, "totalPages": 1}
    [workspace] = body["data"]["items"]
    assert workspace["id"] == tenant.workspace_id
    assert workspace["isDefault"] is True
    assert workspace["createdAt"].endswith("Z") and len(workspace["createdAt"]) == 24


async def test_create_and_switch_default(client: httpx.AsyncClient, tenant: Tenant) -> None:
    created = await client.post(
        f"{AFFILIATE}/workspaces", headers=tenant.affiliate, json={"name": "EU program", "isDefault": True}
    )
    assert created.status_code == 201, created.text
    assert created.json()["message"] == "Workspace created successfully"
    new_id = created.json()["data"]["id"]
    listing = await client.get(
        f"{AFFILIATE}/workspaces/list?orderType=createdAt&orderValue=ASC", headers=tenant.affiliate
    )
    defaults = {item["id"]: item["isDefault"] for item in listing.json()["data"]["items"]}
    assert defaults == {tenant.workspace_id: False, new_id: True}


async def test_the_last_default_cannot_be_unset(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.put(
        f"{AFFILIATE}/workspaces?workspaceId={tenant.workspace_id}",
        headers=tenant.affiliate,
        json={"isDefault": False},
    )
    assert response.status_code == 422
    assert response.json()["status"] == 422


async def test_rename(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.put(
        f"{AFFILIATE}/workspaces?workspaceId={tenant.workspace_id}",
        headers=tenant.affiliate,
        json={"name": "Main"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "status": 200,
        "message": "Workspace updated successfully",
        "data": response.json()["data"] | {"name": "Main"},
    }


async def test_paging_and_sorting(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for name in ("b", "c", "a"):
        await client.post(f"{AFFILIATE}/workspaces", headers=tenant.affiliate, json={"name": name})
    page = await client.get(
        f"{AFFILIATE}/workspaces/list?page=2&limit=2&orderType=name&orderValue=asc", headers=tenant.affiliate
    )
    body = page.json()["data"]
    assert body["pagination"] == {"page": 2, "limit": 2, "total": 4, "totalPages": 2}
    assert [item["name"] for item in body["items"]] == ["c", "tenant-a"]


async def test_bad_list_parameters_are_400s_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    cases = {
        "orderType=password": "orderType",
        "orderValue=sideways": "orderValue",
        "limit=101": "limit",
        "page=0": "page",
        "page=abc": "page",
        "page=10000001": "page",
    }
    for query, field in cases.items():
        response = await client.get(f"{AFFILIATE}/workspaces/list?{query}", headers=tenant.affiliate)
        assert response.status_code == 400, query
        body = response.json()
        assert body["status"] == 400
        assert body["message"].startswith(f"{field}:"), body


async def test_missing_body_field_and_bad_json(client: httpx.AsyncClient, tenant: Tenant) -> None:
    missing = await client.post(f"{AFFILIATE}/workspaces", headers=tenant.affiliate, json={})
    assert missing.status_code == 400
    assert missing.json() == {"status": 400, "message": "name: Field required"}
    broken = await client.post(
        f"{AFFILIATE}/workspaces",
        headers={**tenant.affiliate, "content-type": "application/json"},
        content=b"{not json",
    )
    assert broken.status_code == 400
    assert broken.json()["status"] == 400


async def test_missing_or_wrong_key_gets_the_documented_401(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for headers in ({}, {"x-auth-referralstack": "rs_live_" + "0" * 40}, {"x-auth-referralstack": ""}):
        response = await client.get(f"{AFFILIATE}/workspaces/list", headers=headers)
        assert response.status_code == 401
        assert response.json() == INVALID_KEY


async def test_public_key_cannot_use_server_routes(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(f"{AFFILIATE}/workspaces/list", headers=tenant.affiliate_public)
    assert response.status_code == 403
    assert response.json()["status"] == 403


async def test_another_accounts_workspace_is_not_found_and_untouched(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    response = await client.put(
        f"{AFFILIATE}/workspaces?workspaceId={tenant.workspace_id}",
        headers=other_tenant.affiliate,
        json={"name": "stolen"},
    )
    assert response.status_code == 404
    assert response.json() == {"status": 404, "message": "Workspace not found"}
    mine = await client.get(f"{AFFILIATE}/workspaces/list", headers=tenant.affiliate)
    assert [item["name"] for item in mine.json()["data"]["items"]] == ["tenant-a"]
    theirs = await client.get(f"{AFFILIATE}/workspaces/list", headers=other_tenant.affiliate)
    assert [item["id"] for item in theirs.json()["data"]["items"]] == [other_tenant.workspace_id]


async def test_unknown_route_is_a_404_in_the_envelope(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(f"{AFFILIATE}/nope", headers=tenant.affiliate)
    assert response.status_code == 404
    assert response.json()["status"] == 404
    assert set(response.json()) == {"status", "message"}
