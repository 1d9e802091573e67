"""Real `perks worker` processes run jobs: a SIGKILLed worker's job is resumed by another from its last
committed chunk (never from the start, never twice), and two workers share a queue of imports."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from perks.db.database import Database
from perks.imports.models import ImportKey
from perks.jobs.models import Job
from perks.loyalty.coupons.models import CouponCode
from perks.loyalty.customers.models import Customer
from tests.jobs.test_code_jobs import big_campaign
from tests.outbox.test_workers import wait_until, worker_process
from tests.support.imports import job, upload
from tests.support.tenants import Tenant

JOB_ENV = {"PERKS_JOB_LEASE_SECONDS": "2", "PERKS_CODES_JOB_CHUNK": "1000", "PERKS_IMPORT_BATCH_SIZE": "40"}


async def stored_job(database: Database, job_id: str) -> Job:
    async with database.transaction(read_only=True) as session:
        found = await session.get(Job, job_id)
        assert found is not None
        return found


async def codes_of(database: Database, campaign_id: str) -> int:
    async with database.transaction(read_only=True) as session:
        count = await session.scalar(
            select(func.count()).select_from(CouponCode).where(CouponCode.campaign_id == campaign_id)
        )
    return int(count or 0)


async def test_a_killed_workers_job_is_resumed_from_its_last_chunk_by_another(
    app: FastAPI,
    client: httpx.AsyncClient,
    tenant: Tenant,
    database: Database,
    database_url: str,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app.state.settings, "codes_job_threshold", 1000)
    answer = await big_campaign(client, tenant, 60_000)
    campaign_id, job_id = answer["data"]["id"], answer["job"]["id"]
    with worker_process(database_url, workdir, "first", **JOB_ENV) as first:

        async def some_chunks_done() -> bool:
            return (await stored_job(database, job_id)).done >= 5000

        await wait_until(some_chunks_done, 60, "the first chunks")
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    stopped = await stored_job(database, job_id)
    assert stopped.state == "RUNNING" and 5000 <= stopped.done < 60_000
    assert stopped.done % 1000 == 0 and stopped.position == stopped.done
    assert await codes_of(database, campaign_id) == stopped.done  # the work and its progress commit together
    with (
        worker_process(database_url, workdir, "second", **JOB_ENV),
        worker_process(database_url, workdir, "third", **JOB_ENV),
    ):

        async def finished() -> bool:
            return (await stored_job(database, job_id)).state == "SUCCEEDED"

        await wait_until(finished, 120, "the resumed job")
    done = await job(client, tenant, job_id)
    assert (done["done"], done["total"], done["errors"]) == (60_000, 60_000, 0)
    assert await codes_of(database, campaign_id) == 60_000  # not one code more: nothing started over
    assert (await stored_job(database, job_id)).attempts >= 2


async def test_two_workers_share_a_queue_of_imports_and_import_each_row_once(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, database_url: str, workdir: Path
) -> None:
    job_ids = []
    for part in range(4):
        rows = "id,name,email\n" + "".join(f"w{part}-{n},N,w{part}-{n}@shop.test\n" for n in range(150))
        response = await upload(client, tenant, "customers", rows)
        assert response.status_code == 202, response.text
        job_ids.append(response.json()["data"]["id"])
    again = await upload(client, tenant, "customers", "id,name,email\nw0-1,N,w0-1@shop.test\n")
    job_ids.append(again.json()["data"]["id"])
    with (
        worker_process(database_url, workdir, "one", **JOB_ENV),
        worker_process(database_url, workdir, "two", **JOB_ENV),
    ):

        async def all_finished() -> bool:
            states = {(await stored_job(database, job_id)).state for job_id in job_ids}
            return states == {"SUCCEEDED"}

        await wait_until(all_finished, 120, "the imports")
    finished = [await job(client, tenant, job_id) for job_id in job_ids]
    # Jobs are claimed oldest first: the repeated row was imported by the first job's first batch.
    assert [(item["done"], item["skipped"]) for item in finished] == [(150, 0)] * 4 + [(0, 1)]
    async with database.transaction(read_only=True) as session:
        customers = await session.scalar(
            select(func.count()).select_from(Customer).where(Customer.account_id == tenant.account_id)
        )
        keys = await session.scalar(
            select(func.count()).select_from(ImportKey).where(ImportKey.account_id == tenant.account_id)
        )
    assert customers == 600 and keys == 0  # customers are known by their id, not by a key
