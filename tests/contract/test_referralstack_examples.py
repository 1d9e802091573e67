# ruff: noqa: E501 - the documented request lines are quoted verbatim, whatever their length
"""Replays every request example of the ReferralStack docs (seed 004 and spec/referralstack-api.md)
verbatim against Perks and checks the documented response shape.

The examples name rows that do not exist here, so each documented id is swapped for the id of a real row
of the same kind (campaign, affiliate, link, commission, workspace) created beforehand through the API;
every other byte of path, query and body is as documented."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from tests.support.tenants import AFFILIATE, Tenant

ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
DOC_KEY = "rs_live_e6761c15744c9be53be18802278fd3da751d03ce"
INVALID_KEY = {"status": 401, "message": "Invalid API key. Please check your API key and try again."}

# Documented response objects (seed 004 "Update campaign" 200 example; Introduction list example;
# Create Affiliate example; Create Referred User body). Values give the JSON types to expect.
CAMPAIGN = {
    "id": "3979878d-3ee6-49e1-8104-5ade64277dca",
    "campaignName": "Summer 2025",
    "commissionType": "percentage",
    "amount": 15,
    "minimumPayoutAmount": 20,
    "payoutId": "51b0230d-dc47-4f86-9a83-8cb1a4c3c66d",
    "workspaceId": "5bb8cbe6-67dc-4b07-853e-7ca5454f8512",
    "requiresApprovalToJoin": False,
    "collectAdditionalInfo": True,
    "hideCustomerEmail": True,
    "payoutTerm": 30,
    "url": "https://example.com",
    "affiliatePortalWelcomeMessage": "Welcome to our affiliate program!",
    "affiliateDashboardText": "Track your referrals and earnings here.",
    "stripeCouponId": "",
    "allowedUrlParameters": ["via", "aff"],
    "isDefault": False,
    "createdAt": "2025-12-29T04:40:04.929Z",
    "updatedAt": "2025-12-29T10:35:04.063Z",
}
AFFILIATE_ITEM = {
    "id": "3f6a9c1e-8b44-4c6e-9d4f-2e6b8f4a1c92",
    "email": "john@example.com",
    "firstName": "John",
    "lastName": "Doe",
    "status": "active",
    "workspaceId": "5bb8cbe6-67dc-4b07-853e-7ca5454f8512",
    "createdAt": "2025-01-15T10:30:00.000Z",
    "updatedAt": "2025-01-15T10:30:00.000Z",
}
AFFILIATE_OBJECT = AFFILIATE_ITEM | {
    "notes": "Affiliate onboarded via admin panel",
    "campaignId": "9112d17b-0c77-45ab-a82f-f963f135b63d",
    "payoutEmail": "jane.payout@example.com",
    "payoutMethod": "PAYPAL",
}
REFERRED_USER = {
    "referredTo": "user@example.com",
    "affiliateId": "d3a1153d-cb87-4644-8429-7ecf1a7c3257",
    "workspaceId": "5bb8cbe6-67dc-4b07-853e-7ca5454f8512",
    "campaignId": "8b9cd67a-bc33-468f-bf31-2c3d25000000",
    "amount": "50.00",
    "adminEarnedAmount": "5.00",
    "status": "pending",
    "payoutDate": None,
    "name": None,
    "remarks": "Manual commission for referral",
    "isSelfReferral": False,
}
LINK = {"id": "af1c9d21-3b4e-4f1a-9c12-9a1e2f3d4b5c", "affiliateId": "05ddfd92-1abe-41e6-8bad-467256954bc6",
        "referralCode": "sand", "urlParameter": "via"}  # fmt: skip
COMMISSION = {
    "campaignId": "a4845c6c-297b-4e1f-92d6-db7ca2ac5200",
    "affiliateId": "d3a1153d-cb87-4644-8429-7ecf1a7c3257",
    "referredUser": "user@example.com",
    "amount": "50.00",
}
PAGINATION = {"page": 1, "limit": 25, "total": 1, "totalPages": 1}
SEED_CAMPAIGN_BODY = {
    "campaignName": "Summer 2025 Promotion",
    "workspaceId": "5bb8cbe6-67dc-4b07-853e-7ca5454f8512",
    "url": "https://example.com",
    "amount": 15.5,
    "minimumPayoutAmount": 50.00,
    "requiresApprovalToJoin": False,
    "collectAdditionalInfo": True,
    "hideCustomerEmail": True,
    "payoutTerm": 30,
    "affiliatePortalWelcomeMessage": "Welcome to our affiliate program!",
    "affiliateDashboardText": "Track your referrals and earnings here.",
    "stripeCouponId": "",
    "allowedUrlParameters": ["ref", "via", "aff"],
    "isDefault": False,
}


@dataclass(frozen=True)
class Example:
    name: str
    method: str
    path: str
    status: int
    message: str | None
    body: Any = None
    form: dict[str, str] | None = None
    data: Any = None  # documented shape of `data`; None: no data key (deletes)


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"items": [item], "pagination": PAGINATION}


EXAMPLES = [
    Example("Get All Campaigns", "GET",
            "/campaigns/list?page=1&limit=50&workspaceId=5bb8cbe6-67dc-4b07-853e-7ca5454f8515&orderType=createdAt&orderValue=ASC",
            200, "Campaigns fetched successfully", data={"items": [CAMPAIGN], "pagination": {}}),
    Example("Get All Campaigns (DESC)", "GET",
            "/campaigns/list?page=1&limit=50&workspaceId=5bb8cbe6-67dc-4b07-853e-7ca5454f8515&orderType=createdAt&orderValue=DESC",
            200, "Campaigns fetched successfully", data={"items": [CAMPAIGN], "pagination": {}}),
    Example("Get Campaign By ID", "GET", "/campaigns?campaignId=f7a3b9e1-4c2d-4a8f-9e3b-1d5c7a8b9f0e",
            200, "Campaign fetched successfully", data=CAMPAIGN),
    Example("Create campaign", "POST", "/campaigns", 201, "Campaign created successfully",
            body=SEED_CAMPAIGN_BODY | {"commissionType": "percentage"}, data=CAMPAIGN),
    Example("Update campaign (sample without an id)", "PUT", "/campaigns?campaignId", 400, None,
            body=SEED_CAMPAIGN_BODY),
    Example("Update campaign", "PUT", "/campaigns?campaignId=3979878d-3ee6-49e1-8104-5ade64277dca", 200,
            "Campaign updated successfully", body=SEED_CAMPAIGN_BODY, data=CAMPAIGN),
    Example("List affiliates", "GET",
            "/affiliates/list?page=1&limit=25&contains=john@example.com&workspaceId=5bb8cbe6-67dc-4b07-853e-7ca5454f8512&orderType=createdAt&orderValue=DESC",
            200, "Affiliates fetched successfully", data=page_of(AFFILIATE_ITEM)),
    Example("Get Affiliate By ID", "GET", "/affiliates?affiliateId=d3a1153d-cb87-4644-8429-7ecf1a7c3257",
            200, "Affiliate fetched successfully", data=AFFILIATE_OBJECT),
    Example("Create Affiliate", "POST", "/affiliates", 201, "Affiliate created successfully",
            body={key: AFFILIATE_OBJECT[key] for key in ("email", "notes", "workspaceId", "campaignId", "payoutEmail", "payoutMethod")}
            | {"email": "jane.doe@example.com", "firstName": "Jane", "lastName": "Doe"},
            data=AFFILIATE_OBJECT),
    Example("Update Affiliate", "PUT", "/affiliates?affiliateId=c97169b9-9e05-4e98-b27d-e35fedd8f0e9", 200,
            "Affiliate updated successfully",
            body={"firstName": "Jane", "lastName": "Updated", "notes": "Updated payout method and campaign",
                  "payoutEmail": "jane.updated.payout@example.com", "payoutMethod": "WISE", "isActive": True},
            data=AFFILIATE_OBJECT),
    Example("Delete Affiliate (sample without an id)", "DELETE", "/affiliates", 400, None),
    Example("Delete Affiliate", "DELETE", "/affiliates?affiliateId=c97169b9-9e05-4e98-b27d-e35fedd8f0e9", 200,
            "Affiliate deleted successfully"),
    Example("Get Affiliate Link By Affiliate ID", "GET", "/links?affiliateId=af1c9d21-3b4e-4f1a-9c12-9a1e2f3d4b5c",
            200, "Links fetched successfully", data={"items": [LINK], "pagination": {}}),
    Example("Create Affiliate Link", "POST", "/links", 201, "Affiliate link created successfully",
            body={"affiliateId": "05ddfd92-1abe-41e6-8bad-467256954bc6", "referralCode": "sand", "urlParameter": "via"},
            data=LINK | {"referralCode": "sand", "url": "https://example.com?via=sand"}),
    Example("Delete Affiliate Link", "DELETE", "/links?affiliateLinkId=af1c9d21-3b4e-4f1a-9c12-9a1e2f3d4b5c", 200,
            "Affiliate link deleted successfully"),
    Example("Create Commision", "POST", "/commissions", 201, "Commission created successfully",
            body={"campaignId": "a4845c6c-297b-4e1f-92d6-db7ca2ac5200", "affiliateId": "d3a1153d-cb87-4644-8429-7ecf1a7c3257",
                  "referredUser": "user@example.com", "amount": 50.00},
            data=COMMISSION),
    Example("Get All Commissions", "GET",
            "/commissions/list?page=1&limit=25&campaignId=a4845c6c-297b-4e1f-92d6-db7ca2ac5200&affiliateId=d3a1153d-cb87-4644-8429-7ecf1a7c3257&status=pending&orderType=createdAt&orderValue=DESC",
            200, "Commissions fetched successfully", data={"items": [COMMISSION], "pagination": {}}),
    Example("Get Commission By ID", "GET", "/commissions?commissionId=725cf3e1-c61d-4c3e-902d-6cdd5bbf7ee6", 200,
            "Commission fetched successfully", data=COMMISSION),
    Example("Update Commision", "PUT", "/commissions?commissionId=725cf3e1-c61d-4c3e-902d-6cdd5bbf7ee6", 200,
            "Commission updated successfully", body={"status": "processing"}, data=COMMISSION | {"status": "processing"}),
    Example("Delete Commision", "DELETE", "/comissions?commissionId=725cf3e1-c61d-4c3e-902d-6cdd5bbf7ee6", 200,
            "Commission deleted successfully"),
    Example("Get All Referred Users (form body)", "GET", "/referred-users/list", 200,
            "Referred users fetched successfully",
            form={"page": "1", "limit": "50", "campaignId": "8b9cd67a-bc33-468f-bf31-2c3d25000000"},
            data={"items": [REFERRED_USER], "pagination": {}}),
    Example("Get Referred User by Email", "GET", "/referred-users?referredUser=john@example.com", 200,
            "Referred user fetched successfully", data=REFERRED_USER),
    Example("Create Referred User", "POST", "/referred-users", 201, "Referred user created successfully",
            body=REFERRED_USER | {"referredTo": "user@example.com"}, data=REFERRED_USER),
    Example("Update Referred User", "PUT", "/referred-users?referredUser=john@example.com", 200,
            "Referred user updated successfully",
            body={"name": "John Doe", "remarks": "Updated commission for referral", "isSelfReferral": True, "invoiceId": None},
            data=REFERRED_USER | {"name": "John Doe", "isSelfReferral": True, "invoiceId": None}),
    Example("Delete Referred User", "DELETE", "/referred-users?referredUser=john@example.com", 200,
            "Referred user deleted successfully"),
]  # fmt: skip

ID_FIELDS = {
    "workspaceId": "workspace",
    "campaignId": "campaign",
    "affiliateId": "affiliate",
    "affiliateLinkId": "link",
    "commissionId": "commission",
}


@dataclass
class World:
    """Real rows standing in for the documented ones."""

    ids: dict[str, str]

    def swap(self, name: str, value: Any) -> Any:
        kind = ID_FIELDS.get(name)
        return self.ids[kind] if kind and isinstance(value, str) and value else value

    def path(self, path: str) -> str:
        parts = urlsplit(path)
        if not parts.query:
            return path
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        query = urlencode([(key, self.swap(key, value)) for key, value in pairs], safe="@")
        # "?campaignId" (no "=") stays exactly as the sample sends it.
        return path if "=" not in parts.query else f"{parts.path}?{query}"

    def fields(self, values: dict[str, Any]) -> dict[str, Any]:
        return {key: self.swap(key, value) for key, value in values.items()}


async def make_world(client: httpx.AsyncClient, tenant: Tenant) -> World:
    async def post(resource: str, body: dict[str, Any]) -> str:
        response = await client.post(f"{AFFILIATE}/{resource}", headers=tenant.affiliate, json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["data"]["id"])

    campaign = await post(
        "campaigns",
        {
            "campaignName": "Summer",
            "commissionType": "percentage",
            "amount": 15,
            "url": "https://example.com",
        },
    )
    affiliate = await post(
        "affiliates",
        {"email": "john@example.com", "firstName": "John", "lastName": "Doe", "notes": "",
         "payoutEmail": "john.payout@example.com", "payoutMethod": "PAYPAL"},
    )  # fmt: skip
    link = await post("links", {"affiliateId": affiliate, "referralCode": "john", "urlParameter": "via"})
    await post(
        "referred-users", {"referredTo": "john@example.com", "affiliateId": affiliate, "remarks": "Manual"}
    )
    commission = await post(
        "commissions", {"affiliateId": affiliate, "referredUser": "john@example.com", "amount": 50}
    )
    ids = {"workspace": tenant.workspace_id, "campaign": campaign, "affiliate": affiliate, "link": link,
           "commission": commission}  # fmt: skip
    return World(ids)


def assert_shape(documented: Any, actual: Any, where: str = "data") -> None:
    """`actual` has every documented key, each with the documented JSON type."""
    if isinstance(documented, dict):
        assert isinstance(actual, dict), where
        for key, value in documented.items():
            assert key in actual, f"{where}.{key} missing"
            assert_shape(value, actual[key], f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(actual, list), where
        if documented and actual:
            assert_shape(documented[0], actual[0], f"{where}[0]")
    elif isinstance(documented, bool):
        assert isinstance(actual, bool), where
    elif isinstance(documented, int | float):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), where
    elif isinstance(documented, str):
        assert isinstance(actual, str), where
        if ISO_MILLIS.match(documented):
            assert ISO_MILLIS.match(actual), f"{where}: {actual!r}"


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
async def test_documented_example(client: httpx.AsyncClient, tenant: Tenant, example: Example) -> None:
    world = await make_world(client, tenant)
    request: dict[str, Any] = {"headers": tenant.affiliate}
    if example.body is not None:
        request["content"] = json.dumps(world.fields(example.body))
        request["headers"] = tenant.affiliate | {"Content-Type": "application/json"}
    if example.form is not None:
        request["files"] = {key: (None, str(world.swap(key, value))) for key, value in example.form.items()}
    response = await client.request(example.method, AFFILIATE + world.path(example.path), **request)
    assert response.status_code == example.status, response.text
    body = response.json()
    assert body["status"] == example.status
    if example.status >= 400:
        assert set(body) == {"status", "message"}
        return
    assert body["message"] == example.message
    if example.data is None:
        assert set(body) == {"status", "message"}
    else:
        assert set(body) == {"status", "message", "data"}
        assert_shape(example.data, body["data"])


async def test_documented_key_is_refused_with_the_documented_401(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{AFFILIATE}/campaigns/list", headers={"x-auth-referralstack": DOC_KEY})
    assert response.status_code == 401
    assert response.json() == INVALID_KEY
