"""Events as the API shows them: `event_out`, and `event_document`, the same fields as plain values for
`kit.encoding.wire_bytes` (the group-committed answers; a test holds the two byte for byte)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from perks.loyalty.events.models import COUNTED, BehaviorEvent, EventStatus, effective_status
from perks.loyalty.events.schemas import EventOut


def event_out(event: BehaviorEvent, now: datetime) -> EventOut:
    return EventOut.model_validate(event_document(event, now))


def event_document(event: BehaviorEvent, now: datetime) -> dict[str, Any]:
    """`event_out` as plain values for `kit.encoding.wire_bytes` (the group-committed answers: no model to
    validate and dump). A test holds the two byte for byte."""
    status = effective_status(event, now)
    return {
        "id": event.id,
        "customer_id": event.customer_external_id,
        "brand_id": event.brand_id,
        "type": event.type,
        "data": event.data,
        "fulfilled": event.fulfilled,
        "reserve": event.reserve,
        "queue_message_id": None,
        "rewarding_campaigns": event.rewarding_campaigns,
        "status": status,
        "result": {key: value for key, value in event.result.items() if key != COUNTED},
        "reason": event.reason,
        "issued_at": event.issued_at,
        "processing_at": event.processing_at,
        "resolved_at": event.resolved_at,
        "fulfilled_at": event.fulfilled_at,
        "cancelled_at": event.cancelled_at,
        "expired_at": event.reservation_expires_at if status == EventStatus.EXPIRED else event.expired_at,
        "reversed_at": event.reversed_at,
        "reservation_expires_at": event.reservation_expires_at,
    }
