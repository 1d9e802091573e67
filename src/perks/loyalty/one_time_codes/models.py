"""One-time codes a customer shows at the till: stored as a keyed hash, never in clear."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin
from perks.db.types import JSONDocument, UTCDateTime


class OneTimeCode(IdMixin, TenantMixin, Base):
    """One row per code value and account: a new code may take over the row of a used or expired one,
    so the unique index is what keeps live codes unique within an account."""

    __tablename__ = "loyalty_one_time_codes"
    __table_args__ = (Index("uq_loyalty_one_time_codes_code", "account_id", "code_hash", unique=True),)

    code_hash: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str] = mapped_column(String(36))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
