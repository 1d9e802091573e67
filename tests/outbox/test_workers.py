"""Real `perks worker` processes: a SIGKILLed worker loses nothing, two workers share a thousand events
without ever delivering one twice at the same time, and `perks serve --with-worker` delivers by itself."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import func, select

from perks.db.database import Database
from perks.outbox.models import DeliveryStatus, WebhookDelivery
from perks.outbox.service import emit
from perks.outbox.worker import LEASE
from perks.tenancy.context import AuthContext, KeyKind
from tests.outbox.conftest import create_endpoint
from tests.outbox.receiver import running_receiver
from tests.support.server import live_server, server_env
from tests.support.tenants import AFFILIATE, Tenant

WORKER_ENV = {
    "PERKS_ALLOW_PRIVATE_WEBHOOKS": "true",
    "PERKS_WEBHOOK_RETRY_BASE_SECONDS": "0.01",
    "PERKS_WORKER_POLL_SECONDS": "0.05",
}


@contextmanager
def worker_process(
    database_url: str, workdir: Path, name: str, **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    with (workdir / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "perks", "worker"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=server_env(database_url, WORKER_ENV | env),
            cwd=workdir,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def emit_events(database: Database, tenant: Tenant, count: int) -> list[str]:
    ctx = AuthContext(account_id=tenant.account_id, key_id=tenant.server_key_id, kind=KeyKind.SERVER)
    async with database.transaction() as session:
        events = [emit(session, ctx, "sale.created", {"n": n}) for n in range(count)]
        await session.flush()
    return [event.id for event in events]


async def succeeded(database: Database, endpoint_id: str) -> int:
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


async def wait_until(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition() if asyncio.iscoroutinefunction(condition) else condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_sigkilled_worker_loses_nothing_and_duplicates_share_the_webhook_id(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, database_url: str, workdir: Path
) -> None:
    offset = workdir / "clock-offset"
    offset.write_text("0")
    env = {"PERKS_WEBHOOK_BATCH_SIZE": "10", "PERKS_CLOCK_OFFSET_FILE": str(offset)}
    with running_receiver(delay=0.3) as receiver:
        endpoint = await create_endpoint(client, tenant, receiver.url, ["sale.created"])
        events = await emit_events(database, tenant, 30)
        with worker_process(database_url, workdir, "first", **env) as first:
            # The first batch of 10 is done once an 11th request arrives: the second batch is in flight.
            await wait_until(lambda: len(receiver.received) > 10, 60, "the second batch")
            first.send_signal(signal.SIGKILL)
            first.wait()
        assert await succeeded(database, endpoint["id"]) < 30
        offset.write_text(str(LEASE.total_seconds() + 1))  # the dead worker's leases run out
        with worker_process(database_url, workdir, "second", **env):

            async def all_delivered() -> bool:
                return await succeeded(database, endpoint["id"]) == 30

            await wait_until(all_delivered, 60, "every event to be delivered")

    ids = receiver.ids()
    assert set(ids) == set(events)
    assert len(ids) > len(events), "the kill should have cut a batch short"
    for request in receiver.received:
        assert request.verified(endpoint["secret"])["id"] == request.webhook_id


async def test_two_workers_deliver_a_thousand_events_never_one_twice_at_once(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, database_url: str, workdir: Path
) -> None:
    with running_receiver(delay=0.002) as receiver:
        endpoint = await create_endpoint(client, tenant, receiver.url, ["sale.created"])
        events = await emit_events(database, tenant, 1000)
        with (
            worker_process(database_url, workdir, "one"),
            worker_process(database_url, workdir, "two"),
        ):

            async def all_delivered() -> bool:
                return await succeeded(database, endpoint["id"]) == 1000

            await wait_until(all_delivered, 120, "a thousand deliveries")

    assert receiver.overlaps == []
    assert sorted(receiver.ids()) == sorted(events)


async def test_serve_with_worker_delivers_in_the_server_process(
    database_url: str, workdir: Path, tenant: Tenant
) -> None:
    with (
        running_receiver() as receiver,
        live_server(database_url, workdir, args=("--no-migrate", "--with-worker"), env=WORKER_ENV) as server,
    ):
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            endpoint = await create_endpoint(http, tenant, receiver.url, ["payout.paid"])
            sent = await http.post(
                f"{AFFILIATE}/webhooks/test?endpointId={endpoint['id']}", headers=tenant.affiliate
            )
            await wait_until(lambda: len(receiver.received) == 1, 30, "the test event")
    assert receiver.ids() == [sent.json()["data"]["id"]]
    receiver.received[0].verified(endpoint["secret"])


async def test_worker_once_delivers_what_is_due_and_exits(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, database_url: str, workdir: Path
) -> None:
    with running_receiver() as receiver:
        await create_endpoint(client, tenant, receiver.url, ["sale.created"])
        events = await emit_events(database, tenant, 3)
        finished = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "perks", "worker", "--once"],
            env=server_env(database_url, WORKER_ENV),
            cwd=workdir,
            capture_output=True,
            timeout=60,
        )
    assert finished.returncode == 0, finished.stderr
    assert sorted(receiver.ids()) == sorted(events)
