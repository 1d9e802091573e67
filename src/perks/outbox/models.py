from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db import Base, IdMixin, JSONDocument, TenantMixin, UTCDateTime
from perks.kit import clock


class OutboxEvent(IdMixin, TenantMixin, Base):
    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_account_created", "account_id", "created_at"),)

    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
