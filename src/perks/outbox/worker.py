"""The webhook delivery loop (perks.worker runs it beside the job queue and the periodic jobs): fans outbox
events out to matching endpoints, then delivers due deliveries.

Each round: (1) in one transaction, take a batch of undispatched events (PostgreSQL: FOR UPDATE SKIP
LOCKED) and insert one delivery per matching active endpoint; (2) in one transaction, lease a batch of due
deliveries (locked_until = now + LEASE, a fresh lease_id); (3) outside any transaction, POST each one,
concurrently, with a 10 s limit; (4) in one transaction, record each outcome, only where the lease is
still ours. A killed worker's leases run out and another worker takes those deliveries again: delivery is
at least once, and the webhook-id (the event id) is the same on every attempt, so receivers can dedupe.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from perks import __version__
from perks.config import Settings
from perks.db.database import Database
from perks.kit import clock
from perks.kit.ids import new_id
from perks.outbox import repository, safety, schedule
from perks.outbox.catalogue import TEST_EVENT
from perks.outbox.models import DeliveryStatus, OutboxEvent, WebhookEndpoint
from perks.outbox.repository import Claimed
from perks.outbox.signing import signature_header

TIMEOUT_SECONDS = 10.0
# A lease outlasts any attempt (10 s) by far, so two workers never hold one delivery at the same time.
LEASE = timedelta(seconds=60)
ERROR_MAX = 500
USER_AGENT = f"Perks-Webhooks/{__version__}"

log = logging.getLogger("perks.webhooks")
ATTEMPTS = Counter("perks_webhook_attempts_total", "Webhook delivery attempts", ["outcome"])


@dataclass(frozen=True)
class Outcome:
    response_code: int | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300


class Worker:
    def __init__(self, database: Database, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        self.database = database
        self.settings = settings
        self.http = http or httpx.AsyncClient(
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
            headers={"user-agent": USER_AGENT},
            # Connects only to addresses checked at connection time (unless private targets are allowed);
            # no proxy from the environment, which would connect in its stead.
            transport=safety.webhook_transport(settings.allow_private_webhooks),
            trust_env=settings.allow_private_webhooks,
        )
        self.rng = random.Random()

    async def close(self) -> None:
        await self.http.aclose()

    async def run_once(self) -> int:
        """One round; returns how many events and deliveries it handled (0 = nothing to do)."""
        return await self.fan_out() + await self.deliver_due()

    async def drain(self, max_rounds: int = 1000) -> None:
        """Rounds until nothing is due (tests and `perks worker --once`)."""
        for _ in range(max_rounds):
            if not await self.run_once():
                return

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until `stop` is set, pausing PERKS_WORKER_POLL_SECONDS whenever there was nothing to do."""
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception:  # a database hiccup must not end the worker; the next round retries
                log.exception("webhook worker round failed")
                busy = 0
            if not busy:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.worker_poll_seconds)

    # (1) fan-out

    async def fan_out(self) -> int:
        now = clock.now()
        async with self.database.transaction() as session:
            events = await repository.undispatched_events(session, self.settings.webhook_batch_size)
            if not events:
                return 0
            rows = await _delivery_rows(session, events, now)
            await repository.insert_deliveries(session, rows)
            await repository.mark_dispatched(session, [event.id for event in events], now)
        return len(events)

    # (2)-(4) delivery

    async def deliver_due(self) -> int:
        now = clock.now()
        lease_id, lease_until = new_id(), now + LEASE
        async with self.database.transaction() as session:
            ids = await repository.claim_due(
                session, now, lease_until, lease_id, self.settings.webhook_batch_size
            )
            work = await repository.claimed(session, ids) if ids else []
        if not work:
            return 0
        outcomes = await asyncio.gather(*(self.attempt(item, lease_until) for item in work))
        attempted = [(item, outcome) for item, outcome in zip(work, outcomes, strict=True) if outcome]
        skipped = [item.delivery.id for item, outcome in zip(work, outcomes, strict=True) if not outcome]
        async with self.database.transaction() as session:
            await repository.finish(session, lease_id, [self._result(*pair) for pair in attempted])
            await repository.release(session, lease_id, skipped)
        for _item, outcome in attempted:
            ATTEMPTS.labels("success" if outcome.succeeded else "failure").inc()
        return len(work)

    async def attempt(self, item: Claimed, lease_until: datetime) -> Outcome | None:
        """POST the event; None when too little of the lease is left to start safely."""
        if clock.now() + timedelta(seconds=TIMEOUT_SECONDS) >= lease_until:
            return None
        url = item.endpoint.url
        body = envelope(item.event)
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                request = self.http.stream("POST", url, content=body, headers=signed_headers(item, body))
                async with request as response:
                    code = response.status_code
        except safety.UnsafeTarget as refused:  # checked as the connection is made (see safety)
            return Outcome(None, f"refused: {refused}")
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError, OSError, ValueError) as error:
            return Outcome(None, f"{error.__class__.__name__}: {error}"[:ERROR_MAX])
        return Outcome(code, None if 200 <= code < 300 else f"HTTP {code}")

    def _result(self, item: Claimed, outcome: Outcome) -> dict[str, Any]:
        """The delivery's new state after this attempt (every column of repository.OUTCOME_COLUMNS)."""
        now = clock.now()
        attempts = item.delivery.attempts + 1
        next_attempt_at: datetime | None
        delivered_at: datetime | None
        if outcome.succeeded:
            status, next_attempt_at, delivered_at = DeliveryStatus.SUCCEEDED, None, now
        elif schedule.gives_up_after(attempts):
            status, next_attempt_at, delivered_at = DeliveryStatus.FAILED, None, item.delivery.delivered_at
        else:
            delay = schedule.retry_delay(attempts, self.settings.webhook_retry_base_seconds, self.rng)
            status, next_attempt_at, delivered_at = (
                DeliveryStatus.PENDING,
                now + delay,
                item.delivery.delivered_at,
            )
        return {
            "delivery_id": item.delivery.id,
            "status": status.value,
            "attempts": attempts,
            "next_attempt_at": next_attempt_at,
            "last_attempt_at": now,
            "last_response_code": outcome.response_code,
            "last_error": outcome.error,
            "delivered_at": delivered_at,
            "updated_at": now,
        }


async def _delivery_rows(
    session: AsyncSession, events: Sequence[OutboxEvent], now: datetime
) -> list[dict[str, Any]]:
    """One delivery per (event, endpoint it goes to)."""
    subscribers = await repository.active_endpoints(session, {event.account_id for event in events})
    targets = await repository.endpoints_by_id(session, _test_targets(events))
    rows = []
    for event in events:
        for endpoint in _recipients(event, subscribers, targets):
            rows.append(
                {
                    "id": new_id(),
                    "account_id": event.account_id,
                    "endpoint_id": endpoint.id,
                    "event_id": event.id,
                    "event_type": event.event_type,
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return rows


def _test_targets(events: Sequence[OutboxEvent]) -> set[str]:
    return {str(event.payload.get("endpoint")) for event in events if event.event_type == TEST_EVENT}


def _recipients(
    event: OutboxEvent, subscribers: Sequence[WebhookEndpoint], targets: Sequence[WebhookEndpoint]
) -> list[WebhookEndpoint]:
    if event.event_type == TEST_EVENT:
        wanted = event.payload.get("endpoint")
        return [item for item in targets if item.id == wanted and item.account_id == event.account_id]
    return [
        item
        for item in subscribers
        if item.account_id == event.account_id and event.event_type in item.events
    ]


def envelope(event: OutboxEvent) -> bytes:
    """The request body: the same bytes on every attempt."""
    document = {
        "id": event.id,
        "type": event.event_type,
        "timestamp": clock.iso_millis(event.created_at),
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(item: Claimed, body: bytes) -> dict[str, str]:
    # The receiver checks webhook-timestamp against its own wall clock (replay protection), so this is
    # the real time: a clock moved by tests (or a PERKS_CLOCK_OFFSET_FILE) must never make it unverifiable.
    timestamp = int(time.time())
    message_id = item.event.id
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(_secrets(item.endpoint), message_id, timestamp, body),
    }


def _secrets(endpoint: WebhookEndpoint) -> list[str]:
    grace = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and grace is not None and grace > clock.now():
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]
