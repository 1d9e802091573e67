from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin
from perks.db.types import JSONDocument


class TierStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


# The same values as a Literal, for the wire schemas (their OpenAPI lists them inline); a test holds
# the two equal.
TierStatusValue = Literal["ACTIVE", "INACTIVE"]


class Tier(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "loyalty_tiers"
    __table_args__ = (
        UniqueConstraint("account_id", "id"),
        # Levels are unique per account: the constraint settles two concurrent creates of one level.
        UniqueConstraint("account_id", "level"),
        Index("ix_loyalty_tiers_account_created", "account_id", "created_at"),
    )

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default=TierStatus.ACTIVE)
    level: Mapped[int] = mapped_column(Integer)
    entry_conditions: Mapped[list[Any]] = mapped_column(JSONDocument)
    exit_conditions: Mapped[list[Any]] = mapped_column(JSONDocument)
    is_base: Mapped[bool] = mapped_column(Boolean, default=False)
