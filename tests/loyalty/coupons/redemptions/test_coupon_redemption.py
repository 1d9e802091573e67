"""POST /coupons/redeem and POST /coupons/reverse through the API, on both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from perks.db.database import Database
from perks.kit import clock
from perks.ledger import service as ledger
from perks.loyalty.customers import service as customers
from perks.loyalty.events.models import BehaviorEvent
from perks.tenancy.context import AuthContext, KeyKind
from tests.support.catalog import error, get_campaign, reward, travel
from tests.support.ledger import travel as travel_far
from tests.support.outbox import events as outbox_events
from tests.support.programs import coupon_campaign, effect_rules, new_customer, post, total
from tests.support.tenants import LOYALTY, Tenant


def redeem_body(code: str, customer_id: str = "ana", **fields: Any) -> dict[str, Any]:
    return {"customer_id": customer_id, "code": code, "brand_id": None, "platform": "web"} | fields


async def test_redeem_adds_the_effects_and_uses_the_code(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, reward_id = await coupon_campaign(client, tenant, "WELCOME10")
    await new_customer(client, tenant, "ana")
    response = await post(client, tenant, "/coupons/redeem", redeem_body("welcome10"))
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["customer"]["id"] == "ana"
    assert [(line["reward_id"], line["amount"]) for line in data["accumulations"]] == [(reward_id, 100)]
    assert data["wallet"]["totals"][0]["total"] == 100
    reward = data["wallet"]["totals"][0]["reward"]
    assert reward["id"] == reward_id and reward["type"] == "POINTS"
    assert await total(client, tenant, "ana", reward_id) == Decimal(100)
    summary = (await get_campaign(client, tenant, campaign_id, "?includes=CODES_SUMMARY"))["attributes"]
    assert summary["codes_summary"]["used"] == 1
    assert summary["codes_summary"]["codes_usage"][0]["customer_id"] == "ana"
    again = error(await post(client, tenant, "/coupons/redeem", redeem_body("WELCOME10")), 409)
    assert again["error"] == "Coupon already redeemed"
    assert await total(client, tenant, "ana", reward_id) == Decimal(100)


async def test_redeem_refusals_write_nothing(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, reward_id = await coupon_campaign(client, tenant, "ONE,TWO")
    await new_customer(client, tenant, "ana")
    assert error(await post(client, tenant, "/coupons/redeem", redeem_body("NOPE")), 404)["error"] == (
        "Coupon not found"
    )
    missing = error(await post(client, tenant, "/coupons/redeem", redeem_body("ONE", "ghost")), 404)
    assert missing["error"] == "Customer not found"
    bad = error(await post(client, tenant, "/coupons/redeem", {"customer_id": "ana"}), 400)
    assert "code" in bad["details"]
    consent = await client.patch(
        f"{LOYALTY}/customers/ana/consent",
        headers=await tenant.loyalty(client),
        json={"consent": {"purposes": {"coupon_campaigns": False}}},
    )
    assert consent.status_code == 200, consent.text
    refused = error(await post(client, tenant, "/coupons/redeem", redeem_body("ONE")), 422)
    assert refused["error"] == "Consent required"
    assert await total(client, tenant, "ana", reward_id) == Decimal(0)
    await new_customer(client, tenant, "bob")
    # The refused attempt did not use the code up.
    ok = await post(client, tenant, "/coupons/redeem", redeem_body("ONE", "bob"))
    assert ok.status_code == 200, ok.text


async def test_unmet_conditions_carry_the_requirement(client: httpx.AsyncClient, tenant: Tenant) -> None:
    reward_id = await reward(client, tenant)
    web_only = {"type": "Store", "operator": "equal", "primitive": "string", "value": "s1"}
    custom = web_only | {"value": "s2", "message": "Only in the store on 2nd street"}
    await coupon_campaign(
        client, tenant, "IOS", reward_id, rules=effect_rules(reward_id, conditions=[[web_only]])
    )
    await coupon_campaign(
        client, tenant, "DROID", reward_id, rules=effect_rules(reward_id, conditions=[[custom]])
    )
    await new_customer(client, tenant, "ana")
    default = error(await post(client, tenant, "/coupons/redeem", redeem_body("IOS", store_id="s9")), 422)
    assert default["requirement"] == "Condition was not met"
    own = error(await post(client, tenant, "/coupons/redeem", redeem_body("DROID", store_id="s9")), 422)
    assert own["requirement"] == "Only in the store on 2nd street"
    met = await post(client, tenant, "/coupons/redeem", redeem_body("IOS", store_id="S1"))
    assert met.status_code == 200, met.text


async def test_expired_and_paused_campaigns_refuse(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await coupon_campaign(client, tenant, "LATE", end_date=(clock.now() + timedelta(days=1)).isoformat())
    await new_customer(client, tenant, "ana")
    travel(tenant, timedelta(days=2))
    expired = error(await post(client, tenant, "/coupons/redeem", redeem_body("LATE")), 409)
    assert expired["error"] == "Coupon expired"
    await coupon_campaign(client, tenant, "PAUSED", status="INACTIVE")
    paused = error(await post(client, tenant, "/coupons/redeem", redeem_body("PAUSED")), 409)
    assert paused["error"] == "Coupon not active"


async def test_budget_caps_redemptions(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, reward_id = await coupon_campaign(client, tenant, "A,B,C", budget=250, divide_budget_in="total")
    for name, code in (("ana", "A"), ("bob", "B")):
        await new_customer(client, tenant, name)
        assert (await post(client, tenant, "/coupons/redeem", redeem_body(code, name))).status_code == 200
    await new_customer(client, tenant, "cy")
    out = error(await post(client, tenant, "/coupons/redeem", redeem_body("C", "cy")), 409)
    assert out["error"] == "Coupon rewards unavailable"
    assert await total(client, tenant, "cy", reward_id) == Decimal(0)
    # Reversing a redemption gives its budget back, so the code now works.
    assert (
        await post(client, tenant, "/coupons/reverse", {"customer_id": "ana", "code": "a"})
    ).status_code == 200
    assert (await post(client, tenant, "/coupons/redeem", redeem_body("C", "cy"))).status_code == 200


async def test_reverse_undoes_the_redemption_once(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    _, reward_id = await coupon_campaign(client, tenant, "GIFT")
    await new_customer(client, tenant, "ana")
    assert (await post(client, tenant, "/coupons/redeem", redeem_body("GIFT"))).status_code == 200
    response = await post(client, tenant, "/coupons/reverse", {"customer_id": "ana", "code": "gift"})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["customer_id"] == "ana"
    assert [(m["reward_id"], m["amount"]) for m in data["redemptions"]] == [(reward_id, -100)]
    assert data["wallet"]["totals"] == []
    assert await total(client, tenant, "ana", reward_id) == Decimal(0)
    again = error(await post(client, tenant, "/coupons/reverse", {"customer_id": "ana", "code": "GIFT"}), 409)
    assert again == {
        "error": "Internal validation failed",
        "details": "This coupon redemption has already been reversed",
    }
    transactions = await client.get(
        f"{LOYALTY}/customers/ana/transactions", headers=await tenant.loyalty(client)
    )
    kinds = [row["type"] for row in transactions.json()["data"]]
    assert kinds == ["ACCUMULATION", "REVERSAL"]
    async with database.transaction(read_only=True) as session:
        events = (
            await session.scalars(
                select(BehaviorEvent).where(
                    BehaviorEvent.account_id == tenant.account_id, BehaviorEvent.type != "REGISTRATION"
                )
            )
        ).all()
    assert [(event.type, event.customer_external_id, event.data["code"]) for event in events] == [
        ("REVERSED_COUPON", "ana", "GIFT")
    ]
    assert error(await post(client, tenant, "/coupons/redeem", redeem_body("GIFT")), 409)["error"] == (
        "Coupon already redeemed"
    )


async def test_concurrent_reversals_of_one_redemption_succeed_once(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    _, reward_id = await coupon_campaign(client, tenant, "ONCE,KEEP")
    await new_customer(client, tenant, "ana")
    for code in ("ONCE", "KEEP"):
        assert (await post(client, tenant, "/coupons/redeem", redeem_body(code))).status_code == 200
    reversals = [
        post(client, tenant, "/coupons/reverse", {"customer_id": "ana", "code": "once"}) for _ in range(8)
    ]
    answers = await asyncio.gather(*reversals)
    assert sorted(answer.status_code for answer in answers) == [200] + [409] * 7, [a.text for a in answers]
    assert await total(client, tenant, "ana", reward_id) == Decimal(100)
    transactions = await client.get(
        f"{LOYALTY}/customers/ana/transactions", headers=await tenant.loyalty(client)
    )
    kinds = sorted(row["type"] for row in transactions.json()["data"])
    assert kinds == ["ACCUMULATION", "ACCUMULATION", "REVERSAL"]
    assert len(await outbox_events(database, tenant, "COUPON_REVERSED")) == 1


async def test_reverse_refuses_spent_rewards_and_unknown_redemptions(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    _, reward_id = await coupon_campaign(client, tenant, "SPEND")
    await new_customer(client, tenant, "ana")
    await new_customer(client, tenant, "bob")
    missing = error(
        await post(client, tenant, "/coupons/reverse", {"customer_id": "bob", "code": "SPEND"}), 404
    )
    assert missing["error"] == "Coupon redemption not found"
    assert (await post(client, tenant, "/coupons/redeem", redeem_body("SPEND"))).status_code == 200
    await _spend(database, tenant, "ana", reward_id, 30)
    spent = error(
        await post(client, tenant, "/coupons/reverse", {"customer_id": "ana", "code": "SPEND"}), 409
    )
    assert spent == {"error": "Internal validation failed", "details": "The rewards have already been spent"}
    assert await total(client, tenant, "ana", reward_id) == Decimal(70)


async def test_another_account_cannot_see_the_code(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await coupon_campaign(client, tenant, "MINE")
    await new_customer(client, other_tenant, "ana")
    assert error(await post(client, other_tenant, "/coupons/redeem", redeem_body("MINE")), 404)["error"] == (
        "Coupon not found"
    )


async def _spend(database: Database, tenant: Tenant, customer_id: str, reward_id: str, amount: int) -> None:
    """Spend through the ledger service (redeeming through events is the events engine's to test)."""
    ctx = AuthContext(account_id=tenant.account_id, key_id="test", kind=KeyKind.SERVER)
    async with database.transaction() as session:
        found = await customers.get(session, ctx, customer_id)
        wallet = await ledger.wallet_of(session, ctx, found.id)
        await ledger.redeem(session, ctx, wallet.id, reward_id, Decimal(amount))


async def test_reverse_refuses_reserved_rewards(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _, reward_id = await coupon_campaign(client, tenant, "HOLD")
    await new_customer(client, tenant, "ana")
    assert (await post(client, tenant, "/coupons/redeem", redeem_body("HOLD"))).status_code == 200
    event = {
        "customer_id": "ana",
        "brand_id": None,
        "type": "CHECKOUT",
        "fulfilled": False,
        "redeem": [{"id": reward_id, "amount": 40}],
    }
    held = await post(client, tenant, "/behavior/events", event)
    assert held.status_code == 201, held.text
    reserved = error(
        await post(client, tenant, "/coupons/reverse", {"customer_id": "ana", "code": "HOLD"}), 409
    )
    assert reserved == {
        "error": "Internal validation failed",
        "details": "The rewards are currently reserved",
    }
    assert await total(client, tenant, "ana", reward_id) == Decimal(60)


async def test_reverse_recalculates_the_tier(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    await coupon_campaign(client, tenant, "BACK")
    spent = {"type": "Spend Total", "operator": "greater than", "primitive": "number", "value": 100}
    away = {
        "type": "Last Visit",
        "operator": "not in the last",
        "primitive": "relative date",
        "value": "30/days",
    }
    headers = await tenant.loyalty(client)
    tiers = await client.get(f"{LOYALTY}/tiers", headers=headers)
    [base] = [item["id"] for item in tiers.json()["data"] if item["level"] == 1]
    created = await client.post(
        f"{LOYALTY}/tiers",
        headers=headers,
        json={"name": "Silver", "level": 2, "entry_conditions": [[spent]], "exit_conditions": [[away]]},
    )
    silver = created.json()["data"]["id"]
    await new_customer(client, tenant, "ana")
    order = {"customer_id": "ana", "brand_id": None, "type": "PURCHASE", "order": {"value": 150}}
    bought = await post(client, tenant, "/behavior/events", order)
    assert bought.json()["data"]["result"]["customer"]["tier_id"] == silver
    assert (await post(client, tenant, "/coupons/redeem", redeem_body("BACK"))).status_code == 200
    travel_far(tenant, timedelta(days=40))  # Silver's exit (no visit in 30 days) now holds
    response = await post(client, tenant, "/coupons/reverse", {"customer_id": "ana", "code": "BACK"})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["customer"]["tier_id"] == base
    [downgrade] = await outbox_events(database, tenant, "TIER_DOWNGRADE")
    async with database.transaction(read_only=True) as session:
        reversal_event = await session.scalar(
            select(BehaviorEvent.id).where(
                BehaviorEvent.account_id == tenant.account_id, BehaviorEvent.type == "REVERSED_COUPON"
            )
        )
    assert (downgrade.payload["previous_tier_id"], downgrade.payload["tier_id"]) == (silver, base)
    assert downgrade.payload["event_id"] == reversal_event
