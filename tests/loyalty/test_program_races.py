"""Redemptions, referrals and punches racing from several OS processes against a live server, on both
databases: a single-use code is redeemed once, a referral code is used at most max_uses times, and every
punch of concurrent events counts exactly once."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import httpx

from tests.support.processes import concurrent_requests
from tests.support.programs import (
    cards,
    code_of,
    coupon_campaign,
    new_customer,
    punch_campaign,
    referral_campaign,
    total,
)
from tests.support.server import live_server
from tests.support.tenants import LOYALTY, Tenant

PROCESSES = 10
REDEMPTIONS = 200
CUSTOMERS = 10
MAX_USES = 3


async def test_200_concurrent_redemptions_of_one_code_succeed_once(
    database_url: str, workdir: Path, tenant: Tenant
) -> None:
    with live_server(database_url, workdir) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
            _, reward_id = await coupon_campaign(http, tenant, "ONLYONCE")
            names = [f"racer-{n}" for n in range(CUSTOMERS)]
            for name in names:
                await new_customer(http, tenant, name)
            headers = await tenant.loyalty(http)
            bodies = [{"customer_id": names[n % CUSTOMERS], "code": "onlyonce"} for n in range(REDEMPTIONS)]
            outcomes = concurrent_requests(
                PROCESSES, "POST", f"{server.base_url}{LOYALTY}/coupons/redeem", headers, bodies
            )
            statuses = Counter(status for status, _ in outcomes)
            assert statuses == {200: 1, 409: REDEMPTIONS - 1}, statuses
            refusals = {json.loads(text)["error"] for status, text in outcomes if status == 409}
            assert refusals == {"Coupon already redeemed"}
            totals = [await total(http, tenant, name, reward_id) for name in names]
            assert sorted(totals)[-1] == 100 and sum(totals) == 100


async def test_a_referral_code_is_used_at_most_max_uses_times(
    database_url: str, workdir: Path, tenant: Tenant
) -> None:
    with live_server(database_url, workdir) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
            campaign_id, referrer_reward, referee_reward = await referral_campaign(
                http, tenant, max_uses=MAX_USES
            )
            await new_customer(http, tenant, "referrer")
            code = (await code_of(http, tenant, "referrer", campaign_id))["code"]
            headers = await tenant.loyalty(http)
            bodies = [
                {
                    "id": f"referee-{n}",
                    "name": "R",
                    "email": f"referee-{n}@example.com",
                    "referral_code": code,
                }
                for n in range(PROCESSES * 2)
            ]
            outcomes = concurrent_requests(
                PROCESSES, "POST", f"{server.base_url}{LOYALTY}/customers", headers, bodies
            )
            assert Counter(status for status, _ in outcomes) == {201: len(bodies)}, outcomes
            assert (await code_of(http, tenant, "referrer", campaign_id))["uses_count"] == MAX_USES
            assert await total(http, tenant, "referrer", referrer_reward) == 50 * MAX_USES
            rewarded = [await total(http, tenant, str(body["id"]), referee_reward) for body in bodies]
            assert sorted(rewarded, reverse=True) == [10] * MAX_USES + [0] * (len(bodies) - MAX_USES)


async def test_concurrent_events_punch_every_card_exactly(
    database_url: str, workdir: Path, tenant: Tenant
) -> None:
    punches, events = 4, 20
    with live_server(database_url, workdir) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
            _, reward_id = await punch_campaign(http, tenant, punches=punches)
            await new_customer(http, tenant, "ana")
            headers = await tenant.loyalty(http)
            bodies = [
                {
                    "customer_id": "ana",
                    "brand_id": None,
                    "type": "PURCHASE",
                    "order": {"value": 20, "purchase_id": f"p{n}"},
                }
                for n in range(events)
            ]
            outcomes = concurrent_requests(
                PROCESSES, "POST", f"{server.base_url}{LOYALTY}/behavior/events", headers, bodies
            )
            assert Counter(status for status, _ in outcomes) == {201: events}, outcomes
            listed = await cards(http, tenant)
            completed = events // punches
            assert [(card["punches"], card["completed"]) for card in listed] == [
                (punches, True)
            ] * completed + [(0, False)]
            assert await total(http, tenant, "ana", reward_id) == 25 * completed
