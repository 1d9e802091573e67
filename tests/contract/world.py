"""Real resources for the hostile-input tests to aim at: an id in a path, a query string or a body names a
row that exists (made through the API, on demand), so hostile values reach the code that updates and
reads rows instead of stopping at a 404."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx

from tests.support import affiliate, catalog
from tests.support.events import running_campaign
from tests.support.tenants import LOYALTY, Tenant


class World:
    def __init__(self, client: httpx.AsyncClient, tenant: Tenant) -> None:
        self.client = client
        self.tenant = tenant
        self.made: dict[str, str] = {"workspaceId": tenant.workspace_id, "workspace_id": tenant.workspace_id}
        self.makers: dict[str, Callable[[], Awaitable[str]]] = {
            "brand_id": self._brand,
            "reward_id": self._reward,
            "tier_id": self._tier,
            "campaign_id": self._loyalty_campaign,
            "customer_id": self._customer,
            "event_id": self._event,
            "endpoint_id": self._endpoint,
            "endpointId": self._endpoint,
            "campaignId": self._affiliate_campaign,
            "affiliateId": self._affiliate,
            "affiliateLinkId": self._link_id,
            "referral_code": self._link_code,
            "referralCode": self._link_code,
            "referredUser": self._referred_user,
            "commissionId": self._commission,
        }

    async def ids(self, names: Iterable[str]) -> dict[str, str]:
        """Real values for the names an operation uses, made on first use."""
        for name in names:
            if name not in self.made and name in self.makers:
                self.made[name] = await self.makers[name]()
        return dict(self.made)

    async def _value(self, name: str) -> str:
        return (await self.ids([name]))[name]

    async def _loyalty(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return await catalog.create(self.client, self.tenant, path, body)

    async def _brand(self) -> str:
        return str((await self._loyalty("/brands", {"name": "Fuzz brand"}))["id"])

    async def _reward(self) -> str:
        return await catalog.reward(self.client, self.tenant)

    async def _tier(self) -> str:
        return str((await self._loyalty("/tiers", {"name": "Fuzz tier"}))["id"])

    async def _loyalty_campaign(self) -> str:
        campaign_id, _reward = await running_campaign(
            self.client, self.tenant, await self._value("reward_id")
        )
        return campaign_id

    async def _customer(self) -> str:
        body = {"id": "fuzz-customer", "name": "Fuzz", "email": f"{uuid.uuid4().hex[:8]}@example.com"}
        return str((await self._loyalty("/customers", body))["customer"]["id"])

    async def _event(self) -> str:
        customer = await self._value("customer_id")
        body = {"customer_id": customer, "brand_id": None, "type": "PAGE_VIEW"}
        response = await self.client.post(
            f"{LOYALTY}/behavior/events", headers=await self.tenant.loyalty(self.client), json=body
        )
        assert response.status_code == 201, response.text
        return str(response.json()["data"]["id"])

    async def _endpoint(self) -> str:
        body = {"url": "http://127.0.0.1:9/fuzz", "events": ["payout.paid"]}
        return str((await affiliate.create(self.client, self.tenant, "webhooks", body))["id"])

    async def _affiliate_campaign(self) -> str:
        return str((await affiliate.campaign(self.client, self.tenant))["id"])

    async def _affiliate(self) -> str:
        campaign = await self._value("campaignId")
        return str((await affiliate.affiliate(self.client, self.tenant, campaignId=campaign))["id"])

    async def _link(self) -> dict[str, Any]:
        body = {
            "affiliateId": await self._value("affiliateId"),
            "referralCode": f"fuzz-{uuid.uuid4().hex[:8]}",
        }
        link = await affiliate.create(self.client, self.tenant, "links", body)
        self.made["affiliateLinkId"], self.made["referral_code"] = link["id"], link["referralCode"]
        self.made["referralCode"] = link["referralCode"]
        return link

    async def _link_id(self) -> str:
        return str((await self._link())["id"])

    async def _link_code(self) -> str:
        return str((await self._link())["referralCode"])

    async def _referred_user(self) -> str:
        body = {"referredTo": "fuzz.referred@example.com", "affiliateId": await self._value("affiliateId")}
        return str((await affiliate.create(self.client, self.tenant, "referred-users", body))["referredTo"])

    async def _commission(self) -> str:
        body = {
            "affiliateId": await self._value("affiliateId"),
            "referredUser": "buyer@example.com",
            "amount": 10,
        }
        return str((await affiliate.create(self.client, self.tenant, "commissions", body))["id"])
