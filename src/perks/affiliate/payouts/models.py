from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin
from perks.db.types import UTCDateTime
from perks.kit.money import Amount


class PayoutStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"


# The same values as a Literal, for the wire schemas (their OpenAPI lists them inline); a test holds
# the two equal.
PayoutStatusValue = Literal["pending", "paid"]


class Payout(IdMixin, TenantMixin, TimestampMixin, Base):
    """What one affiliate is paid in one currency for the commissions it carries (status `processing`
    while the payout is `pending`, `paid` with it)."""

    __tablename__ = "affiliate_payouts"
    __table_args__ = (
        Index("ix_affiliate_payouts_account_created", "account_id", "created_at"),
        Index("ix_affiliate_payouts_account_affiliate", "account_id", "affiliate_id", "created_at"),
        Index("ix_affiliate_payouts_account_status", "account_id", "status", "created_at"),
        Index("ix_affiliate_payouts_account_workspace", "account_id", "workspace_id", "created_at", "id"),
    )

    workspace_id: Mapped[str] = mapped_column(String(36), ForeignKey("workspaces.id", ondelete="CASCADE"))
    affiliate_id: Mapped[str] = mapped_column(String(36), ForeignKey("affiliates.id", ondelete="CASCADE"))
    campaign_id: Mapped[str] = mapped_column(String(36))
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default=PayoutStatus.PENDING)
    commission_count: Mapped[int] = mapped_column(Integer, default=0)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
