from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final, TypedDict

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin
from perks.db.types import JSONDocument, UTCDateTime
from perks.kit import clock
from perks.ledger.service import LineJSON

COUNTED: Final = "counted"  # a key of the stored result (EventResult), never shown


class EventResult(TypedDict, total=False):
    """What an event did, JSON-ready: stored with it, shown as its `result` (all but `counted`), and read
    again by its fulfilment, its reversal and its webhooks."""

    wallet: list[dict[str, Any]]  # the wallet after the event (customers.wallet_document)
    customer: dict[str, Any]  # the customer after the event (customers.rendering.customer_document)
    gift_card: list[Any]
    accumulations: list[LineJSON]
    redemptions: list[LineJSON]
    transactions: list[dict[str, Any]]  # transactions.service.transaction_document
    reversals: list[dict[str, Any]]  # the same, for what a reversal wrote
    counted: bool  # a PURCHASE added to the customer's metrics (a reversal takes it back); never shown


class EventStatus(StrEnum):
    """RESOLVED once processed (an unfulfilled event stays RESOLVED with fulfilled=false until it is
    fulfilled, reversed (CANCELLED) or its reservation lapses (EXPIRED: derived when read until `perks
    worker` stores it, see events/jobs.py)); REVERSED once a fulfilled event is reversed."""

    PROCESSING = "PROCESSING"  # while its effects are computed, inside the transaction that resolves it
    RESOLVED = "RESOLVED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    REVERSED = "REVERSED"


class BehaviorEvent(IdMixin, TenantMixin, Base):
    """One behavior event and what processing it did. `purchase_id` (a PURCHASE's `order.purchase_id`) is
    unique per account: the INSERT .. ON CONFLICT DO NOTHING that records the event is what keeps a repeated
    purchase from rewarding twice, also under concurrency."""

    __tablename__ = "loyalty_events"
    __table_args__ = (
        Index("uq_loyalty_events_purchase", "account_id", "purchase_id", unique=True),
        Index("ix_loyalty_events_customer", "account_id", "customer_id", "issued_at"),
        Index("ix_loyalty_events_reservation_due", "account_id", "status", "reservation_expires_at"),
        Index("ix_loyalty_events_account_created", "account_id", "created_at"),  # the overview's chart
    )

    customer_id: Mapped[str] = mapped_column(String(36))  # customers.id (ours)
    customer_external_id: Mapped[str] = mapped_column(String(255))
    brand_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    type: Mapped[str] = mapped_column(String(64))
    purchase_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    fulfilled: Mapped[bool] = mapped_column(Boolean, default=True)
    reserve: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    rewarding_campaigns: Mapped[list[Any]] = mapped_column(JSONDocument, default=list)
    result: Mapped[EventResult] = mapped_column(JSONDocument, default=dict)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    reservation_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processing_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


def resolved_row(**columns: Any) -> dict[str, Any]:
    """A whole row of the events table for an event recorded as RESOLVED when it is written (imported
    history, a coupon's reversal), for Core inserts: `columns` over the defaults of such an event."""
    return {
        "purchase_id": None,
        "fulfilled": True,
        "reserve": None,
        "status": EventStatus.RESOLVED,
        "rewarding_campaigns": [],
        "result": {},
        "reason": None,
        "reservation_expires_at": None,
        "fulfilled_at": None,
        "cancelled_at": None,
        "expired_at": None,
        "reversed_at": None,
        **columns,
    }


def effective_status(event: BehaviorEvent, now: datetime) -> str:
    """The stored status, or EXPIRED for an unfulfilled event whose reservation has lapsed."""
    lapsed = event.reservation_expires_at is not None and event.reservation_expires_at <= now
    if event.status == EventStatus.RESOLVED and not event.fulfilled and lapsed:
        return EventStatus.EXPIRED
    return event.status
