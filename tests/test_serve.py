"""What a newcomer does: `perks serve` on an empty directory, then again."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.support.server import live_server

SQLITE_FILE = "perks.db"


def test_first_start_prints_a_working_key_and_a_second_start_does_not(workdir: Path) -> None:
    url = f"sqlite+aiosqlite:///{workdir / SQLITE_FILE}"
    # No PERKS_SECRET_KEY: the secret is generated once and kept beside the database.
    env = {"PERKS_SECRET_KEY": ""}
    with live_server(url, workdir, args=(), env=env) as server:
        output = server.log()
        keys = re.findall(r"rs_live_[0-9a-f]{40}", output)
        assert len(set(keys)) == 1, output
        api_key = keys[0]
        assert f"curl -H 'x-api-key: {api_key}'" in output
        assert f"curl -H 'x-auth-referralstack: {api_key}'" in output
        check_key_works(server.base_url, api_key)
        check_console_sign_in(server.base_url, output)
    assert (workdir / f"{SQLITE_FILE}.secret").exists()

    with live_server(url, workdir, args=(), env=env) as server:
        assert "rs_live_" not in server.log() and "password" not in server.log()
        check_key_works(server.base_url, api_key)
        workspaces = httpx.get(
            f"{server.base_url}/api/v1/workspaces/list", headers={"x-auth-referralstack": api_key}
        ).json()
        assert workspaces["data"]["pagination"]["total"] == 1


def check_key_works(base_url: str, api_key: str) -> None:
    token = httpx.get(f"{base_url}/api/storefront/v1/auth/authorize", headers={"x-api-key": api_key})
    assert token.status_code == 200, token.text
    assert token.json()["data"].count(".") == 2
    listing = httpx.get(f"{base_url}/api/v1/workspaces/list", headers={"x-auth-referralstack": api_key})
    assert listing.status_code == 200
    assert listing.json()["message"] == "Workspaces fetched successfully"
    docs = httpx.get(f"{base_url}/openapi.json")
    assert "/api/v1/workspaces/list" in docs.json()["paths"]


def check_console_sign_in(base_url: str, output: str) -> None:
    """The first start prints the console's URL and its owner's email and password, and they sign in."""
    assert f"The console: {base_url}/console" in output
    email = re.search(r"email\s+(\S+@\S+)", output)
    password = re.search(r"password\s+(\S+)", output)
    assert email and password, output
    with httpx.Client(base_url=base_url) as browser:
        form = browser.get("/console/login")
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
        assert token is not None
        data = {"email": email.group(1), "password": password.group(1), "csrf_token": token.group(1)}
        signed = browser.post("/console/login", data=data)
        assert signed.status_code == 303, signed.text
        assert "owner" in browser.get("/console/settings/keys").text
