"""Referral codes, and the rewards referees and referrers get, through the API on both databases."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx

from perks.loyalty.coupons.generator import ALPHABET
from tests.support.catalog import error
from tests.support.programs import (
    code_of,
    new_customer,
    post,
    referral_campaign,
    request_code,
    running_campaign,
    total,
)
from tests.support.tenants import Tenant

PURCHASE_ONLY = [[{"type": "Event Type", "operator": "equal", "primitive": "string", "value": "PURCHASE"}]]


async def test_request_code_is_idempotent(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, _, _ = await referral_campaign(client, tenant, max_uses=3)
    await new_customer(client, tenant, "ana")
    first = await request_code(client, tenant, "ana", campaign_id)
    assert first.status_code == 201, first.text
    data = first.json()["data"]
    assert set(data) == {
        "id",
        "code",
        "customer_id",
        "campaign_id",
        "uses_count",
        "max_uses",
        "created_at",
        "metadata",
    }
    assert len(data["code"]) == 8 and set(data["code"]) <= set(ALPHABET)
    assert (data["customer_id"], data["campaign_id"], data["uses_count"], data["max_uses"]) == (
        "ana",
        campaign_id,
        0,
        3,
    )
    again = await request_code(client, tenant, "ana", campaign_id)
    assert again.status_code == 200
    assert again.json()["data"] == data


async def test_concurrent_requests_create_one_code(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, _, _ = await referral_campaign(client, tenant)
    await new_customer(client, tenant, "ana")
    answers = await asyncio.gather(*(request_code(client, tenant, "ana", campaign_id) for _ in range(8)))
    assert sorted(answer.status_code for answer in answers) == [200] * 7 + [201], [a.text for a in answers]
    assert len({answer.json()["data"]["code"] for answer in answers}) == 1


async def test_request_code_refusals(client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant) -> None:
    campaign_id, reward_id, _ = await referral_campaign(client, tenant)
    coupons = await running_campaign(
        client, tenant, "COUPONS", reward_id, useCustomCodes=True, customCodes="X1", quantity=None
    )
    await new_customer(client, tenant, "ana")
    assert "campaign_id" in error(await request_code(client, tenant, "ana", coupons), 400)["details"]
    assert (
        error(await request_code(client, tenant, "ghost", campaign_id), 404)["error"] == "Customer not found"
    )
    await new_customer(client, other_tenant, "ana")
    assert error(await request_code(client, other_tenant, "ana", campaign_id), 404)["error"] == (
        "Campaign not found"
    )


async def test_registration_rewards_referee_and_referrer(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, referrer_reward, referee_reward = await referral_campaign(client, tenant)
    await new_customer(client, tenant, "ana")
    code = (await code_of(client, tenant, "ana", campaign_id))["code"]
    await new_customer(client, tenant, "bob", referral_code=code.lower())
    assert await total(client, tenant, "bob", referee_reward) == Decimal(10)
    assert await total(client, tenant, "ana", referrer_reward) == Decimal(50)
    assert (await code_of(client, tenant, "ana", campaign_id))["uses_count"] == 1


async def test_registration_ignores_unusable_codes(client: httpx.AsyncClient, tenant: Tenant) -> None:
    campaign_id, referrer_reward, referee_reward = await referral_campaign(client, tenant, max_uses=1)
    await new_customer(client, tenant, "ana")
    code = (await code_of(client, tenant, "ana", campaign_id))["code"]
    await new_customer(client, tenant, "bob", referral_code=code)
    await new_customer(client, tenant, "cy", referral_code="NOSUCHCODE")
    await new_customer(client, tenant, "dee", referral_code=code)  # used up (max_uses 1)
    assert [await total(client, tenant, name, referee_reward) for name in ("bob", "cy", "dee")] == [10, 0, 0]
    assert (await code_of(client, tenant, "ana", campaign_id))["uses_count"] == 1
    assert await total(client, tenant, "ana", referrer_reward) == Decimal(50)


async def test_events_refer_once_and_reward_the_referrer_when_rules_hold(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    campaign_id, referrer_reward, referee_reward = await referral_campaign(
        client, tenant, referrer_conditions=PURCHASE_ONLY
    )
    await new_customer(client, tenant, "ana")
    await new_customer(client, tenant, "bob")
    code = (await code_of(client, tenant, "ana", campaign_id))["code"]
    await _event(client, tenant, "ana", "SIGNUP", code)  # self-referral: ignored
    await _event(client, tenant, "bob", "SIGNUP", code)
    assert await total(client, tenant, "bob", referee_reward) == Decimal(10)
    assert await total(client, tenant, "ana", referrer_reward) == Decimal(0)  # SIGNUP does not meet the rules
    await _event(client, tenant, "bob", "PURCHASE", code)  # already referred: no second referee reward
    await _event(client, tenant, "bob", "PURCHASE", None)  # the referrer is rewarded once
    assert await total(client, tenant, "bob", referee_reward) == Decimal(10)
    assert await total(client, tenant, "ana", referrer_reward) == Decimal(50)
    assert await total(client, tenant, "ana", referee_reward) == Decimal(0)
    assert (await code_of(client, tenant, "ana", campaign_id))["uses_count"] == 1


async def _event(
    client: httpx.AsyncClient, tenant: Tenant, customer_id: str, kind: str, code: str | None
) -> None:
    body: dict[str, Any] = {"customer_id": customer_id, "brand_id": None, "type": kind, "referral_code": code}
    if kind == "PURCHASE":
        body["order"] = {"value": 20}
    response = await post(client, tenant, "/behavior/events", body)
    assert response.status_code == 201, response.text
