"""Helpers for coupon, referral and punch-card tests: running campaigns, customers and wallets via the API."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from tests.support.catalog import ORDER_OVER, campaign_body, iso, post_campaign, reward
from tests.support.tenants import LOYALTY, Tenant

ANY_ORDER: list[list[dict[str, Any]]] = []  # no conditions: always holds


def effect_rules(reward_id: str, amount: Any = 100, conditions: Any = None, **effect: Any) -> str:
    rules = [
        {
            "conditions": ANY_ORDER if conditions is None else conditions,
            "effects": [{"reward_id": reward_id, "amount": amount} | effect],
        }
    ]
    return json.dumps(rules)


async def running_campaign(
    client: httpx.AsyncClient, tenant: Tenant, campaign_type: str, reward_id: str, **overrides: Any
) -> str:
    """A campaign that is RUNNING now (it starts at this moment), with no budget unless given."""
    body = campaign_body(
        reward_id,
        **(
            {
                "rules": effect_rules(reward_id),
                "attributes": {},
                "start_date": iso(timedelta(0)),
                "budget": None,
                "divide_budget_in": None,
            }
            | overrides
        ),
    )
    response = await post_campaign(client, tenant, campaign_type, body)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


async def coupon_campaign(
    client: httpx.AsyncClient, tenant: Tenant, codes: str, reward_id: str | None = None, **overrides: Any
) -> tuple[str, str]:
    """(campaign id, reward id) of a running COUPONS campaign with the given custom codes."""
    reward_id = reward_id or await reward(client, tenant)
    campaign_id = await running_campaign(
        client,
        tenant,
        "COUPONS",
        reward_id,
        **({"useCustomCodes": True, "customCodes": codes, "quantity": None} | overrides),
    )
    return campaign_id, reward_id


async def customer(
    client: httpx.AsyncClient, tenant: Tenant, customer_id: str, **fields: Any
) -> httpx.Response:
    body = {"id": customer_id, "name": customer_id, "email": f"{customer_id}@example.com"} | fields
    return await client.post(f"{LOYALTY}/customers", headers=await tenant.loyalty(client), json=body)


async def new_customer(client: httpx.AsyncClient, tenant: Tenant, customer_id: str, **fields: Any) -> None:
    response = await customer(client, tenant, customer_id, **fields)
    assert response.status_code == 201, response.text


async def total(client: httpx.AsyncClient, tenant: Tenant, customer_id: str, reward_id: str) -> Decimal:
    response = await client.get(f"{LOYALTY}/customers/{customer_id}", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    totals = response.json()["data"]["wallet"]["totals"]
    return sum((Decimal(str(t["total"])) for t in totals if t["reward_id"] == reward_id), Decimal(0))


async def post(client: httpx.AsyncClient, tenant: Tenant, path: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"{LOYALTY}{path}", headers=await tenant.loyalty(client), json=body)


async def punch_campaign(
    client: httpx.AsyncClient, tenant: Tenant, punches: int = 3, conditions: Any = None, **attributes: Any
) -> tuple[str, str]:
    reward_id = await reward(client, tenant)
    campaign_id = await running_campaign(
        client,
        tenant,
        "PUNCH_CARDS",
        reward_id,
        rules=effect_rules(reward_id, 25, conditions=[[ORDER_OVER]] if conditions is None else conditions),
        attributes={"punches": punches} | attributes,
    )
    return campaign_id, reward_id


async def cards(client: httpx.AsyncClient, tenant: Tenant, customer_id: str = "ana") -> list[dict[str, Any]]:
    response = await client.get(
        f"{LOYALTY}/customers/{customer_id}/punch-cards", headers=await tenant.loyalty(client)
    )
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def referral_campaign(
    client: httpx.AsyncClient, tenant: Tenant, *, max_uses: int | None = None, referrer_conditions: Any = None
) -> tuple[str, str, str]:
    """(campaign id, referrer reward id, referee reward id): referrers get 50, referees 10."""
    referrer_reward, referee_reward = await reward(client, tenant), await reward(client, tenant)
    attributes = {} if max_uses is None else {"max_uses": max_uses}
    campaign_id = await running_campaign(
        client,
        tenant,
        "REFERRALS",
        referrer_reward,
        rules=effect_rules(referrer_reward, 50, conditions=referrer_conditions),
        referee_rules_json=effect_rules(referee_reward, 10),
        attributes=attributes,
    )
    return campaign_id, referrer_reward, referee_reward


async def request_code(
    client: httpx.AsyncClient, tenant: Tenant, customer_id: str, campaign_id: str
) -> httpx.Response:
    return await post(
        client, tenant, f"/customers/{customer_id}/referrals/request-code", {"campaign_id": campaign_id}
    )


async def code_of(
    client: httpx.AsyncClient, tenant: Tenant, customer_id: str, campaign_id: str
) -> dict[str, Any]:
    response = await request_code(client, tenant, customer_id, campaign_id)
    assert response.status_code in (200, 201), response.text
    data: dict[str, Any] = response.json()["data"]
    return data
