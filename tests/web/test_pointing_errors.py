"""The first hour's mistakes get answers that say what to do instead."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.catalog import campaign_body, create, reward
from tests.support.programs import coupon_campaign, new_customer
from tests.support.tenants import AFFILIATE, LOYALTY, Tenant
from tests.support.tracking import program, referred_sale


def details(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    text: str = response.json()["details"]
    return text


async def test_a_campaign_type_sent_in_the_body_is_pointed_to_the_query_string(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    body = campaign_body(await reward(client, tenant)) | {"type": "COUPONS"}
    created = await client.post(f"{LOYALTY}/campaigns", headers=headers, json=body)
    said = details(created, 400)
    assert said.startswith("type: is required in the query string") and "POST /campaigns?type=COUPONS" in said
    plain = await client.post(
        f"{LOYALTY}/campaigns", headers=headers, json=campaign_body(await reward(client, tenant))
    )
    assert "?type=BEHAVIOR" in details(plain, 400) and "REFERRALS" in details(plain, 400)
    made = await client.post(
        f"{LOYALTY}/campaigns?type=BEHAVIOR",
        headers=headers,
        json=campaign_body(await reward(client, tenant)),
    )
    assert made.status_code == 201, made.text
    campaign_id = made.json()["data"]["id"]
    put = await client.put(
        f"{LOYALTY}/campaigns/{campaign_id}", headers=headers, json=body | {"type": "BEHAVIOR"}
    )
    assert f"PUT /campaigns/{campaign_id}?type=BEHAVIOR" in details(put, 400)


async def test_authorize_names_the_header_the_key_goes_in(client: httpx.AsyncClient, tenant: Tenant) -> None:
    as_bearer = await client.get(
        f"{LOYALTY}/auth/authorize", headers={"Authorization": f"Bearer {tenant.server_key}"}
    )
    said = details(as_bearer, 401)
    assert "x-api-key header" in said and "not Authorization: Bearer" in said
    assert "not Authorization" not in details(await client.get(f"{LOYALTY}/auth/authorize"), 401)


async def test_a_key_sent_as_the_token_is_told_to_trade_it_first(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    with_key = await client.get(
        f"{LOYALTY}/customers/x", headers={"Authorization": f"Bearer {tenant.server_key}"}
    )
    assert "this is an API key, not a token" in details(with_key, 401)
    without = await client.get(f"{LOYALTY}/customers/x")
    assert "GET /auth/authorize" in details(without, 401)


async def test_a_points_reward_without_attributes_is_told_what_they_hold(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        f"{LOYALTY}/rewards", headers=await tenant.loyalty(client), json={"type": "POINTS", "name": "Points"}
    )
    said = details(response, 400)
    assert said.startswith(
        'attributes.conversion_factor: is required, e.g. "attributes": {"conversion_factor": 0.1}'
    )
    wrong = await client.post(
        f"{LOYALTY}/rewards",
        headers=await tenant.loyalty(client),
        json={"type": "POINTS", "name": "P", "attributes": {"conversion_factor": 0}},
    )
    assert details(wrong, 400) == "attributes.conversion_factor: must be a number greater than 0"


async def test_rewards_list_pages_by_default_like_campaigns(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for index in range(12):
        await reward(client, tenant, name=f"R{index}")
    listed = await client.get(f"{LOYALTY}/rewards", headers=await tenant.loyalty(client))
    assert listed.status_code == 200, listed.text
    assert [item["name"] for item in listed.json()["data"]] == [f"R{index}" for index in range(10)]
    second = await client.get(f"{LOYALTY}/rewards?from=10", headers=await tenant.loyalty(client))
    assert [item["name"] for item in second.json()["data"]] == ["R10", "R11"]


async def test_a_redemption_without_the_coupons_brand_names_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    brand = await create(client, tenant, "/brands", {"name": "North"})
    await coupon_campaign(client, tenant, "NORTH1", brand_id=brand["id"])
    await new_customer(client, tenant, "ana")
    body: dict[str, Any] = {"customer_id": "ana", "code": "NORTH1", "platform": "web"}
    headers = await tenant.loyalty(client)
    missing = await client.post(f"{LOYALTY}/coupons/redeem", headers=headers, json=body | {"brand_id": None})
    said = details(missing, 400)
    assert said.startswith(f"brand_id: must be {brand['id']}") and "it was not sent" in said
    other = await create(client, tenant, "/brands", {"name": "South"})
    wrong = await client.post(
        f"{LOYALTY}/coupons/redeem", headers=headers, json=body | {"brand_id": other["id"]}
    )
    assert "another brand was sent" in details(wrong, 400)
    right = await client.post(
        f"{LOYALTY}/coupons/redeem", headers=headers, json=body | {"brand_id": brand["id"]}
    )
    assert right.status_code == 200, right.text


async def test_a_first_payout_that_finds_nothing_due_names_the_payout_term(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan = await program(client, tenant)  # payoutTerm 30 days
    await referred_sale(client, tenant, plan, "buyer@example.com", "inv-1", "100.00")
    generated = await client.post(f"{AFFILIATE}/payouts/generate", headers=tenant.affiliate)
    assert generated.status_code == 201 and generated.json()["data"] == []
    message = generated.json()["message"]
    assert message.startswith("No payouts generated: 1 pending commission not due yet, the next on ")
    assert "payoutTerm" in message and "payoutTerm: 0 pays at once" in message
