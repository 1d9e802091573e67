"""perks worker prunes old clicks, settled deliveries and dispatched events, a small batch per
transaction, after the number of days the settings give (0 keeps rows forever); what is still in use
stays."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from perks.affiliate.tracking.models import Click
from perks.db.database import Database
from perks.housekeeping import prune_once
from perks.kit import clock
from perks.kit.ids import new_id
from perks.kit.pruning import id_floor
from perks.outbox.models import OutboxEvent, WebhookDelivery
from perks.outbox.worker import Worker
from tests.outbox.conftest import create_endpoint, send_test_event
from tests.outbox.receiver import running_receiver
from tests.support.server import server_env
from tests.support.tenants import Tenant
from tests.support.tracking import click, program, stats


async def count(
    database: Database, model: type[Click] | type[OutboxEvent] | type[WebhookDelivery], tenant: Tenant
) -> int:
    async with database.transaction(read_only=True) as session:
        found = await session.scalar(
            select(func.count()).select_from(model).where(model.account_id == tenant.account_id)
        )
    return int(found or 0)


def test_an_id_floor_sorts_below_every_id_made_at_or_after_its_moment() -> None:
    before, made = id_floor(clock.now()), new_id()
    assert before < made < id_floor(clock.now() + timedelta(milliseconds=2))


async def test_clicks_older_than_the_setting_are_pruned_in_batches(
    app: FastAPI,
    client: httpx.AsyncClient,
    tenant: Tenant,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = await program(client, tenant)
    for _ in range(5):
        assert (await click(client, plan.code)).status_code == 302
    clock.travel(timedelta(days=89))
    assert (await prune_once(database, app.state.settings)).clicks == 0  # not old enough yet
    clock.travel(timedelta(days=2))
    assert (await click(client, plan.code)).status_code == 302  # a click of today stays
    monkeypatch.setattr(app.state.settings, "prune_batch_size", 2)
    assert (await prune_once(database, app.state.settings)).clicks >= 5
    assert await count(database, Click, tenant) == 1
    assert (await stats(client, tenant, plan.affiliate["id"]))["clicks"] == 1


async def test_zero_days_keeps_clicks_forever(
    app: FastAPI,
    client: httpx.AsyncClient,
    tenant: Tenant,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = await program(client, tenant)
    await click(client, plan.code)
    clock.travel(timedelta(days=3650))
    monkeypatch.setattr(app.state.settings, "prune_clicks_after_days", 0)
    await prune_once(database, app.state.settings)
    assert await count(database, Click, tenant) == 1


async def test_settled_deliveries_and_dispatched_events_are_pruned_and_pending_ones_stay(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    worker = Worker(database, app.state.settings)
    try:
        with running_receiver(script=[500] * 50) as failing, running_receiver() as working:
            retried = await create_endpoint(client, tenant, failing.url, ["payout.paid"])
            delivered = await create_endpoint(client, tenant, working.url, ["payout.paid"])
            await send_test_event(client, tenant, retried["id"])
            await send_test_event(client, tenant, delivered["id"])
            await worker.fan_out()
            await worker.deliver_due()
    finally:
        await worker.close()
    assert (
        await count(database, OutboxEvent, tenant) == 2
        and await count(database, WebhookDelivery, tenant) == 2
    )
    clock.travel(timedelta(days=31))
    pruned = await prune_once(database, app.state.settings)
    assert pruned.deliveries >= 1 and pruned.events >= 1
    async with database.transaction(read_only=True) as session:
        left = await session.scalars(
            select(WebhookDelivery.status).where(WebhookDelivery.account_id == tenant.account_id)
        )
        assert left.all() == ["pending"]  # the one still being retried, and its event
    assert await count(database, OutboxEvent, tenant) == 1


async def test_perks_worker_once_prunes_with_the_settings_it_is_given(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, database_url: str, workdir: Path
) -> None:
    plan = await program(client, tenant)
    await click(client, plan.code)
    offset = workdir / "clock-offset"
    offset.write_text(str(timedelta(days=10).total_seconds()))
    env = server_env(
        database_url, {"PERKS_CLOCK_OFFSET_FILE": str(offset), "PERKS_PRUNE_CLICKS_AFTER_DAYS": "20"}
    )
    command = [sys.executable, "-m", "perks", "worker", "--once"]
    subprocess.run(command, env=env, cwd=workdir, check=True, timeout=120, capture_output=True)
    assert await count(database, Click, tenant) == 1
    subprocess.run(
        command,
        env=env | {"PERKS_PRUNE_CLICKS_AFTER_DAYS": "7"},
        cwd=workdir,
        check=True,
        timeout=120,
        capture_output=True,
    )
    assert await count(database, Click, tenant) == 0
