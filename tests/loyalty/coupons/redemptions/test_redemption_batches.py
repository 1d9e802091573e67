"""Group-committed coupon redemptions (perks.loyalty.coupons.redemptions.batch) on both databases: a mixed
batch written directly (one code twice, an unknown customer and code, a repeated Idempotency-Key, a
revoked key), then concurrent requests through the API. Each redemption gets its own answer; a refused
one writes nothing and leaves its code free."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI

from perks.db.database import Database
from perks.errors import AppError
from perks.idempotency.service import Claim, Replay
from perks.loyalty.coupons.redemptions import batch
from perks.loyalty.coupons.redemptions.schemas import RedeemBody
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext
from perks.web.batching import Answer
from tests.support.catalog import error
from tests.support.programs import coupon_campaign, new_customer, post, total
from tests.support.tenants import Tenant


async def token_context(client: httpx.AsyncClient, app: FastAPI, tenant: Tenant) -> AuthContext:
    token = (await tenant.loyalty(client))["Authorization"].removeprefix("Bearer ")
    return tenancy.decode_token(token, app.state.settings.signing_secret)


def job(ctx: AuthContext, code: str, customer_id: str = "ana", key: str | None = None) -> batch.Job:
    claim = Claim(key, f"fingerprint-{code}-{customer_id}", timedelta(hours=1)) if key else None
    body = RedeemBody.model_validate({"customer_id": customer_id, "code": code, "brand_id": None})
    return batch.Job(ctx, body, claim)


def answered(outcome: Answer | BaseException) -> dict[str, Any]:
    assert isinstance(outcome, Answer), outcome
    assert outcome.status_code == 200, outcome
    data: dict[str, Any] = json.loads(outcome.body)["data"]
    return data


def refused(outcome: Answer | BaseException, status: int, title: str) -> None:
    assert isinstance(outcome, AppError), outcome
    assert (outcome.status_code, outcome.title) == (status, title)


async def test_a_mixed_batch_answers_each_redemption_and_writes_only_the_winners(
    client: httpx.AsyncClient, app: FastAPI, database: Database, tenant: Tenant
) -> None:
    _campaign, reward_id = await coupon_campaign(client, tenant, "ONE,TWO,THREE,FOUR")
    await new_customer(client, tenant, "ana")
    await new_customer(client, tenant, "bob")
    ctx = await token_context(client, app, tenant)
    jobs = [
        job(ctx, "one"),
        job(ctx, "ONE", "bob"),  # the same code: exactly one of the two wins
        job(ctx, "two", "ghost"),
        job(ctx, "nope"),
        job(ctx, "three", "bob", key="k-1"),
        job(ctx, "three", "bob", key="k-1"),  # the same key in the batch: the stored answer
    ]
    outcomes = await batch.write_batch(database, jobs)
    first = answered(outcomes[0])
    assert [line["amount"] for line in first["accumulations"]] == [100]
    refused(outcomes[1], 409, "Coupon already redeemed")
    refused(outcomes[2], 404, "Customer not found")
    refused(outcomes[3], 404, "Coupon not found")
    stored = answered(outcomes[4])
    replay = outcomes[5]
    assert isinstance(replay, Replay) and json.loads(replay.stored.body)["data"] == stored
    assert await total(client, tenant, "ana", reward_id) == Decimal(100)
    assert await total(client, tenant, "bob", reward_id) == Decimal(100)
    # The refused redemption of TWO left its code free.
    assert (
        await post(client, tenant, "/coupons/redeem", {"customer_id": "ana", "code": "TWO"})
    ).status_code == 200


async def test_a_revoked_key_is_refused_in_its_batch(
    client: httpx.AsyncClient, app: FastAPI, database: Database, tenant: Tenant
) -> None:
    await coupon_campaign(client, tenant, "ONE")
    await new_customer(client, tenant, "ana")
    ctx = await token_context(client, app, tenant)
    async with database.transaction() as session:
        await tenancy.revoke_key(session, tenant.server_key_id)
    [outcome] = await batch.write_batch(database, [job(ctx, "one")])
    assert isinstance(outcome, AppError) and outcome.details == "Token revoked"


async def test_concurrent_redemptions_of_distinct_codes_all_win_and_of_one_code_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    codes = [f"C{n:03d}" for n in range(24)]
    _campaign, reward_id = await coupon_campaign(client, tenant, ",".join(codes))
    await new_customer(client, tenant, "ana")
    await new_customer(client, tenant, "bob")
    distinct = [
        post(client, tenant, "/coupons/redeem", {"customer_id": "ana", "code": code}) for code in codes[:16]
    ]
    same = [
        post(client, tenant, "/coupons/redeem", {"customer_id": "bob", "code": codes[16]}) for _ in range(8)
    ]
    answers = await asyncio.gather(*distinct, *same)
    assert [answer.status_code for answer in answers[:16]] == [200] * 16
    assert sorted(answer.status_code for answer in answers[16:]) == [200] + [409] * 7
    for answer in answers[16:]:
        if answer.status_code == 409:
            assert error(answer, 409)["error"] == "Coupon already redeemed"
    assert await total(client, tenant, "ana", reward_id) == Decimal(1600)
    assert await total(client, tenant, "bob", reward_id) == Decimal(100)
