"""Both faces' conventions: auth failure modes, token kinds, envelopes for 400/403/404/500."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import jwt
import pytest

from perks.app import create_app
from perks.db.database import Database
from perks.kit import clock
from perks.tenancy import service as tenancy
from perks.web.observability import json_handler
from tests.conftest import test_settings
from tests.support.probes import SQL_SECRET, mount_probes
from tests.support.server import TEST_SECRET
from tests.support.tenants import AFFILIATE, LOYALTY, Tenant, create_tenant

INVALID_KEY = {"status": 401, "message": "Invalid API key. Please check your API key and try again."}


@pytest.fixture(scope="module")
async def probe_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(test_settings(database_url))
    mount_probes(app)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://perks.test") as http:
        yield http
    await app.state.db.dispose()


@pytest.fixture
async def probe_tenant(database: Database) -> Tenant:
    return await create_tenant(database, TEST_SECRET, "probe")


async def test_authorize_returns_a_one_hour_token_for_the_key(
    probe_client: httpx.AsyncClient, probe_tenant: Tenant
) -> None:
    response = await probe_client.get(
        f"{LOYALTY}/auth/authorize", headers={"x-api-key": probe_tenant.server_key}
    )
    assert response.status_code == 200
    token = response.json()["data"]
    claims = jwt.decode(token, TEST_SECRET, algorithms=["HS256"])
    assert claims["sub"] == probe_tenant.account_id
    assert claims["kind"] == "server"
    assert claims["exp"] - claims["iat"] == 3600
    me = await probe_client.get(f"{LOYALTY}/_probe/server", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"account_id": probe_tenant.account_id, "kind": "server"}


@pytest.mark.parametrize("headers", [{}, {"x-api-key": ""}, {"x-api-key": "rs_live_" + "1" * 40}])
async def test_authorize_refuses_missing_or_unknown_keys(
    probe_client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await probe_client.get(f"{LOYALTY}/auth/authorize", headers=headers)
    assert response.status_code == 401
    assert set(response.json()) == {"error", "details"}


async def test_bearer_failure_modes_are_401_in_the_loyalty_envelope(
    probe_client: httpx.AsyncClient, probe_tenant: Tenant
) -> None:
    good = await probe_tenant.loyalty(probe_client)
    forged = jwt.encode(
        {
            "iss": "perks",
            "sub": probe_tenant.account_id,
            "kid": probe_tenant.server_key_id,
            "kind": "server",
            "exp": 4_000_000_000,
        },
        "not-the-secret-but-long-enough-for-hs256!",
        algorithm="HS256",
    )
    cases = [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": good["Authorization"].replace("Bearer", "Basic")},
    ]
    for headers in cases:
        response = await probe_client.get(f"{LOYALTY}/_probe/server", headers=headers)
        assert response.status_code == 401, headers
        body = response.json()
        assert set(body) == {"error", "details"} and body["error"] == "Unauthorized"
    assert (await probe_client.get(f"{LOYALTY}/_probe/server", headers=good)).status_code == 200


async def test_a_token_expires_after_an_hour(probe_client: httpx.AsyncClient, probe_tenant: Tenant) -> None:
    headers = await probe_tenant.loyalty(probe_client)
    clock.travel(timedelta(minutes=59))
    assert (await probe_client.get(f"{LOYALTY}/_probe/server", headers=headers)).status_code == 200
    clock.travel(timedelta(minutes=1, seconds=1))
    expired = await probe_client.get(f"{LOYALTY}/_probe/server", headers=headers)
    assert expired.status_code == 401
    assert expired.json()["details"] == "Token expired"


async def test_revoking_a_key_stops_its_tokens_and_the_key(
    probe_client: httpx.AsyncClient, probe_tenant: Tenant, database: Database
) -> None:
    headers = await probe_tenant.loyalty(probe_client)
    async with database.transaction() as session:
        await tenancy.revoke_key(session, probe_tenant.server_key_id)
    assert (await probe_client.get(f"{LOYALTY}/_probe/server", headers=headers)).status_code == 401
    again = await probe_client.get(
        f"{LOYALTY}/auth/authorize", headers={"x-api-key": probe_tenant.server_key}
    )
    assert again.status_code == 401
    affiliate = await probe_client.get(f"{AFFILIATE}/_probe/server", headers=probe_tenant.affiliate)
    assert affiliate.status_code == 401
    assert affiliate.json() == INVALID_KEY


async def test_public_keys_reach_only_public_routes(
    probe_client: httpx.AsyncClient, probe_tenant: Tenant
) -> None:
    loyalty_public = await probe_tenant.loyalty(probe_client, public=True)
    refused = await probe_client.get(f"{LOYALTY}/_probe/server", headers=loyalty_public)
    assert refused.status_code == 403
    assert set(refused.json()) == {"error", "details"}
    allowed = await probe_client.get(f"{LOYALTY}/_probe/public", headers=loyalty_public)
    assert allowed.json() == {"account_id": probe_tenant.account_id, "kind": "public"}

    refused = await probe_client.get(f"{AFFILIATE}/_probe/server", headers=probe_tenant.affiliate_public)
    assert refused.status_code == 403
    assert refused.json()["status"] == 403
    allowed = await probe_client.get(f"{AFFILIATE}/_probe/public", headers=probe_tenant.affiliate_public)
    assert allowed.json()["kind"] == "public"


async def test_validation_errors_name_the_field_in_each_envelope(
    probe_client: httpx.AsyncClient, probe_tenant: Tenant
) -> None:
    loyalty_headers = await probe_tenant.loyalty(probe_client)
    response = await probe_client.post(f"{LOYALTY}/_probe/echo", headers=loyalty_headers, json={"name": "x"})
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid request", "details": "count: Field required"}
    response = await probe_client.post(
        f"{AFFILIATE}/_probe/echo", headers=probe_tenant.affiliate, json={"name": "x", "count": "many"}
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("count: ")


async def test_unknown_routes_are_404_in_each_envelope(probe_client: httpx.AsyncClient) -> None:
    loyalty = await probe_client.get(f"{LOYALTY}/no/such/route")
    assert loyalty.status_code == 404
    assert set(loyalty.json()) == {"error", "details"}
    affiliate = await probe_client.delete(f"{AFFILIATE}/no-such-thing")
    assert affiliate.status_code == 404
    assert affiliate.json() == {"status": 404, "message": f"Route DELETE {AFFILIATE}/no-such-thing not found"}


async def test_unexpected_errors_are_500s_without_internals(
    probe_client: httpx.AsyncClient, probe_tenant: Tenant
) -> None:
    loyalty = await probe_client.get(
        f"{LOYALTY}/_probe/boom", headers=await probe_tenant.loyalty(probe_client)
    )
    assert loyalty.status_code == 500
    request_id = loyalty.headers["x-request-id"]
    assert loyalty.json()["error"] == "Internal server error"
    assert request_id in loyalty.json()["details"]
    assert "hunter2" not in loyalty.text
    affiliate = await probe_client.get(
        f"{AFFILIATE}/_probe/boom", headers={**probe_tenant.affiliate, "x-request-id": "trace-me"}
    )
    assert affiliate.status_code == 500
    assert affiliate.json()["status"] == 500
    assert "trace-me" in affiliate.json()["message"]
    assert "hunter2" not in affiliate.text


async def test_a_failed_statement_is_logged_without_its_values(
    probe_client: httpx.AsyncClient, probe_tenant: Tenant
) -> None:
    stream = io.StringIO()
    handler = json_handler(stream)
    logger = logging.getLogger("perks")
    logger.addHandler(handler)
    try:
        response = await probe_client.get(f"{AFFILIATE}/_probe/sql-boom", headers=probe_tenant.affiliate)
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 500
    logged = stream.getvalue()
    assert "no_such_column" in logged  # the statement is there, to debug with
    assert "hidden due to hide_parameters" in logged
    assert SQL_SECRET not in logged and SQL_SECRET not in response.text


async def test_tokens_follow_the_service_clock_not_the_wall_clock(
    probe_client: httpx.AsyncClient, probe_tenant: Tenant
) -> None:
    clock.travel(timedelta(days=3))
    # Issued "in the future" as far as the wall clock knows; still valid on the service's clock.
    headers = await probe_tenant.loyalty(probe_client)
    assert (await probe_client.get(f"{LOYALTY}/_probe/server", headers=headers)).status_code == 200
