"""GET /campaigns/{id}/codes (cursor pages, status filter) and GET /campaigns/{id}/codes.csv (every code)."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from tests.support import pages
from tests.support.catalog import reward
from tests.support.programs import new_customer, running_campaign
from tests.support.tenants import LOYALTY, Tenant


async def generated_campaign(client: httpx.AsyncClient, tenant: Tenant, quantity: int) -> str:
    reward_id = await reward(client, tenant)
    return await running_campaign(client, tenant, "COUPONS", reward_id, quantity=quantity)


async def redeem(client: httpx.AsyncClient, tenant: Tenant, code: str, customer_id: str) -> None:
    body = {"customer_id": customer_id, "code": code.lower(), "brand_id": None, "platform": "web"}
    response = await client.post(f"{LOYALTY}/coupons/redeem", headers=await tenant.loyalty(client), json=body)
    assert response.status_code == 200, response.text


async def page(client: httpx.AsyncClient, tenant: Tenant, campaign_id: str, **query: Any) -> dict[str, Any]:
    response = await client.get(
        f"{LOYALTY}/campaigns/{campaign_id}/codes", params=query, headers=await tenant.loyalty(client)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def every_page(
    client: httpx.AsyncClient, tenant: Tenant, campaign_id: str, **query: Any
) -> list[dict[str, Any]]:
    path = f"{LOYALTY}/campaigns/{campaign_id}/codes"
    return await pages.every_page(client, path, await tenant.loyalty(client), **query)


async def test_pages_list_available_then_redeemed_codes_exactly_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign_id = await generated_campaign(client, tenant, 230)
    available = [row["code"] for row in await every_page(client, tenant, campaign_id, limit=100)]
    assert len(available) == 230 and available == sorted(available)
    for index, code in enumerate(available[50:53]):
        await new_customer(client, tenant, f"buyer-{index}")
        await redeem(client, tenant, code, f"buyer-{index}")
    rows = await every_page(client, tenant, campaign_id, limit=7)
    assert [row["code"] for row in rows] == [*available[:50], *available[53:], *available[50:53]]
    redeemed = rows[-3:]
    assert [row["status"] for row in redeemed] == ["REDEEMED"] * 3
    assert [row["customer_id"] for row in redeemed] == ["buyer-0", "buyer-1", "buyer-2"]
    assert all(row["redeemed_at"].endswith("Z") for row in redeemed)
    assert rows[0] == {"code": available[0], "status": "AVAILABLE", "redeemed_at": None, "customer_id": None}
    only_redeemed = await every_page(client, tenant, campaign_id, status="redeemed", limit=2)
    assert only_redeemed == redeemed
    only_available = await every_page(client, tenant, campaign_id, status="AVAILABLE", limit=1000)
    assert len(only_available) == 227 and {row["status"] for row in only_available} == {"AVAILABLE"}


async def test_the_csv_holds_every_code_with_its_status_time_and_customer(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign_id = await generated_campaign(client, tenant, 120)
    codes = [row["code"] for row in await every_page(client, tenant, campaign_id, limit=1000)]
    await new_customer(client, tenant, "ana")
    await redeem(client, tenant, codes[7], "ana")
    response = await client.get(
        f"{LOYALTY}/campaigns/{campaign_id}/codes.csv", headers=await tenant.loyalty(client)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 120 and {row["code"] for row in rows} == set(codes)
    used = [row for row in rows if row["status"] == "REDEEMED"]
    assert [(row["code"], row["customer_id"]) for row in used] == [(codes[7], "ana")]
    assert used[0]["redeemed_at"].endswith("Z") and rows[-1] == used[0]
    only_used = await client.get(
        f"{LOYALTY}/campaigns/{campaign_id}/codes.csv?status=REDEEMED", headers=await tenant.loyalty(client)
    )
    assert len(list(csv.DictReader(io.StringIO(only_used.text)))) == 1


async def test_the_export_reads_in_chunks(
    client: httpx.AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from perks.loyalty.coupons import service

    monkeypatch.setattr(service, "EXPORT_CHUNK", 9)
    campaign_id = await generated_campaign(client, tenant, 40)
    response = await client.get(
        f"{LOYALTY}/campaigns/{campaign_id}/codes.csv", headers=await tenant.loyalty(client)
    )
    lines = response.text.splitlines()
    assert lines[0] == "code,status,redeemed_at,customer_id" and len(lines) == 41 and len(set(lines)) == 41


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "USED"}, "status"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"cursor": "zz"}, "cursor"),
    ],
)
async def test_bad_queries_are_400s_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant, query: dict[str, Any], field: str
) -> None:
    campaign_id = await generated_campaign(client, tenant, 5)
    response = await client.get(
        f"{LOYALTY}/campaigns/{campaign_id}/codes", params=query, headers=await tenant.loyalty(client)
    )
    assert response.status_code == 400, response.text
    assert response.json()["details"].startswith(field), response.json()


async def test_a_cursor_of_the_redeemed_part_is_refused_for_available_codes(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign_id = await generated_campaign(client, tenant, 5)
    codes = [row["code"] for row in await every_page(client, tenant, campaign_id)]
    for index, code in enumerate(codes[:2]):
        await new_customer(client, tenant, f"c{index}")
        await redeem(client, tenant, code, f"c{index}")
    cursor = (await page(client, tenant, campaign_id, status="REDEEMED", limit=1))["cursor"]
    assert cursor is not None
    refused = await client.get(
        f"{LOYALTY}/campaigns/{campaign_id}/codes",
        params={"status": "AVAILABLE", "cursor": cursor},
        headers=await tenant.loyalty(client),
    )
    assert refused.status_code == 400 and refused.json()["details"].startswith("cursor")
    rest = await page(client, tenant, campaign_id, status="REDEEMED", cursor=cursor)
    assert [row["code"] for row in rest["data"]] == [codes[1]] and rest["cursor"] is None


async def test_unknown_foreign_and_non_coupon_campaigns(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    campaign_id = await generated_campaign(client, tenant, 5)
    headers = await other_tenant.loyalty(client)
    for path in ("codes", "codes.csv"):
        foreign = await client.get(f"{LOYALTY}/campaigns/{campaign_id}/codes", headers=headers)
        assert foreign.status_code == 404 and foreign.json()["error"] == "Campaign not found"
        missing = await client.get(f"{LOYALTY}/campaigns/nope/{path}", headers=await tenant.loyalty(client))
        assert missing.status_code == 404
    behavior = await running_campaign(
        client, tenant, "BEHAVIOR", await reward(client, tenant), attributes={"trigger": "PURCHASE"}
    )
    refused = await client.get(f"{LOYALTY}/campaigns/{behavior}/codes", headers=await tenant.loyalty(client))
    assert refused.status_code == 400 and refused.json()["details"].startswith("campaign_id")
