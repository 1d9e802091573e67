"""The public redirect `GET /r/{code}`: redirects per second and p99 through a real `perks serve`,
against a bare ASGI app answering a constant 302 (with a cookie) under the same uvicorn settings (the
framework's ceiling), in one run. After the run the clicks are counted: every answered redirect must
have its click row.

    python -m bench.redirect [--total N] [--concurrency C]
    (SQLite; PERKS_BENCH_POSTGRES_URL=... adds PostgreSQL, in a database of its own)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from bench.support import LoadResult, Server, _wait_ready, free_port, machine, median, perks_server, run_load
from bench.webhooks import fresh_postgres

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
LOCATION = b"https://shop.example/landing?via=bench"


async def bare_app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    """The ceiling: a constant 302 with a Location and a Set-Cookie, nothing else."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/healthz":  # for the readiness wait
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
        return
    headers = [
        (b"location", LOCATION),
        (b"set-cookie", b"perks_ref=0193a0a0-0000-7000-8000-000000000000; Max-Age=5184000; Path=/"),
        (b"content-length", b"0"),
    ]
    await send({"type": "http.response.start", "status": 302, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


@contextmanager
def bare_server() -> Iterator[str]:
    """uvicorn as `perks serve` runs it: one worker, auto loop and HTTP parser, no access log."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bench.redirect:bare_app", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--no-access-log", "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, process)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=15)


def link(server: Server) -> tuple[str, str]:
    """A campaign, an affiliate and a link on the bench account: (referral code, affiliate id)."""
    headers = {"x-auth-referralstack": server.api_key}
    with httpx.Client(base_url=f"{server.base_url}/api/v1", headers=headers) as http:
        http.post(
            "/campaigns",
            json={
                "campaignName": "Bench",
                "commissionType": "percentage",
                "amount": 10,
                "url": "https://shop.example",
            },
        ).raise_for_status()
        person = http.post("/affiliates", json={"email": "a@example.com", "firstName": "A", "lastName": "B"})
        person.raise_for_status()
        affiliate_id = person.json()["data"]["id"]
        http.post("/links", json={"affiliateId": affiliate_id, "referralCode": "bench"}).raise_for_status()
    return "bench", affiliate_id


def clicks(server: Server, affiliate_id: str) -> int:
    response = httpx.get(
        f"{server.base_url}/api/v1/affiliates/stats?affiliateId={affiliate_id}",
        headers={"x-auth-referralstack": server.api_key},
    )
    response.raise_for_status()
    return int(response.json()["data"]["clicks"])


def redirects(label: str, base_url: str, path: str, total: int, concurrency: int) -> LoadResult:
    # Many visitors, so the cookie jar and dedupe see distinct user agents.
    return run_load(
        label,
        base_url,
        lambda i: ("GET", path, {"user-agent": f"{BROWSER} v{i % 97}"}, None),
        total,
        concurrency,
        expect=(302,),
        follow_redirects=False,
    )


def measure(label: str, database_url: str | None, total: int, concurrency: int, rounds: int) -> None:
    """Alternate the ceiling and Perks `rounds` times (the machine is shared: load comes and goes), then
    report each round and the median ratio."""
    with bare_server() as bare_url, perks_server(database_url) as server:
        code, affiliate_id = link(server)
        redirects("warm-up", bare_url, "/", 300, concurrency)
        redirects("warm-up", server.base_url, f"/r/{code}", 300, concurrency)
        ratios, answered = [], 300
        for _round in range(rounds):
            baseline = redirects("bare ASGI 302 (ceiling)", bare_url, "/", total, concurrency)
            perks = redirects(f"GET /r/{{code}} ({label})", server.base_url, f"/r/{code}", total, concurrency)
            answered += total - perks.failures
            ratios.append(perks.per_second / baseline.per_second)
            print(baseline.line())
            print(perks.line())
        recorded = clicks(server, affiliate_id)
    each = ", ".join(f"{ratio:.2f}" for ratio in ratios)
    print(f"ratio perks / ceiling per round: {each}; median {median(ratios):.2f}")
    verdict = "all" if recorded == answered else "MISSING"
    print(f"clicks recorded: {recorded} of {answered} answered redirects ({verdict})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--total", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(machine())
    print(f"load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    measure("SQLite", None, args.total, args.concurrency, args.rounds)
    admin_url = os.environ.get("PERKS_BENCH_POSTGRES_URL")
    if admin_url:
        with fresh_postgres(admin_url) as postgres_url:
            measure("PostgreSQL", postgres_url, args.total, args.concurrency, args.rounds)
    print(f"load average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
