from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db import Base, UTCDateTime
from perks.loyalty.records import same_account_reference


class CouponCode(Base):
    """A coupon code of a COUPONS campaign. The primary key (account_id, code) is the race-free guard that a
    code exists once per account, across campaigns; `code` is stored canonical (upper case), so lookups are
    case-insensitive. A code is single-use: redemption sets `redeemed_at` with a conditional UPDATE.
    No surrogate id and no separate unique index: one B-tree fewer per code makes bulk generation faster."""

    __tablename__ = "loyalty_coupon_codes"
    __table_args__ = (
        same_account_reference("campaign_id", "loyalty_campaigns", "CASCADE"),
        # Serves the campaign's counts (used/left) as a covering index, and the cascade from campaigns.
        Index("ix_loyalty_coupon_codes_campaign", "account_id", "campaign_id", "redeemed_at"),
        {"sqlite_with_rowid": False},
    )

    account_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(36))
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    redeemed_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
