"""`perks import`, `perks jobs` and `perks accounts list` as a user runs them: real processes on the test
databases (SQLite and PostgreSQL), the results read back through the API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from perks.db.database import Database
from perks.jobs.models import Job
from perks.kit import clock
from tests.jobs.test_code_jobs import big_campaign
from tests.outbox.test_workers import wait_until, worker_process
from tests.support.server import server_env
from tests.support.tenants import LOYALTY, Tenant


def perks(database_url: str, workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perks", *args],
        capture_output=True,
        text=True,
        env=server_env(database_url, env),
        cwd=workdir,
        timeout=120,
    )


def imported(
    database_url: str, workdir: Path, tenant: Tenant, kind: str, file: Path, **env: str
) -> dict[str, Any]:
    result = perks(
        database_url, workdir, "import", kind, str(file), "--account", tenant.account_id, "--json", **env
    )
    assert result.returncode == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_accounts_list_names_every_account(database_url: str, workdir: Path, tenant: Tenant) -> None:
    listed = perks(database_url, workdir, "accounts", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    accounts = {row["account_id"]: row["name"] for row in json.loads(listed.stdout)}
    assert accounts[tenant.account_id] == "tenant-a"
    plain = perks(database_url, workdir, "accounts", "list")
    assert any(
        line.startswith(tenant.account_id) and line.endswith("tenant-a") for line in plain.stdout.splitlines()
    )


async def test_import_customers_reports_refused_rows_next_to_the_file_and_skips_on_a_rerun(
    client: httpx.AsyncClient, database_url: str, workdir: Path, tenant: Tenant
) -> None:
    file = workdir / "customers.csv"
    file.write_text(
        'id,name,email,tags\nc1,Ana,ana@shop.test,"{""vip"": 1}"\nc2,Bo,nope,\nc3,Cy,cy@shop.test,\n'
    )
    summary = imported(database_url, workdir, tenant, "customers", file)
    assert (summary["state"], summary["done"], summary["skipped"], summary["errors"]) == (
        "SUCCEEDED",
        2,
        0,
        1,
    )
    report = workdir / "customers.errors.csv"
    assert summary["report"] == str(report)
    assert report.read_text().splitlines() == [
        "line,id,field,error",
        "3,c2,email,is not a valid email address",
    ]
    headers = await tenant.loyalty(client)
    found = await client.get(f"{LOYALTY}/customers", params={"tag": "vip"}, headers=headers)
    assert [row["id"] for row in found.json()["data"]] == ["c1"]
    file.write_text("id,name,email\nc1,Ana,ana@shop.test\nc3,Cy,cy@shop.test\n")
    again = imported(database_url, workdir, tenant, "customers", file)
    assert (again["done"], again["skipped"], again["errors"], again["report"]) == (0, 2, 0, None)
    assert not report.exists()  # nothing refused this time: the old report is gone
    text = perks(database_url, workdir, "import", "customers", str(file), "--account", tenant.account_id)
    assert text.returncode == 0 and "imported 0, skipped 2" in text.stdout


async def test_import_balances_and_events_through_the_cli(
    client: httpx.AsyncClient, database_url: str, workdir: Path, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    reward = await client.post(
        f"{LOYALTY}/rewards",
        headers=headers,
        json={"type": "POINTS", "name": "P", "attributes": {"conversion_factor": 1}},
    )
    customers = workdir / "people.csv"
    customers.write_text("id,name,email\nana,Ana,ana@shop.test\n")
    imported(database_url, workdir, tenant, "customers", customers)
    balances = workdir / "balances.jsonl"
    balances.write_text(
        json.dumps({"id": "b1", "customer_id": "ana", "reward_id": reward.json()["data"]["id"], "amount": 75})
        + "\n"
    )
    assert imported(database_url, workdir, tenant, "balances", balances)["done"] == 1
    events = workdir / "events.csv"
    when = (clock.now() - timedelta(days=2)).isoformat()
    events.write_text(f"customer_id,type,issued_at,purchase_id,value\nana,PURCHASE,{when},o-1,12\n")
    assert imported(database_url, workdir, tenant, "events", events, **{})["done"] == 1
    ana = (await client.get(f"{LOYALTY}/customers/ana", headers=headers)).json()["data"]
    assert ana["wallet"]["totals"][0]["total"] == 75
    assert ana["customer"]["metrics"]["lifetime"]["number_of_purchases"] == 1


async def test_an_interrupted_import_resumes_its_job_where_it_stopped(
    database: Database, database_url: str, workdir: Path, tenant: Tenant
) -> None:
    file = workdir / "many.csv"
    file.write_text("id,name,email\n" + "".join(f"m{n},M,m{n}@shop.test\n" for n in range(5000)))
    command = [
        sys.executable,
        "-m",
        "perks",
        "import",
        "customers",
        str(file),
        "--account",
        tenant.account_id,
    ]
    env = server_env(database_url, {"PERKS_IMPORT_BATCH_SIZE": "10", "PERKS_JOB_LEASE_SECONDS": "1"})
    first = subprocess.Popen(
        command, env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    async def some_batches() -> bool:
        async with database.transaction(read_only=True) as session:
            done = await session.scalar(select(Job.done).where(Job.account_id == tenant.account_id))
        return bool(done and done >= 100)

    try:
        await wait_until(some_batches, 60, "the first batches")
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    async with database.transaction(read_only=True) as session:
        stopped = await session.scalar(select(Job).where(Job.account_id == tenant.account_id))
    assert stopped is not None and stopped.state == "RUNNING" and stopped.done < 5000
    resumed = imported(database_url, workdir, tenant, "customers", file, PERKS_IMPORT_BATCH_SIZE="1000")
    assert resumed["resumed"] is True and resumed["job_id"] == stopped.id
    assert (resumed["state"], resumed["done"], resumed["skipped"], resumed["errors"]) == (
        "SUCCEEDED",
        5000,
        0,
        0,
    )


def test_a_file_that_cannot_be_imported_is_one_line_on_stderr(
    database_url: str, workdir: Path, tenant: Tenant
) -> None:
    file = workdir / "bad.csv"
    file.write_text("name,emial\nx,y\n")
    result = perks(database_url, workdir, "import", "customers", str(file), "--account", tenant.account_id)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(
        "error: file: unknown column 'emial'; the columns are required: id; optional: name"
    )
    missing = perks(database_url, workdir, "import", "customers", "nope.csv", "--account", tenant.account_id)
    assert missing.returncode == 1 and missing.stderr.startswith("error: no such file")


async def test_jobs_show_watches_a_job_a_worker_runs(
    app: FastAPI,
    client: httpx.AsyncClient,
    database_url: str,
    workdir: Path,
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app.state.settings, "codes_job_threshold", 100)
    answer = await big_campaign(client, tenant, 5000)
    job_id = answer["job"]["id"]
    with worker_process(database_url, workdir, "jobs", PERKS_CODES_JOB_CHUNK="500"):
        shown = perks(
            database_url, workdir, "jobs", "show", job_id, "--account", tenant.account_id, "--watch", "--json"
        )
    assert shown.returncode == 0, shown.stderr
    assert (json.loads(shown.stdout)["state"], json.loads(shown.stdout)["done"]) == ("SUCCEEDED", 5000)
    listed = perks(database_url, workdir, "jobs", "list", "--account", tenant.account_id)
    assert listed.stdout.startswith(job_id) and "codes.generate" in listed.stdout
