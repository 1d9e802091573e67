"""Helpers for job and import tests: upload a file, run the queued jobs, read a job."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from perks.jobs.runner import JobRunner
from tests.support.tenants import LOYALTY, Tenant


async def upload(
    client: httpx.AsyncClient, tenant: Tenant, kind: str, content: str | bytes, **query: Any
) -> httpx.Response:
    return await client.post(
        f"{LOYALTY}/imports",
        params={"type": kind, **query},
        content=content.encode() if isinstance(content, str) else content,
        headers=await tenant.loyalty(client) | {"content-type": "text/csv"},
    )


async def run_jobs(app: FastAPI) -> None:
    """What `perks worker` does with the queue: every claimable job, to its end."""
    await JobRunner(app.state.db, app.state.settings).drain()


async def job(client: httpx.AsyncClient, tenant: Tenant, job_id: str) -> dict[str, Any]:
    response = await client.get(f"{LOYALTY}/jobs/{job_id}", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def imported(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, kind: str, content: str, **query: Any
) -> dict[str, Any]:
    """Upload, run the job, and return it as GET /jobs/{id} shows it."""
    response = await upload(client, tenant, kind, content, **query)
    assert response.status_code == 202, response.text
    await run_jobs(app)
    return await job(client, tenant, response.json()["data"]["id"])


async def errors(client: httpx.AsyncClient, tenant: Tenant, job_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"{LOYALTY}/jobs/{job_id}/errors", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["data"]
    return rows
