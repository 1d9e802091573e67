from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base
from perks.db.types import UTCDateTime


class CouponCode(Base):
    """A coupon code of a COUPONS campaign. The primary key (account_id, code) is the race-free guard that a
    code exists once per account, across campaigns; `code` is stored canonical (upper case), so lookups are
    case-insensitive. A code is single-use: redemption sets `redeemed_at` with a conditional UPDATE.
    No surrogate id and no separate unique index: one B-tree fewer per code makes bulk generation faster.

    No foreign key either, on purpose: a campaign holds up to a million codes, and the per-row check of a
    foreign key doubled the time of a bulk COPY on PostgreSQL. Codes are only written in the transaction that
    holds their campaign's row (created, or locked FOR UPDATE), and deleting a campaign deletes its codes in
    the same transaction (perks.loyalty.coupons.service.delete_codes)."""

    __tablename__ = "loyalty_coupon_codes"
    __table_args__ = (
        # Serves the campaign's counts (used/left) as a covering index, its first available codes in order
        # (codes_summary), and deleting a campaign's codes.
        Index("ix_loyalty_coupon_codes_campaign", "account_id", "campaign_id", "redeemed_at", "code"),
        {"sqlite_with_rowid": False},
    )

    account_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(36))
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    redeemed_by: Mapped[str | None] = mapped_column(String(255), nullable=True)
