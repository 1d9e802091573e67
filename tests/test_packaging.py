"""The wheel is all a deployment needs: built from the sources alone, installed into a fresh virtual
environment outside the checkout (dependencies from the registries, through pip's cache), it migrates,
serves, and answers both faces, with its package data (migrations, perks.js, the webhook examples)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.server import free_port

ROOT = Path(__file__).resolve().parent.parent
KEY = re.compile(r"\b(rs_live_[0-9a-f]{40})\b")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def built_wheel(workdir: Path) -> Path:
    """The wheel of a copy of the sources (nothing else of the checkout goes in)."""
    source = workdir / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "-w",
        workdir / "dist",
        source,
        cwd=workdir,
    )
    [wheel] = (workdir / "dist").glob("perks-*.whl")
    return wheel


def test_the_wheel_migrates_serves_and_answers_both_faces_from_a_fresh_environment(tmp_path: Path) -> None:
    wheel = built_wheel(tmp_path)
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python, perks = venv / "bin" / "python", venv / "bin" / "perks"
    run(python, "-m", "pip", "install", "--quiet", "-c", ROOT / "requirements.lock", wheel, cwd=tmp_path)
    installed = run(python, "-c", "import perks; print(perks.__file__)", cwd=tmp_path)
    assert installed.startswith(str(venv)), installed
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PERKS_DATABASE_URL": f"sqlite+aiosqlite:///{home / 'perks.db'}",
        "PERKS_LOG_LEVEL": "WARNING",
    }
    assert "up to date" in run(perks, "migrate", cwd=home, env=env)
    port = free_port()
    log = home / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [perks, "serve", "--no-migrate", "--port", str(port)], cwd=home, env=env, stdout=sink, stderr=sink
        )
    try:
        base = f"http://127.0.0.1:{port}"
        key = _first_key(log, server, base)
        with httpx.Client(base_url=base, timeout=10) as http:
            token = http.get("/api/storefront/v1/auth/authorize", headers={"x-api-key": key})
            assert token.status_code == 200, token.text
            customers = http.get(
                "/api/storefront/v1/customers", headers={"Authorization": f"Bearer {token.json()['data']}"}
            )
            assert customers.status_code == 200 and customers.json() == {"data": [], "cursor": None}
            workspaces = http.get("/api/v1/workspaces/list", headers={"x-auth-referralstack": key})
            assert (
                workspaces.status_code == 200 and workspaces.json()["data"]["items"][0]["name"] == "default"
            )
            script = http.get("/perks.js")
            assert script.status_code == 200 and "perks_ref" in script.text
            catalogue = http.get("/api/v1/webhooks/events", headers={"x-auth-referralstack": key})
            assert all(entry["example"] for entry in catalogue.json()["data"])
    finally:
        server.terminate()
        server.wait(timeout=15)


def _first_key(log: Path, server: subprocess.Popen[bytes], base: str) -> str:
    """The key `perks serve` prints on its first start, once the server answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        found = KEY.search(log.read_text())
        try:
            if found and httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return found.group(1)
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not start:\n{log.read_text()}")
