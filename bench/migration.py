"""Migrating from another vendor through the storefront API, end to end: a real `perks serve` and a `perks
worker` process (polling every PERKS_WORKER_POLL_SECONDS, 0.2 s here), each batch POSTed and then followed
through GET /jobs/{id} until the job has SUCCEEDED. Measured from the POST to the job's end, in order:

1. POST /customers/migrate: 1,000 customers with 10 balance lines each (10,000 MIGRATION lines), metrics;
2. the same batch sent again (everything skipped);
3. POST /customers/migrate/transactions: their history, 10 transactions each, summing to the balance;
4. POST /customers/migrate/events: 1,000 PURCHASE events, one per customer (metrics and tier).

Baseline in the same run and server: the same customers and balance lines as files through POST /imports
(customers, then balances), two jobs of the same engine.

    python -m bench.migration [--customers N] [--lines N]

SQLite always; PERKS_BENCH_POSTGRES_URL (or PERKS_TEST_POSTGRES_URL) adds PostgreSQL, in a fresh database.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.support import fresh_databases, perks_server
from perks.kit import clock

LOYALTY = "/api/storefront/v1"


def customers_body(prefix: str, count: int, lines: int, reward_id: str) -> dict[str, Any]:
    later = clock.now() + timedelta(days=30)
    return {
        "customers": [
            {
                "id": f"{prefix}-{n}",
                "name": f"Customer {n}",
                "email": f"{prefix}-{n}@bench.test",
                "registration_date": "2022-05-01T00:00:00Z",
                "balance": [
                    {
                        "reward_id": reward_id,
                        "amount": 10 + line,
                        "expiration_date": (later + timedelta(days=line)).isoformat(),
                        "store_id": "store-1",
                    }
                    for line in range(lines)
                ],
                "metrics": {"lifetime": {"spend_total": "120.50", "number_of_purchases": 4}},
            }
            for n in range(count)
        ]
    }


def history_body(prefix: str, count: int, lines: int, reward_id: str) -> dict[str, Any]:
    return {
        "customers": [
            {
                "id": f"{prefix}-{n}",
                "transactions": [
                    {
                        "reward_id": reward_id,
                        "type": "ACCUMULATION",
                        "amount": 10 + line,
                        "issued_at": f"2024-01-{line + 1:02d}T12:00:00Z",
                    }
                    for line in range(lines)
                ],
            }
            for n in range(count)
        ]
    }


def events_body(prefix: str, count: int) -> dict[str, Any]:
    when = (clock.now() - timedelta(days=30)).isoformat()
    return {
        "customers": [
            {
                "id": f"{prefix}-{n}",
                "events": [
                    {"type": "PURCHASE", "issued_at": when, "order": {"purchase_id": f"o-{n}", "value": 25}}
                ],
            }
            for n in range(count)
        ]
    }


def finished(http: httpx.Client, headers: dict[str, str], response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    job_id = response.json()["data"]["id"]
    while True:
        job: dict[str, Any] = http.get(f"/jobs/{job_id}", headers=headers).json()["data"]
        if job["state"] not in ("QUEUED", "RUNNING"):
            assert job["state"] == "SUCCEEDED" and job["errors"] == 0, job
            return job
        time.sleep(0.1)


def timed(
    http: httpx.Client, auth: dict[str, str], path: str, **request: Any
) -> tuple[float, float, dict[str, Any]]:
    """(seconds to the answer, seconds to the job's end, the job)."""
    started = time.perf_counter()
    response = http.post(path, **({"headers": auth} | request))
    answered = time.perf_counter() - started
    job = finished(http, auth, response)
    return answered, time.perf_counter() - started, job


def run(kind: str, url: str, count: int, lines: int) -> None:
    env = {"PERKS_WORKER_POLL_SECONDS": "0.2"}
    with perks_server(url, env=env) as server, tempfile.TemporaryDirectory() as directory:
        worker_env = {
            **os.environ,
            **env,
            "PERKS_DATABASE_URL": url,
            "PERKS_SECRET_KEY": "bench-secret-bench-secret-bench-secret",
            "PERKS_LOG_LEVEL": "WARNING",
        }
        log = Path(directory) / "worker.log"
        with log.open("wb") as sink:
            worker = subprocess.Popen(
                [sys.executable, "-m", "perks", "worker"],
                env=worker_env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        try:
            with httpx.Client(base_url=server.base_url + LOYALTY, timeout=600) as http:
                token = http.get("/auth/authorize", headers={"x-api-key": server.api_key}).json()["data"]
                headers = {"Authorization": f"Bearer {token}"}
                reward = http.post(
                    "/rewards",
                    headers=headers,
                    json={"type": "POINTS", "name": "P", "attributes": {"conversion_factor": 1}},
                ).json()["data"]["id"]
                report(kind, http, headers, reward, count, lines)
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def report(
    kind: str, http: httpx.Client, headers: dict[str, str], reward: str, count: int, lines: int
) -> None:
    body = customers_body("m", count, lines, reward)
    size = len(httpx.Request("POST", "/", json=body).content)
    load = os.getloadavg()[0]
    answered, total, job = timed(http, headers, "/customers/migrate", json=body)
    rows = count * lines
    print(
        f"{kind} (load {load:.1f}): POST /customers/migrate, {count:,} customers x {lines} lines "
        f"({size / 1e6:.1f} MB): answered in {answered * 1000:.0f} ms, job done in {total:.2f} s "
        f"= {count / total:,.0f} customers/s, {rows / total:,.0f} lines/s (done {job['done']})"
    )
    wallet = http.get("/customers/m-0", headers=headers).json()["data"]["wallet"]
    expected = sum(10 + line for line in range(lines))
    assert wallet["totals"][0]["total"] == expected, wallet["totals"]
    answered, total, job = timed(http, headers, "/customers/migrate", json=body)
    print(f"  the same batch again: {total:.2f} s (skipped {job['skipped']}, done {job['done']})")
    answered, total, job = timed(
        http, headers, "/customers/migrate/transactions", json=history_body("m", count, lines, reward)
    )
    print(f"  /customers/migrate/transactions, {rows:,} transactions: {total:.2f} s = {rows / total:,.0f}/s")
    answered, total, job = timed(http, headers, "/customers/migrate/events", json=events_body("m", count))
    print(f"  /customers/migrate/events, {count:,} PURCHASE events: {total:.2f} s = {count / total:,.0f}/s")
    customers_csv = "id,name,email\n" + "".join(
        f"f-{n},Customer {n},f-{n}@bench.test\n" for n in range(count)
    )
    balances_csv = "customer_id,reward_id,amount,expiration_date\n" + "".join(
        f"f-{n},{reward},{10 + line},{(clock.now() + timedelta(days=30 + line)).isoformat()}\n"
        for n in range(count)
        for line in range(lines)
    )
    file_headers = headers | {"content-type": "text/csv"}
    _, first, _ = timed(http, headers, "/imports?type=customers", content=customers_csv, headers=file_headers)
    _, second, _ = timed(http, headers, "/imports?type=balances", content=balances_csv, headers=file_headers)
    migrate_total = count / (first + second)
    print(
        f"  baseline, the same as two files through POST /imports: {first:.2f} s + {second:.2f} s "
        f"= {migrate_total:,.0f} customers/s | load after {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10)
    args = parser.parse_args()
    for kind, url in fresh_databases():
        run(kind, url, args.customers, args.lines)


if __name__ == "__main__":
    main()
