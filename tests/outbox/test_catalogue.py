"""The served catalogue of webhook event types: every subscribable type, each with an example payload that
has the shape the domains really emit (checked by doing what emits each type, through the API).

To refresh the examples after a payload changes: PERKS_WRITE_WEBHOOK_EXAMPLES=1 pytest this file -k sqlite."""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
from fastapi import FastAPI

from perks.db.database import Database
from perks.outbox import catalogue
from tests.support.events import customer, purchase, running_campaign, sent, started
from tests.support.outbox import events
from tests.support.programs import coupon_campaign
from tests.support.tenants import AFFILIATE, LOYALTY, Tenant
from tests.support.tracking import program, referred_sale, refund

IN_TIER = [
    [{"type": "Number of Purchases", "operator": "greater than or equal", "primitive": "number", "value": 1}]
]
OUT_OF_TIER = [[{"type": "Number of Purchases", "operator": "less than", "primitive": "number", "value": 1}]]


def shape(value: Any) -> Any:
    """The keys of a payload, all the way down (values and list lengths aside)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return "value"


async def affiliate_side(client: httpx.AsyncClient, tenant: Tenant) -> None:
    plan = await program(client, tenant, payoutTerm=0)
    changed = await client.put(
        f"{AFFILIATE}/affiliates?affiliateId={plan.affiliate['id']}",
        headers=tenant.affiliate,
        json={"notes": "VIP"},
    )
    assert changed.status_code == 200, changed.text
    await referred_sale(client, tenant, plan, "buyer@example.com", "inv-1", "100.00")
    await referred_sale(client, tenant, plan, "other@example.com", "inv-2", "50.00")
    assert (await refund(client, tenant, invoiceId="inv-2")).status_code == 200
    generated = await client.post(f"{AFFILIATE}/payouts/generate", headers=tenant.affiliate)
    assert generated.status_code == 201 and generated.json()["data"], generated.text
    payout_id = generated.json()["data"][0]["id"]
    paid = await client.put(
        f"{AFFILIATE}/payouts?payoutId={payout_id}", headers=tenant.affiliate, json={"status": "paid"}
    )
    assert paid.status_code == 200, paid.text
    other = await client.post(
        f"{AFFILIATE}/affiliates",
        headers=tenant.affiliate,
        json={
            "email": "gone@example.com",
            "firstName": "G",
            "lastName": "One",
            "campaignId": plan.campaign["id"],
        },
    )
    deleted = await client.delete(
        f"{AFFILIATE}/affiliates?affiliateId={other.json()['data']['id']}", headers=tenant.affiliate
    )
    assert deleted.status_code == 200, deleted.text


async def loyalty_side(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = await tenant.loyalty(client)
    tier = await client.post(
        f"{LOYALTY}/tiers",
        headers=headers,
        json={
            "name": "Regular",
            "status": "ACTIVE",
            "entry_conditions": IN_TIER,
            "exit_conditions": OUT_OF_TIER,
        },
    )
    assert tier.status_code == 201, tier.text
    await running_campaign(client, tenant)  # a point per dollar of every purchase
    started(tenant)
    await customer(client, tenant, "c1")
    earned = await sent(client, tenant, purchase(30))
    spend = purchase(5, redeem=[{"id": earned["result"]["accumulations"][0]["reward_id"], "amount": 2}])
    spent = await sent(client, tenant, spend)
    for event in (spent, earned):  # the second reversal leaves no purchase: out of the tier
        reversed_ = await client.post(
            f"{LOYALTY}/behavior/events/{event['id']}/reverse", headers=headers, json={}
        )
        assert reversed_.status_code == 200, reversed_.text
    anonymous = await client.post(
        f"{LOYALTY}/customers", headers=headers, json={"id": "anon", "is_anonymous": True}
    )
    assert anonymous.status_code == 201, anonymous.text
    identified = await client.patch(
        f"{LOYALTY}/customers/anon/identify/anonymous",
        headers=headers,
        json={"name": "Zoe", "email": "zoe@shop.test"},
    )
    assert identified.status_code == 200, identified.text
    await coupon_campaign(client, tenant, "WELCOME1")
    coupon = {"customer_id": "c1", "code": "WELCOME1", "brand_id": None, "platform": "web"}
    assert (await client.post(f"{LOYALTY}/coupons/redeem", headers=headers, json=coupon)).status_code == 200
    back = await client.post(
        f"{LOYALTY}/coupons/reverse", headers=headers, json={"customer_id": "c1", "code": "WELCOME1"}
    )
    assert back.status_code == 200, back.text


async def test_every_type_is_served_with_an_example_of_the_shape_it_is_emitted_in(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    await affiliate_side(client, tenant)
    await loyalty_side(client, tenant)
    emitted: dict[str, dict[str, Any]] = {}
    for event in await events(database, tenant):
        emitted.setdefault(event.event_type, event.payload)
    assert set(emitted) == set(catalogue.SUBSCRIBABLE)
    if os.environ.get("PERKS_WRITE_WEBHOOK_EXAMPLES"):
        catalogue.EXAMPLES_FILE.write_text(json.dumps(emitted, indent=2, sort_keys=True) + "\n")
    for event_type, payload in emitted.items():
        assert shape(catalogue.example(event_type)) == shape(payload), event_type


async def test_both_faces_serve_the_catalogue(client: httpx.AsyncClient, tenant: Tenant) -> None:
    loyalty = await client.get(f"{LOYALTY}/webhooks/events", headers=await tenant.loyalty(client))
    assert loyalty.status_code == 200, loyalty.text
    affiliate = await client.get(f"{AFFILIATE}/webhooks/events", headers=tenant.affiliate)
    assert affiliate.status_code == 200, affiliate.text
    assert affiliate.json()["message"] == "Webhook event types fetched successfully"
    for listed in (loyalty.json()["data"], affiliate.json()["data"]):
        assert {item["type"] for item in listed} == set(catalogue.SUBSCRIBABLE)
        sale = next(item for item in listed if item["type"] == "sale.created")
        assert sale["face"] == "affiliate" and sale["description"] and sale["example"]["invoiceId"]
        assert {"type", "face", "description", "example"} == set(sale)


async def test_an_unknown_type_points_at_the_catalogue_and_suggests_types(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {"url": "https://hooks.example/perks", "events": ["commission.*"]}
    response = await client.post(f"{AFFILIATE}/webhooks", headers=tenant.affiliate, json=body)
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    assert "GET /api/v1/webhooks/events" in message and "GET /api/storefront/v1/webhooks/events" in message
    assert "commission.created, commission.updated, commission.refunded" in message
    loyalty = await client.post(
        f"{LOYALTY}/webhooks",
        headers=await tenant.loyalty(client),
        json=body | {"events": ["customer_registration"]},
    )
    assert loyalty.status_code == 400 and "CUSTOMER_REGISTRATION" in loyalty.json()["details"]
