"""Shared bench machinery: a real server in a child process, a fresh account, and a load generator
that reports throughput and latency percentiles."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ENV = "PERKS_BENCH_POSTGRES_URL"


@dataclass
class Server:
    base_url: str
    database_url: str
    api_key: str
    workspace_id: str
    pid: int
    account_id: str = ""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its children (`--workers`) have used, from Linux /proc: the
    server's cost of a load, apart from the client's, which shares the machine."""
    total = 0.0
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_path.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(stat_path.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@dataclass
class LoadResult:
    label: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    failures: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def line(self) -> str:
        return (
            f"{self.label:<40} {self.per_second:>9.0f} req/s   p50 {self.percentile(0.5):6.2f} ms   "
            f"p99 {self.percentile(0.99):6.2f} ms   failures {self.failures}"
        )


def machine() -> str:
    cpus = os.cpu_count()
    return f"{platform.node()}: {cpus} cores, Python {platform.python_version()}, {platform.platform()}"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def perks_server(
    database_url: str | None = None, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Migrate a fresh database, create an account, and run `perks serve` on it."""
    with tempfile.TemporaryDirectory(prefix="perks-bench-") as directory:
        url = database_url or f"sqlite+aiosqlite:///{directory}/bench.db"
        process_env = {
            **os.environ,
            "PERKS_DATABASE_URL": url,
            "PERKS_SECRET_KEY": "bench-secret-bench-secret-bench-secret",
            "PERKS_RATE_LIMIT_ENABLED": "false",
            "PERKS_LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        perks = [sys.executable, "-m", "perks"]
        subprocess.run([*perks, "migrate"], env=process_env, check=True, capture_output=True)
        created = subprocess.run(
            [*perks, "accounts", "create", "bench", "--json"],
            env=process_env,
            check=True,
            capture_output=True,
            text=True,
        )
        account = json.loads(created.stdout)
        port = free_port()
        process = subprocess.Popen(
            [*perks, "serve", "--no-migrate", "--port", str(port), "--workers", str(workers)],
            env=process_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base_url, process)
            yield Server(
                base_url, url, account["api_key"], account["workspace_id"], process.pid, account["account_id"]
            )
        finally:
            process.terminate()
            process.wait(timeout=15)


@contextmanager
def bare_server() -> Iterator[Server]:
    """The one-route FastAPI app (bench.bare_app) under the uvicorn settings of `perks serve` (one worker,
    auto loop and HTTP parser, no access log, log level warning): the baseline of server CPU per request."""
    port = free_port()
    code = (
        "import uvicorn; uvicorn.run('bench.bare_app:create_app', factory=True, host='127.0.0.1', "
        f"port={port}, workers=1, log_level='warning', access_log=False)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, process)
        yield Server(base_url, "", "", "", process.pid)
    finally:
        process.terminate()
        process.wait(timeout=15)


def _wait_ready(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited during start")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


RequestFactory = Callable[[int], tuple[str, str, dict[str, str], Any]]


def run_load(
    label: str,
    base_url: str,
    make_request: RequestFactory,
    total: int,
    concurrency: int = 16,
    expect: tuple[int, ...] = (200, 201),
    follow_redirects: bool = True,
) -> LoadResult:
    """Send `total` requests (make_request(i) -> method, path, headers, json) with `concurrency` in flight."""
    return asyncio.run(_load(label, base_url, make_request, total, concurrency, expect, follow_redirects))


async def _load(
    label: str,
    base_url: str,
    make_request: RequestFactory,
    total: int,
    concurrency: int,
    expect: tuple[int, ...],
    follow_redirects: bool = True,
) -> LoadResult:
    latencies: list[float] = []
    failures = 0
    counter = iter(range(total))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(base_url=base_url, connector=connector) as client:

        async def worker() -> None:
            nonlocal failures
            for index in counter:
                method, path, headers, body = make_request(index)
                started = time.perf_counter()
                async with client.request(
                    method, path, headers=headers, json=body, allow_redirects=follow_redirects
                ) as response:
                    await response.read()
                    status = response.status
                latencies.append((time.perf_counter() - started) * 1000)
                if status not in expect:
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return LoadResult(label, total, elapsed, latencies, failures)


def run_open_loop(
    label: str,
    base_url: str,
    make_request: RequestFactory,
    rate: float,
    total: int,
    expect: tuple[int, ...] = (200, 201),
) -> LoadResult:
    """Send `total` requests at a fixed arrival rate (`rate` per second), whatever the server's answers do:
    request i is due at start + i / rate and its latency is measured from that scheduled moment, so time
    spent queueing (in the server or in the client) is counted, not hidden as a closed loop hides it."""
    return asyncio.run(_open_loop(label, base_url, make_request, rate, total, expect))


async def _open_loop(
    label: str,
    base_url: str,
    make_request: RequestFactory,
    rate: float,
    total: int,
    expect: tuple[int, ...],
) -> LoadResult:
    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=0)  # no client-side cap: an arrival is never held back
    async with aiohttp.ClientSession(base_url=base_url, connector=connector) as client:

        async def send(index: int, due: float) -> None:
            nonlocal failures
            method, path, headers, body = make_request(index)
            try:
                async with client.request(method, path, headers=headers, json=body) as response:
                    await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError):  # an overloaded server: a failure, counted
                failures += 1
                return
            latencies.append((time.perf_counter() - due) * 1000)
            if status not in expect:
                failures += 1

        started = time.perf_counter()
        tasks = []
        for index in range(total):
            due = started + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(index, due)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    return LoadResult(label, total, elapsed, latencies, failures)


def summary(results: list[LoadResult]) -> str:
    lines = [result.line() for result in results]
    if len(results) > 1 and results[0].per_second:
        for result in results[1:]:
            lines.append(
                f"ratio {result.label} / {results[0].label}: {result.per_second / results[0].per_second:.2f}"
            )
    return "\n".join(lines)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def fresh_databases() -> Iterator[tuple[str, str]]:
    """Print the machine line, then yield (kind, url) of a fresh migrated SQLite database, and of a fresh
    PostgreSQL database when PERKS_BENCH_POSTGRES_URL (or the tests' PERKS_TEST_POSTGRES_URL) is set;
    each is dropped when the loop moves on."""
    from tests.support.databases import POSTGRES_ENV as TEST_POSTGRES_ENV
    from tests.support.databases import fresh_database

    if os.environ.get(POSTGRES_ENV):
        os.environ[TEST_POSTGRES_ENV] = os.environ[POSTGRES_ENV]
    kinds = ["sqlite"] + (["postgres"] if os.environ.get(TEST_POSTGRES_ENV) else [])
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{machine()} | load average {load}", flush=True)
    for kind in kinds:
        with tempfile.TemporaryDirectory() as directory, fresh_database(kind, Path(directory)) as url:
            yield kind, url


def on_each_database(run: Callable[[str, str], Awaitable[None]]) -> None:
    """`run(kind, url)` on each of fresh_databases(): the in-process benches (ASGI app, no server)."""
    for kind, url in fresh_databases():
        asyncio.run(run(kind, url))


def print_cpu_medians(rounds: list[list[tuple[LoadResult, float]]]) -> None:
    """Medians over rounds of loads whose first is the baseline: rate, p99, server CPU per request and its
    ratio to the baseline's (each round's loads: (result, server CPU seconds))."""
    print("medians over the rounds (CPU ratio: server CPU per request / the bare app's per /healthz):")
    for index, (first, _cpu) in enumerate(rounds[0]):
        rates = [round_[index][0].per_second for round_ in rounds]
        cpus = [round_[index][1] * 1000 / round_[index][0].requests for round_ in rounds]
        ratios = [
            (round_[index][1] / round_[index][0].requests) / (round_[0][1] / round_[0][0].requests)
            for round_ in rounds
        ]
        p99s = [round_[index][0].percentile(0.99) for round_ in rounds]
        print(
            f"  {first.label:<40} {median(rates):>7.0f} /s   p99 {median(p99s):6.1f} ms   "
            f"CPU {median(cpus):.3f} ms   {median(ratios):5.2f}x"
        )
