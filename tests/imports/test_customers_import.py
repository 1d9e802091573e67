"""POST /imports?type=customers: a job imports the rows, reports the refused ones, and skips on a re-run."""

from __future__ import annotations

import json

import httpx
from fastapi import FastAPI

from tests.support.imports import errors, imported, job, run_jobs, upload
from tests.support.tenants import LOYALTY, Tenant

CUSTOMERS = """id,name,email,tags,registration_date
c-1,Ana Lopez,ana@shop.test,"{""vip"": true}",2021-03-04T05:06:07Z
c-2,Bruno,not-an-email,,
c-3,"Carla, Jr.",carla@shop.test,,2020-01-01
c-4,Diego,,,
c-5,Elena,elena@shop.test,{bad json,
"""


async def test_rows_are_imported_refused_with_a_reason_and_skipped_on_a_rerun(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    done = await imported(app, client, tenant, "customers", CUSTOMERS)
    assert (done["state"], done["total"], done["done"], done["skipped"], done["errors"]) == (
        "SUCCEEDED",
        5,
        2,
        0,
        3,
    )
    assert done["type"] == "import.customers" and done["finished_at"] is not None
    refused = await errors(client, tenant, done["id"])
    assert [(row["line"], row["id"], row["field"]) for row in refused] == [
        (3, "c-2", "email"),
        (5, "c-4", "email"),
        (6, "c-5", "tags"),
    ]
    assert "valid email" in refused[0]["error"]
    ana = await client.get(f"{LOYALTY}/customers/c-1", headers=headers)
    assert ana.status_code == 200, ana.text
    assert ana.json()["data"]["customer"]["tags"] == {"vip": True}
    assert ana.json()["data"]["customer"]["registration_date"].startswith("2021-03-04T05:06:07")
    assert ana.json()["data"]["wallet"]["totals"] == []
    carla = (await client.get(f"{LOYALTY}/customers/c-3", headers=headers)).json()["data"]["customer"]
    assert carla["name"] == "Carla, Jr."
    found = await client.get(f"{LOYALTY}/customers", params={"tag": "vip"}, headers=headers)
    assert [row["id"] for row in found.json()["data"]] == ["c-1"]
    again = await imported(app, client, tenant, "customers", CUSTOMERS)
    assert (again["done"], again["skipped"], again["errors"]) == (0, 2, 3)


async def test_a_customer_registered_through_the_api_is_skipped_and_a_taken_email_refused(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    body = {"id": "known", "name": "Known", "email": "known@shop.test"}
    assert (await client.post(f"{LOYALTY}/customers", headers=headers, json=body)).status_code == 201
    rows = "id,name,email\nknown,Other,other@shop.test\nnew,New,known@shop.test\nnew,Again,again@shop.test\n"
    done = await imported(app, client, tenant, "customers", rows)
    assert (done["done"], done["skipped"], done["errors"]) == (1, 1, 1)
    [refused] = await errors(client, tenant, done["id"])
    assert (refused["line"], refused["field"]) == (3, "email")
    new = (await client.get(f"{LOYALTY}/customers/new", headers=headers)).json()["data"]["customer"]
    assert (new["name"], new["email"]) == ("Again", "again@shop.test")
    again = await imported(app, client, tenant, "customers", rows)
    assert (again["done"], again["skipped"], again["errors"]) == (0, 2, 1)
    known = (await client.get(f"{LOYALTY}/customers/known", headers=headers)).json()["data"]["customer"]
    assert known["name"] == "Known"  # an import never overwrites


async def test_json_lines_and_anonymous_customers(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    lines = [
        {"id": "j-1", "name": "Jo", "email": "jo@shop.test", "metadata": {"crm": 7}, "dob": "1990-02-03"},
        {"id": "j-2", "is_anonymous": True},
        "not an object",
        {"id": "j-3", "name": "X", "email": "x@shop.test", "emial": "typo"},
    ]
    content = "\n".join(json.dumps(line) for line in lines) + "\n\n"
    done = await imported(app, client, tenant, "customers", content)
    assert (done["done"], done["errors"], done["params"]["format"]) == (2, 2, "jsonl")
    refused = await errors(client, tenant, done["id"])
    assert [row["line"] for row in refused] == [3, 4]
    assert "not a JSON object" in refused[0]["error"] and "emial" in refused[1]["error"]
    anonymous = await client.get(f"{LOYALTY}/customers/j-2", headers=await tenant.loyalty(client))
    assert anonymous.json()["data"]["customer"]["is_anonymous"] is True


async def test_files_that_cannot_be_imported_are_400s_naming_the_file(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    cases = {
        "": "is empty",
        "id,name\n": "no rows",
        "name,email\nAna,a@b.co\n": "lacks id",
        "id,emial\nx,y\n": "unknown column 'emial'",
        "id,id\nx,y\n": "appears twice",
    }
    for content, problem in cases.items():
        response = await upload(client, tenant, "customers", content)
        assert response.status_code == 400, response.text
        assert response.json()["details"].startswith("file:") and problem in response.json()["details"]
    latin = await upload(client, tenant, "customers", "id,name\nx,Jos\xe9\n".encode("latin-1"))
    assert latin.status_code == 400 and "UTF-8" in latin.json()["details"]
    unknown = await upload(client, tenant, "wallets", "id\nx\n")
    assert unknown.status_code == 400 and unknown.json()["details"].startswith("type:")


async def test_a_file_above_the_import_limit_is_a_413(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(app.state.settings, "import_max_bytes", 64)
    response = await upload(client, tenant, "customers", "id,name,email\n" + "x,y,z@w.co\n" * 10)
    assert response.status_code == 413, response.text
    assert response.json()["details"].startswith("file:")
    small = await upload(client, tenant, "customers", "id,name,email\nx,y,z@w.co\n")
    assert small.status_code == 202


async def test_an_idempotency_key_answers_the_same_job_and_jobs_stay_in_their_account(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client) | {"Idempotency-Key": "import-1", "content-type": "text/csv"}
    content = "id,name,email\nk,K,k@shop.test\n"
    first = await client.post(f"{LOYALTY}/imports?type=customers", content=content, headers=headers)
    second = await client.post(f"{LOYALTY}/imports?type=customers", content=content, headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json() and second.headers.get("idempotent-replayed") == "true"
    job_id = first.json()["data"]["id"]
    assert (await job(client, tenant, job_id))["state"] == "QUEUED"
    foreign = await client.get(f"{LOYALTY}/jobs/{job_id}", headers=await other_tenant.loyalty(client))
    assert foreign.status_code == 404 and foreign.json()["error"] == "Job not found"
    listed = await client.get(f"{LOYALTY}/jobs", headers=await tenant.loyalty(client))
    assert [item["id"] for item in listed.json()["data"]] == [job_id]
    assert (await client.get(f"{LOYALTY}/jobs", headers=await other_tenant.loyalty(client))).json()[
        "data"
    ] == []


async def test_a_public_token_cannot_import(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        f"{LOYALTY}/imports?type=customers",
        content="id\nx\n",
        headers=await tenant.loyalty(client, public=True),
    )
    assert response.status_code == 403


async def test_a_run_in_batches_reports_progress_in_the_job(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(app.state.settings, "import_batch_size", 7)
    rows = "id,name,email\n" + "".join(f"b-{n},B{n},b{n}@shop.test\n" for n in range(30))
    response = await upload(client, tenant, "customers", rows)
    seen: list[int] = []

    from perks.jobs.runner import JobRunner

    async def progress(current: object) -> None:
        seen.append((await job(client, tenant, response.json()["data"]["id"]))["done"])

    await JobRunner(app.state.db, app.state.settings).run_next(
        response.json()["data"]["id"], progress=progress
    )
    assert seen == [7, 14, 21, 28, 30]
    await run_jobs(app)
