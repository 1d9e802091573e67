"""A COUPONS campaign asking for more codes than the threshold gets them from a job: the API answers at
once with the job, the codes come a chunk per transaction and are redeemable as each commits."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from perks.jobs.runner import JobRunner
from tests.support.catalog import campaign_body, iso, reward
from tests.support.imports import job, run_jobs
from tests.support.programs import effect_rules, new_customer
from tests.support.tenants import LOYALTY, Tenant


@pytest.fixture
def small_jobs(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app.state.settings, "codes_job_threshold", 50)
    monkeypatch.setattr(app.state.settings, "codes_job_chunk", 40)


async def big_campaign(client: httpx.AsyncClient, tenant: Tenant, quantity: int) -> dict[str, Any]:
    reward_id = await reward(client, tenant)
    body = campaign_body(
        reward_id,
        rules=effect_rules(reward_id),
        attributes={},
        quantity=quantity,
        budget=None,
        divide_budget_in=None,
        start_date=iso(timedelta(0)),
    )
    response = await client.post(
        f"{LOYALTY}/campaigns", params={"type": "COUPONS"}, json=body, headers=await tenant.loyalty(client)
    )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def resent(stored: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The campaign as GET returned it, written back with `changes` (codes changes need confirming)."""
    kept = ("brand_id", "platforms", "name", "description", "attributes", "start_date", "end_date", "labels")
    return {key: stored[key] for key in kept} | {
        "status": "ACTIVE",
        "rules": json.dumps(stored["rules"]),
        "metadata": json.dumps(stored["metadata"]),
        "confirm_changes": True,
        **changes,
    }


async def code_count(client: httpx.AsyncClient, tenant: Tenant, campaign_id: str) -> int:
    response = await client.get(
        f"{LOYALTY}/campaigns/{campaign_id}?includes=CODES_SUMMARY", headers=await tenant.loyalty(client)
    )
    total: int = response.json()["data"]["attributes"]["codes_summary"]["total"]
    return total


async def test_the_answer_carries_the_job_and_codes_arrive_chunk_by_chunk(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, small_jobs: None
) -> None:
    answer = await big_campaign(client, tenant, 130)
    campaign_id, queued = answer["data"]["id"], answer["job"]
    assert (queued["type"], queued["state"], queued["total"], queued["done"]) == (
        "codes.generate",
        "QUEUED",
        130,
        0,
    )
    assert answer["data"]["quantity"] == 130 and await code_count(client, tenant, campaign_id) == 0
    counts: list[int] = []

    async def progress(_current: object) -> None:
        counts.append(await code_count(client, tenant, campaign_id))

    await JobRunner(app.state.db, app.state.settings).run_next(queued["id"], progress=progress)
    assert counts == [40, 80, 120, 130]
    finished = await job(client, tenant, queued["id"])
    assert (finished["state"], finished["done"], finished["errors"]) == ("SUCCEEDED", 130, 0)


async def test_a_code_is_redeemable_as_soon_as_its_chunk_commits(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, small_jobs: None
) -> None:
    answer = await big_campaign(client, tenant, 100)
    runner = JobRunner(app.state.db, app.state.settings)
    headers = await tenant.loyalty(client)
    await new_customer(client, tenant, "buyer")
    redeemed: list[int] = []

    async def redeem_one(current: Any) -> None:
        if redeemed:
            return
        page = await client.get(f"{LOYALTY}/campaigns/{answer['data']['id']}/codes?limit=1", headers=headers)
        body = {
            "customer_id": "buyer",
            "code": page.json()["data"][0]["code"],
            "brand_id": None,
            "platform": "web",
        }
        response = await client.post(f"{LOYALTY}/coupons/redeem", headers=headers, json=body)
        assert response.status_code == 200, response.text
        redeemed.append(current.done)

    await runner.run_next(answer["job"]["id"], progress=redeem_one)
    assert redeemed == [40]  # after the first chunk of 40, before the job ended


async def test_code_changes_wait_for_the_job_and_a_deleted_campaign_cancels_it(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, small_jobs: None
) -> None:
    answer = await big_campaign(client, tenant, 90)
    campaign_id, job_id = answer["data"]["id"], answer["job"]["id"]
    headers = await tenant.loyalty(client)
    stored = (await client.get(f"{LOYALTY}/campaigns/{campaign_id}", headers=headers)).json()["data"]
    change = resent(stored, quantity=10)
    refused = await client.put(
        f"{LOYALTY}/campaigns/{campaign_id}?type=COUPONS", json=change, headers=headers
    )
    assert refused.status_code == 409, refused.text
    assert job_id in refused.json()["details"]
    deleted = await client.delete(f"{LOYALTY}/campaigns/{campaign_id}", headers=headers)
    assert deleted.status_code == 200, deleted.text
    cancelled = await job(client, tenant, job_id)
    assert (cancelled["state"], cancelled["message"]) == ("CANCELLED", "The campaign was deleted")
    await run_jobs(app)
    assert (await job(client, tenant, job_id))["done"] == 0


async def test_a_running_job_finds_its_campaign_gone(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, small_jobs: None
) -> None:
    answer = await big_campaign(client, tenant, 120)
    headers = await tenant.loyalty(client)

    async def delete_after_first_chunk(current: Any) -> None:
        if current.done == 40:
            response = await client.delete(f"{LOYALTY}/campaigns/{answer['data']['id']}", headers=headers)
            assert response.status_code == 200, response.text

    await JobRunner(app.state.db, app.state.settings).run_next(
        answer["job"]["id"], progress=delete_after_first_chunk
    )
    ended = await job(client, tenant, answer["job"]["id"])
    assert (ended["state"], ended["done"]) == ("CANCELLED", 40)


async def test_growing_a_campaign_past_the_threshold_is_a_job_too(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, small_jobs: None
) -> None:
    answer = await big_campaign(client, tenant, 20)
    assert "job" not in answer
    campaign_id = answer["data"]["id"]
    headers = await tenant.loyalty(client)
    assert await code_count(client, tenant, campaign_id) == 20
    stored = (await client.get(f"{LOYALTY}/campaigns/{campaign_id}", headers=headers)).json()["data"]
    change = resent(stored, quantity=100)
    grown = await client.put(f"{LOYALTY}/campaigns/{campaign_id}?type=COUPONS", json=change, headers=headers)
    assert grown.status_code == 200, grown.text
    assert grown.json()["job"]["total"] == 80 and set(grown.json()["data"]) == {
        "id",
        "name",
        "status",
        "attributes",
    }
    await run_jobs(app)
    assert await code_count(client, tenant, campaign_id) == 100
