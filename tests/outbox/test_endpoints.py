"""Managing webhook endpoints on both faces: envelopes, one-time secrets, rotation, validation, SSRF."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from perks.app import create_app
from tests import conftest
from tests.outbox.conftest import create_endpoint
from tests.support.tenants import AFFILIATE, LOYALTY, Tenant

HOOK = "http://127.0.0.1:9/hook"


async def test_affiliate_face_crud(client: httpx.AsyncClient, tenant: Tenant) -> None:
    created = await client.post(
        f"{AFFILIATE}/webhooks",
        headers=tenant.affiliate,
        json={"url": HOOK, "events": ["commission.created", "payout.paid"], "description": "ERP"},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == 201 and body["message"] == "Webhook endpoint created successfully"
    data = body["data"]
    assert data["secret"].startswith("whsec_")
    assert data["active"] is True and data["events"] == ["commission.created", "payout.paid"]
    assert data["createdAt"].endswith("Z") and len(data["createdAt"]) == 24
    endpoint_id = data["id"]

    one = await client.get(f"{AFFILIATE}/webhooks?endpointId={endpoint_id}", headers=tenant.affiliate)
    assert one.json()["message"] == "Webhook endpoint fetched successfully"
    assert "secret" not in one.json()["data"]
    assert one.json()["data"]["description"] == "ERP"

    updated = await client.put(
        f"{AFFILIATE}/webhooks?endpointId={endpoint_id}",
        headers=tenant.affiliate,
        json={"active": False, "description": None},
    )
    assert updated.status_code == 200
    assert updated.json()["data"] | {"updatedAt": None} == one.json()["data"] | {
        "active": False,
        "description": None,
        "updatedAt": None,
    }

    listing = await client.get(f"{AFFILIATE}/webhooks/list", headers=tenant.affiliate)
    assert [item["id"] for item in listing.json()["data"]["items"]] == [endpoint_id]
    assert listing.json()["data"]["pagination"]["total"] == 1
    bare = await client.get(f"{AFFILIATE}/webhooks", headers=tenant.affiliate)
    assert bare.json()["data"]["items"] == listing.json()["data"]["items"]

    deleted = await client.delete(f"{AFFILIATE}/webhooks?endpointId={endpoint_id}", headers=tenant.affiliate)
    assert deleted.json() == {"status": 200, "message": "Webhook endpoint deleted successfully"}
    gone = await client.get(f"{AFFILIATE}/webhooks?endpointId={endpoint_id}", headers=tenant.affiliate)
    assert gone.status_code == 404
    assert gone.json() == {"status": 404, "message": "Webhook endpoint not found"}


async def test_loyalty_face_crud_by_path_and_by_query(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = await tenant.loyalty(client)
    created = await client.post(
        f"{LOYALTY}/webhooks", headers=headers, json={"url": HOOK, "events": ["CUSTOMER_REGISTRATION"]}
    )
    assert created.status_code == 201
    data = created.json()["data"]
    assert data["secret"].startswith("whsec_") and "created_at" in data and data["description"] is None
    endpoint_id = data["id"]

    by_path = await client.get(f"{LOYALTY}/webhooks/{endpoint_id}", headers=headers)
    by_query = await client.get(f"{LOYALTY}/webhooks?endpoint_id={endpoint_id}", headers=headers)
    by_camel = await client.get(f"{LOYALTY}/webhooks?endpointId={endpoint_id}", headers=headers)
    assert by_path.json() == by_query.json() == by_camel.json()
    assert (
        by_path.json()["data"]["events"] == ["CUSTOMER_REGISTRATION"]
        and "secret" not in by_path.json()["data"]
    )

    updated = await client.put(
        f"{LOYALTY}/webhooks/{endpoint_id}",
        headers=headers,
        json={"events": ["TIER_UPGRADE", "TIER_UPGRADE"]},
    )
    assert updated.json()["data"]["events"] == ["TIER_UPGRADE"]
    listing = await client.get(f"{LOYALTY}/webhooks", headers=headers)
    assert [item["id"] for item in listing.json()["data"]] == [endpoint_id]

    deleted = await client.delete(f"{LOYALTY}/webhooks/{endpoint_id}", headers=headers)
    assert deleted.json() == {"data": {"id": endpoint_id, "deleted": True}}
    gone = await client.get(f"{LOYALTY}/webhooks/{endpoint_id}", headers=headers)
    assert gone.status_code == 404
    assert gone.json() == {"error": "Not found", "details": "Webhook endpoint not found"}


async def test_both_faces_manage_the_same_endpoints(client: httpx.AsyncClient, tenant: Tenant) -> None:
    endpoint = await create_endpoint(client, tenant, HOOK, ["sale.created", "COUPON_REDEEMED"])
    seen = await client.get(f"{LOYALTY}/webhooks/{endpoint['id']}", headers=await tenant.loyalty(client))
    assert seen.json()["data"]["events"] == ["sale.created", "COUPON_REDEEMED"]


async def test_rotation_returns_a_new_secret_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    endpoint = await create_endpoint(client, tenant, HOOK, ["payout.paid"])
    rotated = await client.post(
        f"{AFFILIATE}/webhooks/rotate-secret?endpointId={endpoint['id']}", headers=tenant.affiliate
    )
    assert rotated.status_code == 200
    assert rotated.json()["message"] == "Webhook secret rotated successfully"
    new_secret = rotated.json()["data"]["secret"]
    assert new_secret.startswith("whsec_") and new_secret != endpoint["secret"]
    again = await client.post(
        f"{LOYALTY}/webhooks/{endpoint['id']}/rotate-secret", headers=await tenant.loyalty(client)
    )
    assert again.json()["data"]["secret"] not in {new_secret, endpoint["secret"]}


async def test_another_tenants_endpoint_is_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    endpoint = await create_endpoint(client, tenant, HOOK, ["payout.paid"])
    query = f"endpointId={endpoint['id']}"
    for method, path in (
        ("GET", f"{AFFILIATE}/webhooks?{query}"),
        ("PUT", f"{AFFILIATE}/webhooks?{query}"),
        ("DELETE", f"{AFFILIATE}/webhooks?{query}"),
        ("POST", f"{AFFILIATE}/webhooks/rotate-secret?{query}"),
        ("POST", f"{AFFILIATE}/webhooks/test?{query}"),
        ("GET", f"{AFFILIATE}/webhooks/deliveries?{query}"),
    ):
        response = await client.request(method, path, headers=other_tenant.affiliate, json={})
        assert response.status_code == 404, (method, path, response.text)
    listing = await client.get(f"{LOYALTY}/webhooks", headers=await other_tenant.loyalty(client))
    assert listing.json() == {"data": []}
    missing = await client.post(
        f"{AFFILIATE}/webhooks/deliveries/redeliver?deliveryId={endpoint['id']}", headers=tenant.affiliate
    )
    assert missing.json() == {"status": 404, "message": "Webhook delivery not found"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": ["payout.paid"]}, "url"),
        ({"url": "ftp://example.com/x", "events": ["payout.paid"]}, "url"),
        ({"url": "not a url", "events": ["payout.paid"]}, "url"),
        ({"url": "http://:80/", "events": ["payout.paid"]}, "url"),
        ({"url": HOOK}, "events"),
        ({"url": HOOK, "events": []}, "events"),
        ({"url": HOOK, "events": ["payout.exploded"]}, "events"),
        ({"url": HOOK, "events": ["webhook.test"]}, "events"),
        ({"url": HOOK, "events": ["payout.paid"], "active": "sometimes"}, "active"),
        ({"url": HOOK, "events": ["payout.paid"], "description": "x" * 501}, "description"),
    ],
)
async def test_bad_endpoints_are_400s_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant, body: dict[str, object], field: str
) -> None:
    response = await client.post(f"{AFFILIATE}/webhooks", headers=tenant.affiliate, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith(f"{field}"), response.text
    loyalty = await client.post(f"{LOYALTY}/webhooks", headers=await tenant.loyalty(client), json=body)
    assert loyalty.status_code == 400
    assert field in loyalty.json()["details"]
    listing = await client.get(f"{AFFILIATE}/webhooks/list", headers=tenant.affiliate)
    assert listing.json()["data"]["items"] == []


async def test_public_keys_cannot_manage_webhooks(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(f"{AFFILIATE}/webhooks/list", headers=tenant.affiliate_public)
    assert response.status_code == 403
    loyalty = await client.get(f"{LOYALTY}/webhooks", headers=await tenant.loyalty(client, public=True))
    assert loyalty.status_code == 403


@pytest.fixture
async def strict_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app that refuses private webhook targets (the production default)."""
    application = create_app(conftest.test_settings(database_url, allow_private_webhooks=False))
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://perks.test") as http:
        yield http
    await application.state.db.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://[fd00:ec2::254]/",  # AWS metadata over IPv6
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "https://10.0.0.7/hook",
        "http://192.168.1.1/",
        "http://[::1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://0.0.0.0/",
        "http://100.100.100.200/",  # Alibaba metadata (shared address space)
        "http://224.0.0.1/",  # multicast
        "http://[ff02::1]/",  # IPv6 multicast
        "http://[64:ff9b::7f00:1]/",  # NAT64 to 127.0.0.1
        "http://[64:ff9b:1::a00:1]/",  # local-use NAT64
        "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
        "http://255.255.255.255/",  # broadcast
        "http://240.0.0.1/",  # reserved
    ],
)
async def test_private_and_metadata_targets_are_refused(
    strict_client: httpx.AsyncClient, tenant: Tenant, url: str
) -> None:
    response = await strict_client.post(
        f"{AFFILIATE}/webhooks", headers=tenant.affiliate, json={"url": url, "events": ["payout.paid"]}
    )
    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith("url: resolves to a private")


async def test_a_public_address_is_accepted_and_updates_are_checked_too(
    strict_client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await strict_client.post(
        f"{AFFILIATE}/webhooks",
        headers=tenant.affiliate,
        json={"url": "https://93.184.215.14/hook", "events": ["payout.paid"]},
    )
    assert created.status_code == 201, created.text
    moved = await strict_client.put(
        f"{AFFILIATE}/webhooks?endpointId={created.json()['data']['id']}",
        headers=tenant.affiliate,
        json={"url": "http://169.254.169.254/"},
    )
    assert moved.status_code == 400
    assert moved.json()["message"].startswith("url: resolves to a private")
