"""A NUL character anywhere in a request is a 400 naming the field, on both faces, and writes nothing
(PostgreSQL text cannot store one; the fuzz suite found it as a 500)."""

from __future__ import annotations

import httpx

from tests.support.tenants import AFFILIATE, LOYALTY, Tenant

PROBLEM = "must not contain NUL characters"


async def test_a_nul_in_a_json_field_is_a_400_naming_it(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(f"{AFFILIATE}/workspaces", headers=tenant.affiliate, json={"name": "eu\x00"})
    assert response.status_code == 400
    assert response.json() == {"status": 400, "message": f"name: {PROBLEM}"}
    listing = await client.get(f"{AFFILIATE}/workspaces/list", headers=tenant.affiliate)
    assert listing.json()["data"]["pagination"]["total"] == 1


async def test_a_nul_in_the_query_string_is_a_400_naming_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get(f"{AFFILIATE}/workspaces/list?orderType=name%00", headers=tenant.affiliate)
    assert response.status_code == 400
    assert response.json()["message"] == f"orderType: {PROBLEM}"


async def test_the_loyalty_face_answers_in_its_envelope(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = await tenant.loyalty(client)
    body = {"customer_id": "ana", "code": "AB\x00C", "brand_id": None}
    response = await client.post(f"{LOYALTY}/coupons/redeem", headers=headers, json=body)
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid request", "details": f"code: {PROBLEM}"}
