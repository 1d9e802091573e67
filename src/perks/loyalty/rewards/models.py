from __future__ import annotations

from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin, same_account_reference
from perks.db.types import JSONDocument


class Reward(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "loyalty_rewards"
    __table_args__ = (
        UniqueConstraint("account_id", "id"),
        same_account_reference("brand_id", "loyalty_brands", "RESTRICT"),
        Index("ix_loyalty_rewards_account_created", "account_id", "created_at"),
        Index("ix_loyalty_rewards_account_brand", "account_id", "brand_id"),
    )

    brand_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    type: Mapped[str] = mapped_column(String(20))
    platforms: Mapped[list[str] | None] = mapped_column(JSONDocument, nullable=True)
    conditions: Mapped[list[Any]] = mapped_column(JSONDocument)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
