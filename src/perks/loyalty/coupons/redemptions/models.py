from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin
from perks.db.types import UTCDateTime
from perks.kit.money import Amount


class RedemptionStatus(StrEnum):
    ACTIVE = "ACTIVE"
    REVERSED = "REVERSED"


class CouponRedemption(IdMixin, TenantMixin, Base):
    """One redemption of a single-use coupon code: ACTIVE until reversed (REVERSED). The unique
    (account_id, code) says a code is redeemed at most once, a second guard behind the conditional UPDATE
    that claims the code. The redemption's id is the `event_id` of its ledger transactions."""

    __tablename__ = "loyalty_coupon_redemptions"
    __table_args__ = (
        Index("uq_loyalty_coupon_redemptions_code", "account_id", "code", unique=True),
        Index("ix_loyalty_coupon_redemptions_customer", "account_id", "customer_id"),
        Index("ix_loyalty_coupon_redemptions_redeemed", "account_id", "redeemed_at"),  # the overview's chart
    )

    code: Mapped[str] = mapped_column(String(64))
    campaign_id: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[str] = mapped_column(String(36))  # our customer id (customers.id)
    status: Mapped[str] = mapped_column(String(10))  # a RedemptionStatus
    brand_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    platform: Mapped[str | None] = mapped_column(String(100), nullable=True)
    store_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    channel_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    budget_spent: Mapped[Decimal] = mapped_column(
        Amount
    )  # what the campaign's budget paid, refunded on reverse
    redeemed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
