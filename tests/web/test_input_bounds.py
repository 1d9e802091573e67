"""Hostile JSON and numbers are 400s naming the field, on both faces, and change nothing: lone surrogates,
deep nesting, NaN/Infinity/huge numbers, overflowing list offsets (each of these was a 500)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from perks.kit.json_input import MAX_DEPTH
from tests.support.catalog import campaign_body, post_campaign, reward
from tests.support.events import EVENTS, customer, purchase, running_campaign, started
from tests.support.tenants import AFFILIATE, LOYALTY, Tenant

JSON = {"content-type": "application/json"}
SURROGATE = "must be valid Unicode text"


async def loyalty_headers(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, str]:
    return {**await tenant.loyalty(client), **JSON}


def nested(depth: int) -> Any:
    """`depth` levels of arrays and objects, alternating."""
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


async def brand_count(client: httpx.AsyncClient, tenant: Tenant) -> int:
    headers = await tenant.loyalty(client)
    response = await client.get(f"{LOYALTY}/brands", headers=headers)
    assert response.status_code == 200, response.text
    return len(response.json()["data"])


@pytest.mark.parametrize(
    ("path", "raw", "field"),
    [
        ("/brands", b'{"name":"b","description":"\\ud800"}', "description"),
        ("/brands", b'{"name":"b","metadata":{"k":["ok","\\udfff"]}}', "metadata.k[1]"),
        ("/brands", b'{"name":"b","metadata":{"\\ud83d":1}}', "metadata.\\ud83d"),
        ("/customers", b'{"id":"c","name":"n","email":"a@b.co","tags":{"t":"\\ud800"}}', "tags.t"),
        ("/tiers", b'{"name":"t","level":2,"description":"\\ud800x"}', "description"),
    ],
)
async def test_a_lone_surrogate_is_a_400_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant, path: str, raw: bytes, field: str
) -> None:
    before = await brand_count(client, tenant)
    response = await client.post(
        f"{LOYALTY}{path}", headers=await loyalty_headers(client, tenant), content=raw
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "Invalid request"
    assert body["details"].startswith(f"{field}: {SURROGATE}")
    assert await brand_count(client, tenant) == before


async def test_the_affiliate_face_refuses_surrogates_in_its_envelope(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    raw = b'{"email":"a@b.co","firstName":"\\ud800","lastName":"l"}'
    response = await client.post(f"{AFFILIATE}/affiliates", headers={**tenant.affiliate, **JSON}, content=raw)
    assert response.status_code == 400
    assert response.json() == {"status": 400, "message": response.json()["message"]}
    assert response.json()["message"].startswith(f"firstName: {SURROGATE}")


async def test_a_surrogate_inside_a_json_string_field_is_refused(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """Campaign `metadata` is a JSON object sent as a string: its own contents are bounded too."""
    reward_id = await reward(client, tenant)
    body = campaign_body(reward_id, metadata='{"note": "\\ud800"}')
    response = await post_campaign(client, tenant, "BEHAVIOR", body)
    assert response.status_code == 400, response.text
    assert response.json()["details"].startswith(f"metadata.note: {SURROGATE}")
    deep = campaign_body(reward_id, metadata=json.dumps({"k": nested(MAX_DEPTH + 5)}))
    response = await post_campaign(client, tenant, "BEHAVIOR", deep)
    assert response.status_code == 400, response.text
    assert response.json()["details"].startswith("metadata: must not nest")


async def test_nesting_is_bounded_at_parse_time(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = await loyalty_headers(client, tenant)
    before = await brand_count(client, tenant)
    deepest = {"name": "deep enough", "metadata": nested(MAX_DEPTH - 1)}
    accepted = await client.post(f"{LOYALTY}/brands", headers=headers, content=json.dumps(deepest))
    assert accepted.status_code == 201, accepted.text
    for depth in (MAX_DEPTH, 256, 100_000):
        raw = '{"name":"b","metadata":' + "[" * depth + "]" * depth + "}"
        response = await client.post(f"{LOYALTY}/brands", headers=headers, content=raw)
        assert response.status_code == 400, (depth, response.text)
        details = response.json()["details"]
        assert details == f"metadata: must not nest arrays and objects deeper than {MAX_DEPTH} levels" or (
            details.startswith("body: must not nest")
        )
    assert await brand_count(client, tenant) == before + 1


async def test_deep_json_is_refused_on_the_affiliate_face_and_in_events(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    raw = '{"email":"a@b.co","firstName":"f","lastName":"l","notes":' + "[" * 300 + "]" * 300 + "}"
    response = await client.post(f"{AFFILIATE}/affiliates", headers={**tenant.affiliate, **JSON}, content=raw)
    assert response.status_code == 400 and "deeper than" in response.json()["message"]
    event = purchase(metadata=nested(MAX_DEPTH + 1))
    response = await client.post(EVENTS, headers=await tenant.loyalty(client), json=event)
    assert response.status_code == 400 and response.json()["details"].startswith("metadata: must not nest")
    preview = {"customer_id": "c1", "order": {"value": 1, "metadata": nested(300)}}
    response = await client.put(
        f"{LOYALTY}/events/redeem/preview", headers=await tenant.loyalty(client), json=preview
    )
    assert response.status_code == 400 and "deeper than" in response.json()["details"]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
async def test_non_finite_numbers_are_refused_anywhere_in_a_body(
    client: httpx.AsyncClient, tenant: Tenant, number: str
) -> None:
    raw = '{"name":"b","metadata":{"n":' + number + "}}"
    response = await client.post(
        f"{LOYALTY}/brands", headers=await loyalty_headers(client, tenant), content=raw
    )
    assert response.status_code == 400
    assert response.json()["details"] == "metadata.n: must be a finite number"


@pytest.mark.parametrize("factor", ["NaN", "Infinity", '"NaN"', '"Infinity"', '"-1e999999"', "1e30", "0"])
async def test_a_reward_conversion_factor_must_be_a_bounded_positive_number(
    client: httpx.AsyncClient, tenant: Tenant, factor: str
) -> None:
    raw = '{"name":"r","type":"POINTS","attributes":{"conversion_factor":' + factor + "}}"
    response = await client.post(
        f"{LOYALTY}/rewards", headers=await loyalty_headers(client, tenant), content=raw
    )
    assert response.status_code == 400, response.text
    assert response.json()["details"].startswith("attributes.conversion_factor: must be")
    fine = '{"name":"r","type":"POINTS","attributes":{"conversion_factor":0.01}}'
    response = await client.post(
        f"{LOYALTY}/rewards", headers=await loyalty_headers(client, tenant), content=fine
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("value", [1e30, 1e13, "1e30", 10**40])
async def test_a_huge_order_value_is_a_400_in_a_per_unit_campaign(
    client: httpx.AsyncClient, tenant: Tenant, value: Any
) -> None:
    await running_campaign(client, tenant)
    started(tenant)
    await customer(client, tenant)
    response = await client.post(EVENTS, headers=await tenant.loyalty(client), json=purchase(value))
    assert response.status_code == 400, response.text
    assert response.json()["details"].startswith("order.value:")
    fine = await client.post(EVENTS, headers=await tenant.loyalty(client), json=purchase(20))
    assert fine.status_code == 201, fine.text


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/webhooks/deliveries?from=9223372036854775808", "from"),
        ("/webhooks/deliveries?from=1e30", "from"),
        ("/webhooks/deliveries?from=0&to=99999999999999999999", "to"),
        ("/rewards?from=9223372036854775808&to=9223372036854775809", "from"),
        ("/campaigns?from=9223372036854775808", "from"),
        ("/customers/c1/transactions?year=9223372036854775808", "year"),
    ],
)
async def test_huge_offsets_are_400s_on_the_loyalty_face(
    client: httpx.AsyncClient, tenant: Tenant, path: str, field: str
) -> None:
    response = await client.get(f"{LOYALTY}{path}", headers=await tenant.loyalty(client))
    assert response.status_code == 400, response.text
    assert response.json()["details"].startswith(f"{field}:")


@pytest.mark.parametrize(
    "path",
    [
        "/workspaces/list",
        "/campaigns/list",
        "/affiliates/list",
        "/referred-users/list",
        "/commissions/list",
        "/payouts/list",
        "/webhooks/list",
        "/webhooks/deliveries",
    ],
)
@pytest.mark.parametrize("page", ["9223372036854775808", "1e30", "100000000000"])
async def test_huge_pages_are_400s_on_every_affiliate_list(
    client: httpx.AsyncClient, tenant: Tenant, path: str, page: str
) -> None:
    response = await client.get(f"{AFFILIATE}{path}?page={page}", headers=tenant.affiliate)
    assert response.status_code == 400, (path, response.text)
    assert response.json()["message"].startswith("page:")


async def test_escaped_backslash_u0000_text_is_not_a_nul(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = await loyalty_headers(client, tenant)
    text = "literal \\u0000 text"
    response = await client.post(f"{LOYALTY}/brands", headers=headers, content=json.dumps({"name": text}))
    assert response.status_code == 201, response.text
    assert response.json()["data"]["name"] == text
    real_nul = await client.post(f"{LOYALTY}/brands", headers=headers, content=json.dumps({"name": "a\x00b"}))
    assert real_nul.status_code == 400
    assert real_nul.json()["details"] == "name: must not contain NUL characters"
