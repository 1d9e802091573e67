"""Hot routes call their endpoint directly when the request is well-formed (perks.web.direct_call), and
answer exactly as FastAPI's own handler does: the same requests are sent with the direct path and with it
turned off (a dependency override, which sends every request through FastAPI's handler), and compared."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI, routing

from perks.kit import encoding
from tests.support.events import EVENTS, customer, purchase, running_campaign, started
from tests.support.tenants import LOYALTY, Tenant


@pytest.fixture
def solved(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths whose dependencies FastAPI's handler solved (once per request it handles)."""
    calls: list[str] = []
    original = routing.solve_dependencies  # type: ignore[attr-defined]

    async def counting(**kwargs: Any) -> Any:
        calls.append(kwargs["request"].url.path)
        return await original(**kwargs)

    monkeypatch.setattr(routing, "solve_dependencies", counting)
    return calls


def _unused() -> None:
    """A dependency no route has: overriding it turns the direct path off without changing any answer."""


def _shown(response: httpx.Response) -> tuple[int, Any]:
    """Status and body, without what differs between two runs of the same request (ids, times)."""
    body = response.json()
    data = body.get("data")
    if response.status_code < 400 and "result" in data:  # an event
        for key in ("id", "issued_at", "processing_at", "resolved_at", "result"):
            data.pop(key)
        data["data"]["order"].pop("purchase_id", None)
        data["data"].pop("issued_at")
    return response.status_code, body


async def test_well_formed_hot_requests_skip_fastapis_solver(
    client: httpx.AsyncClient, tenant: Tenant, solved: list[str]
) -> None:
    await running_campaign(client, tenant)
    started(tenant)
    await customer(client, tenant)
    headers = await tenant.loyalty(client)
    solved.clear()
    event = await client.post(EVENTS, headers=headers, json=purchase(20, "direct-1"))
    read = await client.get(f"{LOYALTY}/customers/c1", headers=headers)
    dry = await client.post(f"{EVENTS}?dry_run=true", headers=headers, json=purchase(5, "direct-2"))
    again = await client.post(EVENTS, headers=headers, json=purchase(20, "direct-1"))
    assert (event.status_code, read.status_code, dry.status_code, again.status_code) == (201, 200, 201, 200)
    assert again.json()["data"]["id"] == event.json()["data"]["id"]
    assert dry.headers["Perks-Dry-Run"] == "true"
    assert read.json()["data"]["wallet"]["totals"][0]["total"] == 20
    assert solved == []
    refused = await client.post(EVENTS, headers=headers, json=purchase("twenty"))
    assert refused.status_code == 400
    assert solved == [EVENTS]  # a body that does not validate goes to FastAPI, whose error the face answers


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", EVENTS, purchase(20, "same-1")),
        ("POST", f"{EVENTS}?dry_run=true", purchase(7)),
        ("POST", f"{EVENTS}?dry_run=maybe", purchase(7)),  # a query that does not validate
        ("POST", EVENTS, purchase(-1)),
        ("POST", EVENTS, {"customer_id": "c1", "type": "PURCHASE", "order": {"value": 1}, "extra": [1]}),
        ("POST", EVENTS, purchase(20, customer_id="nobody")),
        ("POST", EVENTS, None),  # no body
        ("POST", f"{LOYALTY}/coupons/redeem", {"customer_id": "c1", "code": "NOPE", "brand_id": None}),
        ("POST", f"{LOYALTY}/coupons/redeem", {"customer_id": "c1"}),
        ("GET", f"{LOYALTY}/customers/c1", None),
        ("GET", f"{LOYALTY}/customers/nobody", None),
    ],
)
async def test_direct_and_standard_answers_are_alike(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, method: str, path: str, body: Any
) -> None:
    await running_campaign(client, tenant)
    started(tenant)
    await customer(client, tenant)
    headers = await tenant.loyalty(client)
    content = None if body is None else encoding.dumps(body)
    json_headers = headers | {"content-type": "application/json"}
    direct = await client.request(method, path, headers=json_headers, content=content)
    if body is not None and "purchase_id" in body.get("order", {}):
        body = body | {"order": body["order"] | {"purchase_id": body["order"]["purchase_id"] + "-b"}}
        content = encoding.dumps(body)
    app.dependency_overrides[_unused] = _unused
    try:
        standard = await client.request(method, path, headers=json_headers, content=content)
    finally:
        app.dependency_overrides.pop(_unused)
    assert _shown(direct) == _shown(standard)
    assert direct.headers.get("content-type") == standard.headers.get("content-type")
