"""Builders for the tracking, sales and payout tests: a program with a link, clicks, sign-ups, sales."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.affiliate import affiliate, campaign, create
from tests.support.tenants import AFFILIATE, Tenant

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


@dataclass
class Program:
    campaign: dict[str, Any]
    affiliate: dict[str, Any]
    link: dict[str, Any]

    @property
    def code(self) -> str:
        return str(self.link["referralCode"])


async def program(
    client: httpx.AsyncClient,
    tenant: Tenant,
    code: str = "sand",
    email: str = "jane@example.com",
    affiliate_fields: dict[str, Any] | None = None,
    **campaign_fields: Any,
) -> Program:
    code = f"{code}-{uuid.uuid4().hex[:8]}"  # the public redirect looks codes up across accounts
    fields = {"url": "https://shop.example/landing?lang=en", "payoutTerm": 30} | campaign_fields
    made = await campaign(client, tenant, **fields)
    person = await affiliate(client, tenant, email, campaignId=made["id"], **(affiliate_fields or {}))
    link = await create(
        client, tenant, "links", {"affiliateId": person["id"], "referralCode": code, "urlParameter": "via"}
    )
    return Program(made, person, link)


async def click(client: httpx.AsyncClient, code: str, user_agent: str = BROWSER) -> httpx.Response:
    return await client.get(f"/r/{code}", headers={"user-agent": user_agent})


async def sign_up(client: httpx.AsyncClient, tenant: Tenant, **body: Any) -> httpx.Response:
    return await client.post(f"{AFFILIATE}/track/signup", headers=tenant.affiliate, json=body)


async def sale(client: httpx.AsyncClient, tenant: Tenant, **body: Any) -> httpx.Response:
    return await client.post(f"{AFFILIATE}/track/sale", headers=tenant.affiliate, json=body)


async def refund(client: httpx.AsyncClient, tenant: Tenant, **body: Any) -> httpx.Response:
    return await client.post(f"{AFFILIATE}/track/refund", headers=tenant.affiliate, json=body)


async def referred_sale(
    client: httpx.AsyncClient, tenant: Tenant, plan: Program, email: str, invoice: str, amount: str
) -> dict[str, Any]:
    """Sign `email` up through the program's code and record a sale; the answer's data."""
    await sign_up(client, tenant, email=email, referralCode=plan.code)
    response = await sale(client, tenant, email=email, amount=amount, invoiceId=invoice)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def data_of(
    client: httpx.AsyncClient, tenant: Tenant, method: str, path: str, status: int = 200
) -> Any:
    """The `data` of a call that must answer `status`."""
    response = await client.request(method, f"{AFFILIATE}{path}", headers=tenant.affiliate)
    assert response.status_code == status, response.text
    return response.json()["data"]


async def stats(client: httpx.AsyncClient, tenant: Tenant, affiliate_id: str) -> dict[str, Any]:
    data: dict[str, Any] = await data_of(
        client, tenant, "GET", f"/affiliates/stats?affiliateId={affiliate_id}"
    )
    return data


async def commission(client: httpx.AsyncClient, tenant: Tenant, commission_id: str) -> dict[str, Any]:
    data: dict[str, Any] = await data_of(client, tenant, "GET", f"/commissions?commissionId={commission_id}")
    return data


async def generate(client: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = await data_of(client, tenant, "POST", "/payouts/generate", 201)
    return data


async def pay(client: httpx.AsyncClient, tenant: Tenant, payout_id: str) -> httpx.Response:
    return await client.put(
        f"{AFFILIATE}/payouts?payoutId={payout_id}", headers=tenant.affiliate, json={"status": "paid"}
    )
