"""Schemathesis against a live server, on both databases: generated requests (examples, boundary values,
random fuzzing and stateful sequences that follow the description's links, so created ids are reused) to
every operation of /openapi.json. Every answer must conform to the description (status code, content
type, headers, response schema), no answer may be a 5xx, and three identities take part: the account
driving the run, a second account and the first one's public key, which must never read the first
account's rows (tests/contract/schemathesis.toml)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from perks.db.database import Database
from tests.support.server import TEST_SECRET, LiveServer, live_server
from tests.support.tenants import LOYALTY, create_tenant

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")


def identity(server: LiveServer, name: str, key: str) -> dict[str, object]:
    """A WFC identity: both faces' headers for one API key (the loyalty face's token made from it)."""
    token = httpx.get(f"{server.base_url}{LOYALTY}/auth/authorize", headers={"x-api-key": key}).json()["data"]
    headers = [
        {"name": "x-auth-referralstack", "value": key},
        {"name": "Authorization", "value": f"Bearer {token}"},
    ]
    return {"name": name, "fixedHeaders": headers}


async def test_generated_requests_conform_and_never_get_a_server_error(
    database_url: str, database: Database, workdir: Path
) -> None:
    first = await create_tenant(database, TEST_SECRET, "fuzz-a")
    second = await create_tenant(database, TEST_SECRET, "fuzz-b")
    config = workdir / "schemathesis.toml"
    shutil.copy(CONFIG, config)
    with live_server(database_url, workdir) as server:
        identities = [
            identity(server, "tenant-a", first.server_key),
            identity(server, "tenant-b", second.server_key),
            identity(server, "public", first.public_key),
        ]
        (workdir / "auth.json").write_text(json.dumps({"auth": identities}))
        result = subprocess.run(
            [str(SCHEMATHESIS), "--config-file", str(config), "run", f"{server.base_url}/openapi.json"],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=workdir,
        )
        server_log = server.log()
    summary = result.stdout[-6000:]
    assert result.returncode == 0, (
        f"{summary}\n{result.stderr[-2000:]}\n--- server log ---\n{server_log[-4000:]}"
    )
    assert "Stateful" in summary and " passed" in summary
    assert "Traceback" not in server_log
