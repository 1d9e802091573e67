"""Every route the Masivo storefront API documents is served by the loyalty face: it is in the OpenAPI
description and a request to it reaches the route (an answer asking for credentials, not the router's 404
or 405). A documented route we do not serve would have to be listed in NOT_SERVED, with why; none is."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.contract.test_openapi import SPEC
from tests.support.tenants import LOYALTY

# (method, path) of each route of the storefront documentation, by its section; ids are placeholders.
DOCUMENTED = [
    # 1. Auth
    ("GET", "/auth/authorize"),
    ("POST", "/auth/totp"),
    ("GET", "/auth/totp/verify"),
    # 2. Campaigns (DELETE has no public page; it is served all the same)
    ("GET", "/campaigns"),
    ("GET", "/campaigns/{id}"),
    ("POST", "/campaigns"),
    ("PUT", "/campaigns/{id}"),
    ("DELETE", "/campaigns/{id}"),
    # 3. Rewards, tiers
    ("GET", "/rewards"),
    ("GET", "/rewards/{id}"),
    ("POST", "/rewards"),
    ("GET", "/tiers"),
    # 4. Customers and wallets, referral codes, migration
    ("POST", "/customers"),
    ("GET", "/customers/{id}"),
    ("PATCH", "/customers/{id}"),
    ("PATCH", "/customers/{id}/identify/anonymous"),
    ("DELETE", "/customers/{id}/tags"),
    ("GET", "/customers/{id}/transactions"),
    ("GET", "/customers/{id}/consent"),
    ("PATCH", "/customers/{id}/consent"),
    ("POST", "/customers/{id}/referrals/request-code"),
    ("POST", "/customers/migrate"),
    ("POST", "/customers/migrate/transactions"),
    ("POST", "/customers/migrate/events"),  # the documentation names no path: ours, docs/migration.md
    # 5. Coupons
    ("POST", "/coupons/redeem"),
    ("POST", "/coupons/reverse"),
    # 6. Behavior events
    ("POST", "/behavior/events"),
    ("PATCH", "/behavior/events/{id}/fulfill"),
    ("POST", "/behavior/events/{id}/reverse"),
    ("PUT", "/events/redeem/preview"),
    # 8. Transactions
    ("GET", "/transactions"),
]
# Documented routes left out on purpose, each with why. Empty: every documented route is served.
NOT_SERVED: dict[tuple[str, str], str] = {}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


SERVED = {
    (method.upper(), _shape(path))
    for path, methods in SPEC["paths"].items()
    if path.startswith(LOYALTY)
    for method in methods
}


def test_the_list_names_each_route_once_and_leaves_none_out_silently() -> None:
    assert len(set(DOCUMENTED)) == len(DOCUMENTED)
    assert not set(NOT_SERVED) - set(DOCUMENTED)


@pytest.mark.parametrize(("method", "path"), [route for route in DOCUMENTED if route not in NOT_SERVED])
def test_each_documented_storefront_route_is_in_the_openapi_description(method: str, path: str) -> None:
    assert (method, _shape(LOYALTY + path)) in SERVED


async def test_each_documented_storefront_route_answers_for_itself(client: httpx.AsyncClient) -> None:
    for method, path in DOCUMENTED:
        if (method, path) in NOT_SERVED:
            continue
        concrete = LOYALTY + path.replace("{id}", "00000000-0000-4000-8000-000000000000")
        response = await client.request(method, concrete, json={})
        # Reached: the route asks for credentials (the router's own 404/405 would say it is not served).
        assert response.status_code == 401, (method, path, response.status_code, response.text)
        assert set(response.json()) >= {"error", "details"}
