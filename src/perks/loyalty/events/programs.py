"""The extension point for event-driven programs (punch cards, referrals...): every program declared in
perks.loyalty.programs.PROGRAMS runs,
in order, after the BEHAVIOR campaigns, for every processed event (not for events whose customer has
withdrawn `behavioral_campaigns` consent, nor for tracking-only ones). A program grants through
perks.loyalty.engine.effects.grant and returns its grants; the event's result lists them with the rest.
Programs run inside the event's transaction: they must not commit.

A program also says, for a group-committed batch of events and in one query, which of them it may act on
(`concerned`); those events are processed one by one, the others set-wise without running the program.
Saying too many is safe (only slower); saying too few would skip the program."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
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


@dataclass(frozen=True)
class Candidate:
    """What a program's filter knows of an event of a batch before it is processed."""

    event_type: str
    brand_id: str | None
    customer_id: str  # ours
    referral_code: str | None


EventProgram = Callable[[AsyncSession, AuthContext, EventContext], Awaitable[list[Grant]]]
ProgramFilter = Callable[[AsyncSession, AuthContext, Sequence[Candidate]], Awaitable[set[int]]]


@dataclass(frozen=True)
class Program:
    run: EventProgram
    concerned: ProgramFilter  # the indexes of the candidates the program may act on
