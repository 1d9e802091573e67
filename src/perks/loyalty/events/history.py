"""Events that happened elsewhere, stored as history (imports; the migration of another vendor's data).

They are RESOLVED and fulfilled, and reward nothing: no campaign, program, budget or reward webhook runs
on them. A PURCHASE counts in its customer's lifetime metrics (purchases, spend, last visit), exactly as
a live purchase does, so reversing it later takes it out again; the customer's tier is then recalculated
on those metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.kit import clock
from perks.kit.ids import new_id
from perks.loyalty.customers.models import Customer
from perks.loyalty.engine import tier_moves
from perks.loyalty.events import repository
from perks.loyalty.events.models import COUNTED, resolved_row
from perks.loyalty.events.service import PURCHASE
from perks.tenancy.context import AuthContext


@dataclass(frozen=True)
class PastEvent:
    customer: Customer  # read row-locked by the caller (customers.find_many(for_update=True))
    type: str
    issued_at: datetime
    brand_id: str | None = None
    purchase_id: str | None = None
    value: Decimal | None = None
    store_id: str | None = None
    channel_id: str | None = None
    metadata: dict[str, Any] | None = None


async def record(session: AsyncSession, ctx: AuthContext, events: Sequence[PastEvent]) -> list[bool]:
    """Store the events; for each, whether it was stored (False: its purchase_id was recorded already)."""
    now = clock.now()
    rows = [_row(ctx, event, now) for event in events]
    stored = await repository.insert_events(session, rows)
    counted: dict[str, tuple[Customer, str]] = {}
    for event, row in zip(events, rows, strict=True):
        if row["id"] in stored and event.type == PURCHASE:
            _count(event)
            counted[event.customer.id] = (event.customer, row["id"])
    await session.flush()
    for customer, last_event_id in counted.values():
        await tier_moves.reassess(session, ctx, customer, event_id=last_event_id)
    return [row["id"] in stored for row in rows]


def _row(ctx: AuthContext, event: PastEvent, now: datetime) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": event.type,
        "brand_id": event.brand_id,
        "issued_at": event.issued_at.isoformat(),
    }
    if event.type == PURCHASE:
        order = {
            "purchase_id": event.purchase_id,
            "value": str(event.value),
            "store_id": event.store_id,
            "channel_id": event.channel_id,
        }
        data["order"] = {key: value for key, value in order.items() if value is not None}
    if event.metadata:
        data["metadata"] = event.metadata
    data["imported"] = True
    return resolved_row(
        id=new_id(),
        account_id=ctx.account_id,
        customer_id=event.customer.id,
        customer_external_id=event.customer.external_id,
        brand_id=event.brand_id,
        type=event.type,
        purchase_id=event.purchase_id if event.type == PURCHASE else None,
        data=data,
        # COUNTED: a reversal takes the purchase out of the metrics again, as for a live one.
        result={COUNTED: True} if event.type == PURCHASE else {},
        issued_at=event.issued_at,
        processing_at=now,
        resolved_at=now,
        created_at=now,
    )


def _count(event: PastEvent) -> None:
    """The purchase in the customer's lifetime metrics; the last visit only moves forward."""
    customer = event.customer
    metrics = dict(customer.metrics or {})
    lifetime = dict(metrics.get("lifetime") or {})
    lifetime["number_of_purchases"] = int(lifetime.get("number_of_purchases") or 0) + 1
    lifetime["spend_total"] = str(Decimal(str(lifetime.get("spend_total") or 0)) + (event.value or 0))
    last = lifetime.get("last_visit")
    if last is None or clock.as_utc(datetime.fromisoformat(str(last))) < event.issued_at:
        lifetime["last_visit"] = event.issued_at.isoformat()
    metrics["lifetime"] = lifetime
    customer.metrics = metrics
