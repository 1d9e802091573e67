"""Emit domain events. Call inside the request's transaction: a rolled-back request emits nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.outbox.models import OutboxEvent
from perks.tenancy.context import AuthContext


def emit(session: AsyncSession, ctx: AuthContext, event_type: str, payload: dict[str, Any]) -> OutboxEvent:
    """Queue `event_type` with a JSON-ready payload; it is written when the transaction flushes."""
    event = OutboxEvent(account_id=ctx.account_id, event_type=event_type, payload=payload)
    session.add(event)
    return event
