"""Customer one-time codes (POST /auth/totp, GET /auth/totp/verify): issued for a customer, traded once
for the customer and wallet, expiring, stored hashed, unique among an account's live codes, and guarded
against walking the code space."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from perks.db.database import Database
from perks.kit import clock
from perks.loyalty.one_time_codes import repository
from perks.loyalty.one_time_codes.models import OneTimeCode
from perks.tenancy.context import AuthContext, KeyKind
from tests.support.processes import concurrent_requests
from tests.support.server import live_server
from tests.support.tenants import LOYALTY, Tenant

GUARDED_FAILURES = 20  # the default PERKS_ONE_TIME_CODE_FAILURES: 20 per 10 minutes


async def new_customer(client: httpx.AsyncClient, tenant: Tenant, customer_id: str = "till-1") -> None:
    body = {"id": customer_id, "name": "Ana", "email": f"{customer_id}@example.com"}
    response = await client.post(f"{LOYALTY}/customers", headers=await tenant.loyalty(client), json=body)
    assert response.status_code == 201, response.text


async def issue(client: httpx.AsyncClient, tenant: Tenant, **body: object) -> httpx.Response:
    return await client.post(f"{LOYALTY}/auth/totp", headers=await tenant.loyalty(client), json=body)


async def verify(client: httpx.AsyncClient, tenant: Tenant, code: str) -> httpx.Response:
    return await client.get(
        f"{LOYALTY}/auth/totp/verify", headers=await tenant.loyalty(client), params={"code": code}
    )


async def test_a_code_is_traded_once_for_the_customer_wallet_and_metadata(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await new_customer(client, tenant)
    before = clock.now()
    response = await issue(client, tenant, customer_id="till-1", metadata={"till": 7})
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert set(data) == {"code", "expired_at"}
    assert len(data["code"]) == 6 and data["code"].isdigit()
    lifetime = datetime.fromisoformat(data["expired_at"]) - before
    assert timedelta(minutes=4, seconds=59) < lifetime <= timedelta(minutes=5, seconds=5)

    verified = await verify(client, tenant, data["code"])
    assert verified.status_code == 200, verified.text
    body = verified.json()["data"]
    assert set(body) == {"customer", "wallet", "metadata"}
    assert body["customer"]["id"] == "till-1" and body["customer"]["email"] == "till-1@example.com"
    shown = await client.get(f"{LOYALTY}/customers/till-1", headers=await tenant.loyalty(client))
    assert {"customer": body["customer"], "wallet": body["wallet"]} == shown.json()["data"]
    assert body["metadata"] == {"till": 7}

    again = await verify(client, tenant, data["code"])
    assert again.status_code == 409, again.text
    assert again.json() == {
        "error": "Code used",
        "details": "This code was already used; ask the customer for a new one",
    }


async def test_a_code_past_its_lifetime_is_refused_as_expired(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await new_customer(client, tenant)
    code = (await issue(client, tenant, customer_id="till-1")).json()["data"]["code"]
    clock.travel(timedelta(minutes=5, seconds=1))
    response = await verify(client, tenant, code)
    assert response.status_code == 410, response.text
    assert response.json()["error"] == "Code expired"
    assert "ask the customer for a new one" in response.json()["details"]


async def test_bad_requests_name_the_field_and_issue_nothing(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    missing = await issue(client, tenant, metadata={})
    assert missing.status_code == 400 and missing.json()["details"].startswith("customer_id:"), missing.text
    unknown = await issue(client, tenant, customer_id="nobody")
    assert unknown.status_code == 404 and unknown.json()["error"] == "Customer not found"
    for code in ["12345", "abcdef", "\uff11\uff12\uff13\uff14\uff15\uff16", "1234567"]:
        response = await verify(client, tenant, code)
        assert response.status_code == 400 and response.json()["details"].startswith("code:"), response.text
    no_code = await client.get(f"{LOYALTY}/auth/totp/verify", headers=await tenant.loyalty(client))
    assert no_code.status_code == 400 and no_code.json()["details"].startswith("code:")
    assert await stored_codes(database, tenant) == []


async def test_codes_are_stored_only_as_keyed_hashes(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    await new_customer(client, tenant)
    code = (await issue(client, tenant, customer_id="till-1")).json()["data"]["code"]
    rows = await stored_codes(database, tenant)
    assert len(rows) == 1
    assert code not in rows[0].code_hash and len(rows[0].code_hash) == 64


async def test_another_account_cannot_verify_the_code(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await new_customer(client, tenant)
    code = (await issue(client, tenant, customer_id="till-1")).json()["data"]["code"]
    assert (await verify(client, other_tenant, code)).status_code == 404
    assert (await verify(client, tenant, code)).status_code == 200


async def test_walking_the_code_space_is_stopped_by_the_failure_guard(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await new_customer(client, tenant)
    code = (await issue(client, tenant, customer_id="till-1")).json()["data"]["code"]
    guesses = (f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" != code)
    statuses = []
    for guess in guesses:
        response = await verify(client, tenant, guess)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) > 0
            break
    assert Counter(statuses) == {404: GUARDED_FAILURES, 429: 1}
    # Once the guard trips, even the right code waits: the walk gains nothing by carrying on.
    assert (await verify(client, tenant, code)).status_code == 429


async def test_a_live_code_value_is_never_issued_twice_but_a_spent_one_is_reused(
    database: Database, tenant: Tenant
) -> None:
    ctx = AuthContext(account_id=tenant.account_id, key_id=tenant.server_key_id, kind=KeyKind.SERVER)
    now = clock.now()
    claim = {"customer_id": "c", "metadata": {}, "now": now, "expires_at": now + timedelta(minutes=5)}
    async with database.transaction() as session:
        assert await repository.claim(session, ctx, "a" * 64, **claim)  # type: ignore[arg-type]
        assert not await repository.claim(session, ctx, "a" * 64, **claim)  # type: ignore[arg-type]
        assert await repository.consume(session, ctx, "a" * 64, now) == ("c", {})
        assert await repository.claim(session, ctx, "a" * 64, **claim)  # type: ignore[arg-type]
        later = {**claim, "now": now + timedelta(minutes=6), "expires_at": now + timedelta(minutes=11)}
        assert await repository.claim(session, ctx, "a" * 64, **later)  # type: ignore[arg-type]


async def test_a_code_verified_from_many_processes_at_once_is_used_once(
    database_url: str, workdir: Path, tenant: Tenant
) -> None:
    with live_server(database_url, workdir) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
            await new_customer(http, tenant)
            code = (await issue(http, tenant, customer_id="till-1")).json()["data"]["code"]
            headers = await tenant.loyalty(http)
        url = f"{server.base_url}{LOYALTY}/auth/totp/verify?code={code}"
        outcomes = concurrent_requests(8, "GET", url, headers, [None] * 8)
    assert Counter(status for status, _ in outcomes) == {200: 1, 409: 7}, outcomes


async def stored_codes(database: Database, tenant: Tenant) -> list[OneTimeCode]:
    async with database.transaction(read_only=True) as session:
        rows = await session.scalars(select(OneTimeCode).where(OneTimeCode.account_id == tenant.account_id))
        return list(rows.all())
