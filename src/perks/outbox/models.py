"""The transactional outbox: events written in the same transaction as the change that caused them,
the webhook endpoints that subscribe to them, and one delivery per (event, endpoint)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin
from perks.db.types import JSONDocument, UTCDateTime
from perks.kit import clock


class OutboxEvent(IdMixin, TenantMixin, Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_account_created", "account_id", "created_at"),
        # The fan-out queue: the worker scans undispatched events across tenants (the one index that
        # cannot lead with account_id, because its reader is not a tenant).
        Index(
            "ix_outbox_events_undispatched",
            "created_at",
            sqlite_where=text("dispatched_at IS NULL"),
            postgresql_where=text("dispatched_at IS NULL"),
        ),
    )

    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Set when the worker has turned the event into deliveries for the matching endpoints.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=None)


class WebhookEndpoint(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_account_created", "account_id", "created_at"),)

    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # `whsec_` + base64 key. Kept in clear because every delivery is signed with it.
    secret: Mapped[str] = mapped_column(String(100))
    # After a rotation the old secret keeps signing (as a second signature) until this moment.
    previous_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookDelivery(IdMixin, TenantMixin, TimestampMixin, Base):
    """One event for one endpoint. Its webhook-id is the event id, the same on every attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("account_id", "event_id", "endpoint_id"),
        Index("ix_webhook_deliveries_account_endpoint", "account_id", "endpoint_id", "created_at"),
        # The delivery queue, scanned by the worker across tenants.
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    endpoint_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_id: Mapped[str] = mapped_column(String(36), ForeignKey("outbox_events.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A claimed delivery is leased: no other worker takes it before locked_until, and only the holder of
    # lease_id may record its result.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_response_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
