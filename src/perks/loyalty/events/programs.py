"""The extension point for event-driven programs (punch cards, referrals...): every program in PROGRAMS runs,
in order, after the BEHAVIOR campaigns, for every processed event (not for events whose customer has
withdrawn `behavioral_campaigns` consent, nor for tracking-only ones). A program grants through
perks.loyalty.engine.effects.grant and returns its grants; the event's result lists them with the rest.
Programs run inside the request's transaction: they must not commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.loyalty.customers.models import Customer
from perks.loyalty.engine.effects import Grant
from perks.tenancy.context import AuthContext


@dataclass(frozen=True)
class EventContext:
    """Everything a program needs about one processed event."""

    event_id: str
    event_type: str
    brand_id: str | None
    issued_at: datetime
    customer: Customer
    wallet_id: str
    facts: Mapping[str, Any]
    referral_code: str | None
    data: Mapping[str, Any]


EventProgram = Callable[[AsyncSession, AuthContext, EventContext], Awaitable[list[Grant]]]

PROGRAMS: list[EventProgram] = []
