from __future__ import annotations

from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin
from perks.db.types import JSONDocument


class Brand(IdMixin, TenantMixin, TimestampMixin, Base):
    """A brand of the account; rewards and campaigns with `brand_id` null are global."""

    __tablename__ = "loyalty_brands"
    __table_args__ = (
        # Target of the composite (account_id, brand_id) foreign keys: a row can only name its own
        # account's brand, and a referenced brand cannot be deleted.
        UniqueConstraint("account_id", "id"),
        Index("ix_loyalty_brands_account_created", "account_id", "created_at"),
    )

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    meta: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONDocument, nullable=True)
