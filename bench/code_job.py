"""Generating 10,000,000 codes as a job: POST a COUPONS campaign with quantity 10,000,000 to a real
`perks serve`; a `perks worker` process generates the codes, a chunk (PERKS_CODES_JOB_CHUNK, 5,000) per
transaction, while the bench follows GET /jobs/{id}. Meanwhile the bench registers customers one by one
(POST /customers), to see what the job costs the writes it shares the database with.

Baselines in the same run and server: a campaign of 100,000 codes generated inside its POST (the
threshold), in codes/s, once before the job (into an almost empty table) and once after it, in the job's
format (random keys into the index the job filled: what each code costs at that size); and the customer
registrations before the job starts.

    python -m bench.code_job [--codes N]

SQLite always; PERKS_BENCH_POSTGRES_URL (or PERKS_TEST_POSTGRES_URL) adds PostgreSQL, in a fresh database.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

from bench.support import fresh_databases, perks_server
from perks.kit import clock

LOYALTY = "/api/storefront/v1"


def campaign_body(reward_id: str, quantity: int, prefix: str) -> dict[str, object]:
    return {
        "name": f"{prefix} codes",
        "rules": json.dumps([{"conditions": [], "effects": [{"reward_id": reward_id, "amount": 1}]}]),
        "start_date": clock.now().isoformat(),
        "end_date": (clock.now() + timedelta(days=30)).isoformat(),
        "quantity": quantity,
        "attributes": {"code_config": {"prefix": f"{prefix}-", "length": 10}},
    }


def registrations(http: httpx.Client, headers: dict[str, str], label: str, count: int = 40) -> list[float]:
    latencies = []
    for n in range(count):
        started = time.perf_counter()
        body = {"id": f"{label}-{n}", "name": "Bench", "email": f"{label}-{n}@bench.test"}
        http.post("/customers", headers=headers, json=body).raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(0.05)
    return latencies


def percentiles(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    return f"p50 {statistics.median(ordered):6.1f} ms, p99 {ordered[int(0.99 * (len(ordered) - 1))]:6.1f} ms"


def run(kind: str, url: str, codes: int) -> None:
    with perks_server(url) as server, tempfile.TemporaryDirectory() as directory:
        env = {
            **os.environ,
            "PERKS_DATABASE_URL": url,
            "PERKS_SECRET_KEY": "bench-secret-bench-secret-bench-secret",
        }
        with httpx.Client(base_url=server.base_url + LOYALTY, timeout=600) as http:
            token = http.get("/auth/authorize", headers={"x-api-key": server.api_key}).json()["data"]
            headers = {"Authorization": f"Bearer {token}"}
            reward = http.post(
                "/rewards",
                headers=headers,
                json={"type": "POINTS", "name": "P", "attributes": {"conversion_factor": 1}},
            ).json()["data"]["id"]
            started = time.perf_counter()
            http.post(
                "/campaigns?type=COUPONS", headers=headers, json=campaign_body(reward, 100_000, "INLINE")
            )
            inline = 100_000 / (time.perf_counter() - started)
            quiet = registrations(http, headers, "quiet")
            log = Path(directory) / "worker.log"
            with log.open("wb") as sink:
                worker = subprocess.Popen(
                    [sys.executable, "-m", "perks", "worker"], env=env, stdout=sink, stderr=subprocess.STDOUT
                )
            try:
                started = time.perf_counter()
                response = http.post(
                    "/campaigns?type=COUPONS", headers=headers, json=campaign_body(reward, codes, "JOB")
                )
                answered = time.perf_counter() - started
                response.raise_for_status()
                job_id = response.json()["job"]["id"]
                busy = registrations(http, headers, "busy")
                while (job := http.get(f"/jobs/{job_id}", headers=headers).json()["data"])[
                    "state"
                ] != "SUCCEEDED":
                    assert job["state"] in ("QUEUED", "RUNNING"), job
                    time.sleep(1)
                elapsed = time.perf_counter() - started
                started = time.perf_counter()
                # The job's own format: random keys into the part of the index the job filled.
                http.post(
                    "/campaigns?type=COUPONS", headers=headers, json=campaign_body(reward, 100_000, "JOB")
                )
                inline_after = 100_000 / (time.perf_counter() - started)
            finally:
                worker.terminate()
                worker.wait(timeout=30)
    print(f"{kind}: POST /campaigns with {codes:,} codes answered in {answered * 1000:.0f} ms (with the job)")
    rate = codes / elapsed
    print(
        f"  job: {codes:,} codes in {elapsed:7.1f} s = {rate:9,.0f} codes/s  | baselines, 100,000 codes "
        f"inside one POST: into the empty table {inline:9,.0f} codes/s ({rate / inline:4.2f}x), once the "
        f"job's codes are there {inline_after:9,.0f} codes/s ({rate / inline_after:4.2f}x)"
    )
    print(f"  POST /customers while idle: {percentiles(quiet)};  during the job: {percentiles(busy)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--codes", type=int, default=10_000_000)
    args = parser.parse_args()
    for kind, url in fresh_databases():
        run(kind, url, args.codes)


if __name__ == "__main__":
    main()
