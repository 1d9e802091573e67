"""POST /behavior/events and the reward engine behind it, through the HTTP API on both databases."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.database import Database
from perks.kit import clock
from perks.ledger import service as ledger
from perks.loyalty.campaigns import service as campaigns
from perks.loyalty.engine import effects
from perks.loyalty.engine.effects import Grant
from perks.loyalty.events.programs import Candidate, EventContext, Program
from perks.loyalty.programs import PROGRAMS
from perks.tenancy.context import AuthContext
from tests.support.catalog import ORDER_OVER, reward
from tests.support.events import (
    EVENTS,
    customer,
    funded,
    per_dollar,
    purchase,
    running_campaign,
    send,
    sent,
    started,
    totals,
)
from tests.support.outbox import events as outbox_events
from tests.support.tenants import LOYALTY, Tenant


async def test_a_purchase_runs_the_campaign_and_returns_the_resolved_event(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    campaign_id, points = await running_campaign(client, tenant)
    await customer(client, tenant)
    started(tenant)
    event = await sent(client, tenant, purchase("20.95", "order-1"))
    assert event["status"] == "RESOLVED"
    assert event["customer_id"] == "c1"
    assert event["rewarding_campaigns"] == [campaign_id]
    [line] = event["result"]["accumulations"]
    assert (line["amount"], line["reward_id"], line["campaign_id"]) == (20.95, points, campaign_id)
    assert event["result"]["wallet"]["totals"][0]["total"] == 20.95
    assert event["result"]["customer"]["id"] == "c1"
    [transaction] = event["result"]["transactions"]
    assert (transaction["type"], transaction["event_id"]) == ("ACCUMULATION", event["id"])
    assert await totals(client, tenant) == {points: 20.95}
    [webhook] = await outbox_events(database, tenant, "CUSTOMER_ACCUMULATION")
    assert webhook.payload["accumulations"][0]["amount"] == "20.95"
    assert webhook.payload["event"]["id"] == event["id"]
    fetched = await client.get(f"{EVENTS}/{event['id']}", headers=await tenant.loyalty(client))
    assert fetched.json()["data"]["result"] == event["result"]


async def test_required_fields_and_issued_at_limits(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await customer(client, tenant)
    for missing in ("customer_id", "brand_id", "type"):
        body = purchase()
        del body[missing]
        response = await send(client, tenant, body)
        assert response.status_code == 400, response.text
        assert missing in response.json()["details"]
    checks: list[tuple[dict[str, Any], str]] = [
        (purchase(issued_at=(clock.now() + timedelta(minutes=5)).isoformat()), "issued_at"),
        (purchase(issued_at=(clock.now() - timedelta(hours=73)).isoformat()), "issued_at"),
        ({"customer_id": "c1", "brand_id": None, "type": "PURCHASE"}, "order"),
        (purchase(brand_id="no-such-brand"), "brand_id"),
        (purchase(reserve=0), "reserve"),
    ]
    for body, field in checks:
        response = await send(client, tenant, body)
        assert response.status_code == 400, response.text
        assert field in response.json()["details"]
    missing_customer = await send(client, tenant, purchase(customer_id="nobody"))
    assert missing_customer.status_code == 404
    assert missing_customer.json()["error"] == "Customer not found"
    recent = await send(client, tenant, purchase(issued_at=(clock.now() - timedelta(hours=71)).isoformat()))
    assert recent.status_code == 201, recent.text


async def test_a_repeated_purchase_never_rewards_twice(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _campaign, points = await running_campaign(client, tenant)
    await customer(client, tenant)
    started(tenant)
    first = await sent(client, tenant, purchase(10, "order-1"))
    again = await sent(client, tenant, purchase(99, "order-1"), status=200)
    assert again["id"] == first["id"]
    assert again["result"] == first["result"]
    await customer(client, tenant, "c2")
    taken = await send(client, tenant, purchase(10, "order-1", customer_id="c2"))
    assert taken.status_code == 409, taken.text
    assert "order.purchase_id" in taken.json()["details"]
    other = await sent(client, tenant, purchase(5, "order-2"))
    assert other["id"] != first["id"]
    assert await totals(client, tenant) == {points: 15}


async def test_matching_by_trigger_dates_brand_platform_status_and_conditions(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    brand = await client.post(
        f"{LOYALTY}/brands", headers=await tenant.loyalty(client), json={"name": "Shop"}
    )
    other_brand = await client.post(
        f"{LOYALTY}/brands", headers=await tenant.loyalty(client), json={"name": "B"}
    )
    brand_id, other_id = brand.json()["data"]["id"], other_brand.json()["data"]["id"]
    points = await reward(client, tenant)
    named = {
        "global": {},
        "brand": {"brand_id": brand_id},
        "other brand": {"brand_id": other_id},
        "signup": {"attributes": {"trigger": "SIGNUP"}},
        "app only": {"platforms": [{"label": "App", "value": "app"}]},
        "paused": {"status": "INACTIVE"},
        "over 50": {"rules": per_dollar(points, conditions=[[ORDER_OVER | {"value": 50}]])},
        "short": {"end_date": (clock.now() + timedelta(seconds=30)).isoformat()},
    }
    ids = {}
    for name, overrides in named.items():
        ids[name], _ = await running_campaign(client, tenant, points, name=name, **overrides)
    await customer(client, tenant)
    started(tenant)
    event = await sent(client, tenant, purchase(20, brand_id=brand_id, platform="web"))
    assert set(event["rewarding_campaigns"]) == {ids["global"], ids["brand"]}
    event = await sent(client, tenant, purchase(60, platform="app"))
    assert set(event["rewarding_campaigns"]) == {ids["global"], ids["app only"], ids["over 50"]}
    signup = await sent(client, tenant, {"customer_id": "c1", "brand_id": None, "type": "SIGNUP"})
    assert signup["rewarding_campaigns"] == []  # its effect is per currency unit and a signup has no order


async def test_effects_for_a_tier_reach_only_its_customers_and_fixed_amounts_expire(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    points = await reward(client, tenant)
    gold = await client.post(
        f"{LOYALTY}/tiers", headers=await tenant.loyalty(client), json={"name": "Gold", "level": 3}
    )
    rules = [
        {
            "conditions": [],
            "effects": [
                {"reward_id": points, "amount": 5, "expiration_date": "10/days"},
                {"reward_id": points, "amount": 100, "tier_id": gold.json()["data"]["id"]},
            ],
        }
    ]
    await running_campaign(client, tenant, points, rules=json.dumps(rules))
    await customer(client, tenant)
    started(tenant)
    event = await sent(client, tenant, purchase(1))
    [line] = event["result"]["accumulations"]
    assert line["amount"] == 5
    assert line["expiration_date"].startswith((clock.now() + timedelta(days=10)).date().isoformat())
    started(tenant, minutes=60 * 24 * 11)
    assert await totals(client, tenant) == {}


async def test_withdrawn_consent_accepts_the_event_without_rewards(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    await running_campaign(client, tenant)
    await customer(client, tenant, consent={"purposes": {"behavioral_campaigns": False}})
    started(tenant)
    event = await sent(client, tenant, purchase(30))
    assert event["status"] == "RESOLVED"
    assert event["result"]["accumulations"] == []
    assert await totals(client, tenant) == {}
    assert await outbox_events(database, tenant, "CUSTOMER_ACCUMULATION") == []


async def test_a_campaign_change_is_seen_by_the_next_event(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, points = await running_campaign(client, tenant)
    await customer(client, tenant)
    started(tenant)
    assert (await sent(client, tenant, purchase(1)))["rewarding_campaigns"] == [campaign_id]
    removed = await client.delete(f"{LOYALTY}/campaigns/{campaign_id}", headers=await tenant.loyalty(client))
    assert removed.status_code == 200, removed.text
    assert (await sent(client, tenant, purchase(1)))["rewarding_campaigns"] == []
    assert await totals(client, tenant) == {points: 1}


async def test_budgets_cap_what_events_give_and_reversals_refund_them(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    _campaign, points = await running_campaign(client, tenant, budget=25, divide_budget_in="total")
    await customer(client, tenant)
    started(tenant)
    first = await sent(client, tenant, purchase(20))
    assert (await sent(client, tenant, purchase(10)))["result"]["accumulations"] == []
    reversed_ = await client.post(
        f"{EVENTS}/{first['id']}/reverse", headers=await tenant.loyalty(client), json={"reason": "refund"}
    )
    assert reversed_.status_code == 200, reversed_.text
    assert reversed_.json()["data"]["status"] == "REVERSED"
    assert reversed_.json()["data"]["reason"] == "refund"
    shown = await client.get(f"{LOYALTY}/customers/c1", headers=await tenant.loyalty(client))
    lifetime = shown.json()["data"]["customer"]["metrics"]["lifetime"]
    assert (lifetime["number_of_purchases"], lifetime["spend_total"]) == (1, "10")
    assert len((await sent(client, tenant, purchase(10)))["result"]["accumulations"]) == 1
    assert await totals(client, tenant) == {points: 10}


async def test_redeem_spends_at_once_when_fulfilled(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    points = await funded(client, tenant, 50)
    event = await sent(client, tenant, purchase(0, redeem=[{"id": points, "amount": 30}]))
    [redemption] = event["result"]["redemptions"]
    assert redemption["amount"] == -30
    assert await totals(client, tenant) == {points: 20}
    assert len(await outbox_events(database, tenant, "CUSTOMER_REDEMPTION")) == 1
    too_much = await send(client, tenant, purchase(0, redeem=[{"id": points, "amount": 21}]))
    assert too_much.status_code == 422, too_much.text
    assert await totals(client, tenant) == {points: 20}


async def test_an_unfulfilled_event_reserves_until_fulfilled(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    points = await funded(client, tenant, 50)
    event = await sent(client, tenant, purchase(0, fulfilled=False, redeem=[{"id": points, "amount": 30}]))
    assert (event["status"], event["fulfilled"]) == ("RESOLVED", False)
    assert event["result"]["redemptions"][0]["reservation_expires_at"] is not None
    assert await totals(client, tenant) == {points: 20}
    headers = await tenant.loyalty(client)
    fulfilled = await client.patch(f"{EVENTS}/{event['id']}/fulfill", headers=headers)
    assert fulfilled.status_code == 200, fulfilled.text
    assert fulfilled.json()["data"]["fulfilled"] is True
    assert fulfilled.json()["data"]["result"]["redemptions"][0]["amount"] == -30
    again = await client.patch(f"{EVENTS}/{event['id']}/fulfill", headers=headers)
    assert again.status_code == 409
    started(tenant, minutes=60 * 48)
    assert await totals(client, tenant) == {points: 20}


async def test_an_unfulfilled_event_expires_after_24_hours_or_its_reserve_days(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    points = await funded(client, tenant, 50)
    short = await sent(client, tenant, purchase(0, fulfilled=False, redeem=[{"id": points, "amount": 10}]))
    long = await sent(
        client, tenant, purchase(0, fulfilled=False, reserve=3, redeem=[{"id": points, "amount": 5}])
    )
    started(tenant, minutes=60 * 25)
    headers = await tenant.loyalty(client)
    expired = await client.patch(f"{EVENTS}/{short['id']}/fulfill", headers=headers)
    assert expired.status_code == 409
    assert expired.json()["error"] == "Event has expired"
    shown = await client.get(f"{EVENTS}/{short['id']}", headers=headers)
    assert shown.json()["data"]["status"] == "EXPIRED"
    assert await totals(client, tenant) == {points: 45}
    fulfilled = await client.patch(f"{EVENTS}/{long['id']}/fulfill", headers=headers)
    assert fulfilled.status_code == 200, fulfilled.text
    assert await totals(client, tenant) == {points: 45}


async def test_reversing_an_unfulfilled_event_cancels_it(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    points = await funded(client, tenant, 50)
    event = await sent(client, tenant, purchase(10, fulfilled=False, redeem=[{"id": points, "amount": 30}]))
    assert await totals(client, tenant) == {points: 30}  # 50 - 30 reserved + 10 earned
    headers = await tenant.loyalty(client)
    cancelled = await client.post(f"{EVENTS}/{event['id']}/reverse", headers=headers, json={})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["data"]["status"] == "CANCELLED"
    assert await totals(client, tenant) == {points: 50}
    again = await client.post(f"{EVENTS}/{event['id']}/reverse", headers=headers, json={})
    assert again.status_code == 409
    [webhook] = await outbox_events(database, tenant, "EVENT_REVERSED")
    assert webhook.payload["event"]["id"] == event["id"]


async def test_reversing_refuses_spent_rewards(client: httpx.AsyncClient, tenant: Tenant) -> None:
    _campaign, points = await running_campaign(client, tenant)
    await customer(client, tenant)
    started(tenant)
    earned = await sent(client, tenant, purchase(10))
    await sent(client, tenant, purchase(0, redeem=[{"id": points, "amount": 10}]))
    refused = await client.post(
        f"{EVENTS}/{earned['id']}/reverse", headers=await tenant.loyalty(client), json={}
    )
    assert refused.status_code == 409, refused.text
    assert (await client.get(f"{EVENTS}/{earned['id']}", headers=await tenant.loyalty(client))).json()[
        "data"
    ]["status"] == "RESOLVED"


async def test_tiers_move_up_when_entry_conditions_are_met(
    client: httpx.AsyncClient, database: Database, tenant: Tenant
) -> None:
    spend_over = {"type": "Spend Total", "operator": "greater than", "primitive": "number", "value": 100}
    await customer(client, tenant)
    await sent(client, tenant, purchase(0))  # the account's snapshot is cached before the tier exists
    silver = await client.post(
        f"{LOYALTY}/tiers",
        headers=await tenant.loyalty(client),
        json={"name": "Silver", "level": 2, "entry_conditions": [[spend_over]]},
    )
    assert silver.status_code == 201, silver.text
    first = await sent(client, tenant, purchase(60))
    assert first["result"]["customer"]["tier_id"] is None
    assert first["result"]["customer"]["metrics"]["lifetime"]["number_of_purchases"] == 2
    second = await sent(client, tenant, purchase(60))
    assert second["result"]["customer"]["tier_id"] == silver.json()["data"]["id"]
    [webhook] = await outbox_events(database, tenant, "TIER_UPGRADE")
    assert webhook.payload["tier_id"] == silver.json()["data"]["id"]


async def test_events_of_another_account_are_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await customer(client, tenant)
    event = await sent(client, tenant, purchase(1))
    headers = await other_tenant.loyalty(client)
    assert (await client.get(f"{EVENTS}/{event['id']}", headers=headers)).status_code == 404
    assert (await client.patch(f"{EVENTS}/{event['id']}/fulfill", headers=headers)).status_code == 404
    assert (await client.post(f"{EVENTS}/{event['id']}/reverse", headers=headers, json={})).status_code == 404


async def test_preview_shows_the_order_with_rewards_redeemed(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    _campaign, points = await running_campaign(client, tenant)
    discount = await reward(
        client, tenant, type="DISCOUNT", name="10%", attributes={"discount_type": "PERCENTAGE", "value": 10}
    )
    await customer(client, tenant)
    started(tenant)
    await sent(client, tenant, purchase(100))
    body = {
        "customer_id": "c1",
        "brand_id": None,
        "order": {
            "value": 50,
            "redeem": [{"id": points, "amount": 10}, {"id": discount, "amount": 1}],
            "products": [{"sku": "A", "value": 30, "redeem": [{"id": points, "amount": 90}]}],
        },
    }
    response = await client.put(
        f"{LOYALTY}/events/redeem/preview", headers=await tenant.loyalty(client), json=body
    )
    assert response.status_code == 200, response.text
    order = response.json()["data"]["order"]
    product = order["products"][0]["redemptions_result"]
    assert (product["discount_value"], product["value"]) == (9, 21)  # 90 points x 0.1
    result = order["redemptions_result"]
    assert [item["error"] for item in result["redeemed"]] == [None, "Insufficient balance"]
    assert result["discount_value"] == 10  # 9 from the product + 10 points x 0.1
    assert result["value"] == 40
    assert result["action"] == "UPDATE"
    assert await totals(client, tenant) == {points: 100}


async def test_event_programs_run_after_the_campaigns_and_add_their_grants(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    points = await reward(client, tenant)
    rules = json.dumps([{"conditions": [], "effects": [{"reward_id": points, "amount": 3}]}])
    # A PUNCH_CARDS-like campaign that never triggers by itself: the program grants its rules.
    program_campaign, _ = await running_campaign(
        client, tenant, points, rules=rules, attributes={"trigger": "X"}
    )
    seen: list[EventContext] = []

    async def program(session: AsyncSession, ctx: AuthContext, event: EventContext) -> list[Grant]:
        seen.append(event)
        campaign = await campaigns.get_campaign(session, ctx, program_campaign)
        return await effects.grant(
            session,
            ctx,
            campaign=campaign,
            rules=campaign.rules,
            customer=event.customer,
            wallet_id=event.wallet_id,
            facts=event.facts,
            entry=ledger.Entry(event_id=event.event_id, event_type=event.event_type),
        )

    async def every_event(
        session: AsyncSession, ctx: AuthContext, candidates: Sequence[Candidate]
    ) -> set[int]:
        return set(range(len(candidates)))

    await customer(client, tenant)
    started(tenant)
    registered = Program(program, every_event)
    PROGRAMS.append(registered)
    try:
        event = await sent(client, tenant, purchase(7, referral_code="FRIEND"))
    finally:
        PROGRAMS.remove(registered)
    [context] = seen
    assert (context.event_id, context.referral_code, context.facts["Order Value"]) == (
        event["id"],
        "FRIEND",
        7,
    )
    assert [line["amount"] for line in event["result"]["accumulations"]] == [3]
    assert await totals(client, tenant) == {points: 3}
    reversed_ = await client.post(f"{EVENTS}/{event['id']}/reverse", headers=await tenant.loyalty(client))
    assert reversed_.status_code == 200, reversed_.text
    assert await totals(client, tenant) == {}
