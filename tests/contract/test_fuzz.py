"""Schemathesis against a live server: thousands of generated requests, valid and malformed, to every route
in /openapi.json, with working credentials for both faces. Not one may be answered with a 5xx."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from perks.db import Database
from tests.support.server import TEST_SECRET, live_server
from tests.support.tenants import LOYALTY, create_tenant

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


async def test_no_generated_request_gets_a_server_error(
    database_url: str, database: Database, workdir: Path
) -> None:
    tenant = await create_tenant(database, TEST_SECRET, "fuzz")
    with live_server(database_url, workdir) as server:
        authorize = httpx.get(
            f"{server.base_url}{LOYALTY}/auth/authorize", headers={"x-api-key": tenant.server_key}
        )
        token = authorize.json()["data"]
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"{server.base_url}/openapi.json",
                "--checks",
                "not_a_server_error",
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                "10",
                # One worker: with the fixed seed, the same requests in the same order every run.
                "--workers",
                "1",
                "--seed",
                "20261122",
                "--header",
                f"x-auth-referralstack: {tenant.server_key}",
                "--header",
                f"Authorization: Bearer {token}",
            ],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=workdir,
        )
        server_log = server.log()
    summary = result.stdout[-4000:]
    assert result.returncode == 0, f"{summary}\n--- server log ---\n{server_log[-4000:]}"
    assert " passed" in summary
