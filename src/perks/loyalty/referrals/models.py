from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin
from perks.db.types import JSONDocument, UTCDateTime


class ReferralCode(IdMixin, TenantMixin, Base):
    """A referrer's code for one REFERRALS campaign. Unique per (customer, campaign), which makes
    request-code idempotent under concurrency, and per account by code. `uses_count` only moves through
    one conditional UPDATE that keeps it at or below `max_uses`."""

    __tablename__ = "loyalty_referral_codes"
    __table_args__ = (
        Index("uq_loyalty_referral_codes_code", "account_id", "code", unique=True),
        Index("uq_loyalty_referral_codes_owner", "account_id", "customer_id", "campaign_id", unique=True),
    )

    code: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[str] = mapped_column(String(36))  # customers.id of the referrer
    campaign_id: Mapped[str] = mapped_column(String(36))
    uses_count: Mapped[int] = mapped_column(Integer, default=0)
    max_uses: Mapped[int | None] = mapped_column(Integer, nullable=True)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Referral(IdMixin, TenantMixin, Base):
    """A referee brought by a referral code. Unique per referee: a customer is referred at most once.
    `referrer_rewarded_at` is claimed with a conditional UPDATE, so the referrer is rewarded once."""

    __tablename__ = "loyalty_referrals"
    __table_args__ = (
        Index("uq_loyalty_referrals_referee", "account_id", "referee_id", unique=True),
        Index("ix_loyalty_referrals_code", "account_id", "referral_code_id"),
    )

    referral_code_id: Mapped[str] = mapped_column(String(36))
    campaign_id: Mapped[str] = mapped_column(String(36))
    referrer_id: Mapped[str] = mapped_column(String(36))
    referee_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    referrer_rewarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
