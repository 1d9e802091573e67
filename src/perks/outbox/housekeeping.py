"""Pruning the outbox: settled deliveries (their last attempt long past) and events whose deliveries are
all settled (perks worker, after PERKS_PRUNE_DELIVERIES_AFTER_DAYS and PERKS_PRUNE_OUTBOX_AFTER_DAYS)."""

from __future__ import annotations

from datetime import datetime

from perks.db.base import table_of
from perks.db.database import Database
from perks.kit.pruning import delete_in_batches, id_floor
from perks.outbox import repository
from perks.outbox.models import DeliveryStatus, OutboxEvent, WebhookDelivery

SETTLED = (DeliveryStatus.SUCCEEDED.value, DeliveryStatus.FAILED.value)


async def prune_deliveries(database: Database, before: datetime, batch: int) -> int:
    """Succeeded or given-up deliveries created and last touched before `before` (pending ones stay)."""
    deliveries = table_of(WebhookDelivery)
    conditions = [
        deliveries.c.id < id_floor(before),
        deliveries.c.status.in_(SETTLED),
        deliveries.c.updated_at < before,
    ]
    return await delete_in_batches(database, deliveries, conditions, batch)


async def prune_events(database: Database, before: datetime, batch: int) -> int:
    """Events dispatched before `before` with no delivery still pending (their settled deliveries go with
    them)."""
    events = table_of(OutboxEvent)
    conditions = [
        events.c.id < id_floor(before),
        events.c.dispatched_at.is_not(None),
        events.c.dispatched_at < before,
        ~repository.has_pending_delivery(events),
    ]
    return await delete_in_batches(database, events, conditions, batch)
