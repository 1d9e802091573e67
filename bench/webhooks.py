"""Webhook delivery throughput: N events fanned out, signed and POSTed by one and by two `perks worker`
processes, against a bare baseline of the same signed POSTs sent by one httpx client at the same
concurrency (the ceiling of client + receiver on this machine), in one run.

    python -m bench.webhooks [--events N]      # SQLite; PERKS_BENCH_POSTGRES_URL=... adds PostgreSQL
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from perks import accounts
from perks.db.database import Database
from perks.db.migrate import migrate
from perks.outbox.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from perks.outbox.service import emit
from perks.outbox.signing import new_secret, signature_header
from perks.tenancy.context import AuthContext, KeyKind

BATCH = 50
RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200); self.send_header("content-length", "0"); self.end_headers()
    def log_message(self, *args): pass
class Server(ThreadingHTTPServer):
    request_queue_size = 256
    daemon_threads = True
server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@contextmanager
def receiver() -> Iterator[str]:
    """A keep-alive HTTP receiver in its own process (so it does not share a GIL with the sender)."""
    process = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE)
    assert process.stdout is not None
    port = int(process.stdout.readline())
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        process.terminate()
        process.wait()


async def baseline(url: str, total: int) -> float:
    """Signed POSTs of an event-sized body, BATCH at a time, from one client: requests per second."""
    secret, body = new_secret(), b'{"id":"x","type":"sale.created","timestamp":"t","data":{"n":1}}'
    async with httpx.AsyncClient(timeout=10) as client:

        async def post(n: int) -> None:
            headers = {"webhook-id": str(n), "webhook-signature": signature_header([secret], str(n), 0, body)}
            (await client.post(url, content=body, headers=headers)).raise_for_status()

        started = time.perf_counter()
        for first in range(0, total, BATCH):
            await asyncio.gather(*(post(n) for n in range(first, min(first + BATCH, total))))
        return total / (time.perf_counter() - started)


async def prepare(database: Database, url: str, events: int) -> str:
    """A fresh account with one endpoint, and `events` undelivered events for it; returns the endpoint id."""
    async with database.transaction() as session:
        created = await accounts.open_account(session, "bench", "bench-secret")
        ctx = AuthContext(created.account.id, created.key.id, KeyKind.SERVER)
        endpoint = WebhookEndpoint(
            account_id=ctx.account_id, url=url, events=["sale.created"], active=True, secret=new_secret()
        )
        session.add(endpoint)
        for n in range(events):
            emit(session, ctx, "sale.created", {"n": n, "amount": "12.50"})
        await session.flush()
        return endpoint.id


async def delivered(database: Database, endpoint_id: str) -> int:
    async with database.transaction(read_only=True) as session:
        count = await session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(
                WebhookDelivery.endpoint_id == endpoint_id,
                WebhookDelivery.status == DeliveryStatus.SUCCEEDED.value,
            )
        )
    return int(count or 0)


@contextmanager
def worker_processes(database_url: str, count: int) -> Iterator[None]:
    env = dict(os.environ) | {
        "PERKS_DATABASE_URL": database_url,
        "PERKS_ALLOW_PRIVATE_WEBHOOKS": "true",
        "PERKS_WORKER_POLL_SECONDS": "0.05",
        "PERKS_LOG_LEVEL": "WARNING",
    }
    processes = [subprocess.Popen([sys.executable, "-m", "perks", "worker"], env=env) for _ in range(count)]
    try:
        time.sleep(3)  # started and idle before the clock runs
        yield
    finally:
        for process in processes:
            process.terminate()
            process.wait()


async def with_workers(database: Database, database_url: str, url: str, events: int, workers: int) -> float:
    """Deliveries per second, from the commit of the events until the last one is delivered."""
    with worker_processes(database_url, workers):
        endpoint_id = await prepare(database, url, events)
        started = time.perf_counter()
        while await delivered(database, endpoint_id) < events:  # noqa: ASYNC110  (polling the database)
            await asyncio.sleep(0.05)
        return events / (time.perf_counter() - started)


async def measure(label: str, database_url: str, events: int) -> None:
    migrate(database_url)
    database = Database(database_url)
    try:
        with receiver() as url:
            bare = await baseline(url, events)
            one = await with_workers(database, database_url, url, events, 1)
            two = await with_workers(database, database_url, url, events, 2)
    finally:
        await database.dispose()
    print(f"{label}: {events} events, batches of {BATCH}")
    print(f"  bare signed POSTs, one client (baseline)  {bare:8.0f} /s")
    print(f"  1 worker process                          {one:8.0f} /s   {one / bare:5.2f} x baseline")
    print(f"  2 worker processes                        {two:8.0f} /s   {two / bare:5.2f} x baseline")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as directory:
        sqlite_url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        asyncio.run(measure("SQLite", sqlite_url, args.events))
    admin_url = os.environ.get("PERKS_BENCH_POSTGRES_URL")
    if admin_url:
        with fresh_postgres(admin_url) as postgres_url:
            asyncio.run(measure("PostgreSQL", postgres_url, args.events))


@contextmanager
def fresh_postgres(admin_url: str) -> Iterator[str]:
    """A database of our own on the server of `admin_url`, dropped afterwards."""
    admin = make_url(admin_url)
    name = f"perks_bench_{uuid.uuid4().hex[:12]}"
    plain = admin.set(drivername="postgresql").render_as_string(hide_password=False)

    async def execute(statement: str) -> None:
        connection = await asyncpg.connect(plain)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
