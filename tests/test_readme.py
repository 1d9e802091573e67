"""The README's first integration is run as written: every `sh` block of that section, in order, in one
shell, against a live server started the way the README starts it (a fresh database, the worker inside,
webhooks allowed to reach this machine), with BASE and KEY set as the README tells the reader to."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from tests.support.server import free_port, live_server

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "## A first integration in ten minutes"
KEY = re.compile(r"\b(rs_live_[0-9a-f]{40})\b")


def walkthrough() -> str:
    text = README.read_text()
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 10, "the walkthrough lost its requests"
    return "\n".join(blocks)


def printed_key(log: str) -> str:
    found = KEY.search(log)
    assert found is not None, log
    return found.group(1)


def test_every_request_of_the_first_integration_works_against_a_live_server(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'perks.db'}"
    env = {"PERKS_ALLOW_PRIVATE_WEBHOOKS": "true", "PERKS_WORKER_POLL_SECONDS": "0.2"}
    with live_server(database_url, tmp_path, args=("--with-worker",), env=env) as server:
        deadline = time.monotonic() + 10
        while not KEY.search(server.log()) and time.monotonic() < deadline:
            time.sleep(0.1)
        script = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + walkthrough()
        shell_env = {"PATH": "/usr/bin:/bin", "BASE": server.base_url, "KEY": printed_key(server.log())}
        shell_env["HOOK_PORT"] = str(free_port())
        result = subprocess.run(
            ["bash", "-c", script], env=shell_env, capture_output=True, text=True, timeout=240, cwd=tmp_path
        )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    answers = [line for line in lines if not line.startswith("webhook ")]
    received = [line.split(" ", 2)[2] for line in lines if line.startswith("webhook ")]
    assert answers[:5] == ["RUNNING", "cust-1", "25", "25", "Ana Lopez"]
    assert answers[6] == "35"  # 25 points of the purchase, 10 of the coupon
    assert answers[7:] == [
        "['sale.created', 'commission.created']",
        "https://shop.example?ref=jane",
        "302 https://shop.example/?ref=jane",  # as curl writes the Location
        "Referred user created successfully",
        "20.00",
        "paid",
        "succeeded",
    ]
    assert sorted('"type":"sale.created"' in body for body in received) == [False, True]
