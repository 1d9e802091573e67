"""perks.kit.collector: a serving process freezes what its built app holds and collects the young
generation less often; a process that did not ask (tests, jobs) keeps CPython's collector as it is. Run
in fresh interpreters, so that this test process is not frozen."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import gc, json, sys
from fastapi.testclient import TestClient
from perks.app import create_app
from perks.config import Settings
settings = Settings(database_url=sys.argv[1], gc_tuning=sys.argv[2] == "on", secret_key="s" * 40)
with TestClient(create_app(settings)) as client:
    client.get("/healthz")
    print(json.dumps({"frozen": gc.get_freeze_count(), "young": gc.get_threshold()[0]}))
"""


def probe(tmp_path: Path, tuning: str) -> dict[str, int]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'collector.db'}"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, url, tuning], capture_output=True, text=True, timeout=120, check=True
    )
    found: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize("tuning", ["on", "off"])
def test_the_app_freezes_what_it_holds_only_when_asked(tmp_path: Path, tuning: str) -> None:
    found = probe(tmp_path, tuning)
    if tuning == "on":
        assert found["frozen"] > 100_000  # mappers, validators, routes: what a full collection walked
        assert found["young"] == 50_000
    else:
        assert found == {"frozen": 0, "young": 700}
