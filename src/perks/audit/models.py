from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin
from perks.db.types import JSONDocument, UTCDateTime
from perks.kit import clock


class AuditEntry(IdMixin, TenantMixin, Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        # The log newest first, and filtered by who or by which object (each keyset-paged on the time).
        Index("ix_audit_log_account_created", "account_id", "created_at", "id"),
        Index("ix_audit_log_account_actor", "account_id", "actor_id", "created_at", "id"),
        Index("ix_audit_log_account_object", "account_id", "object_type", "object_id", "created_at", "id"),
    )

    actor_kind: Mapped[str] = mapped_column(String(16))  # "user" (console) or "affiliate" (portal)
    actor_id: Mapped[str] = mapped_column(String(36))
    actor_label: Mapped[str] = mapped_column(String(254))  # the email at the time, kept if it changes
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    object_label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
