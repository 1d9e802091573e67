from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from perks.affiliate.commissions.models import CommissionStatus
from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin
from perks.db.types import UTCDateTime
from perks.kit.money import Amount


class ReferredUser(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "referred_users"
    __table_args__ = (
        # The API addresses a referred user by email alone, so an email is referred once per account.
        Index("uq_referred_users_account_email", "account_id", "email_key", unique=True),
        Index("ix_referred_users_account_created", "account_id", "created_at"),
        Index("ix_referred_users_account_affiliate", "account_id", "affiliate_id"),
        Index(
            "ix_referred_users_account_affiliate_created", "account_id", "affiliate_id", "created_at", "id"
        ),
        Index("ix_referred_users_account_campaign", "account_id", "campaign_id"),
        Index("ix_referred_users_account_external", "account_id", "external_id"),
    )

    workspace_id: Mapped[str] = mapped_column(String(36), ForeignKey("workspaces.id", ondelete="CASCADE"))
    campaign_id: Mapped[str] = mapped_column(String(36), ForeignKey("affiliate_campaigns.id"))
    affiliate_id: Mapped[str] = mapped_column(String(36), ForeignKey("affiliates.id", ondelete="CASCADE"))
    referred_to: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    amount: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    admin_earned_amount: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    status: Mapped[str] = mapped_column(
        String(16), default=CommissionStatus.PENDING
    )  # follows its commission
    payout_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    remarks: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_self_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    invoice_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # Tracked sign-ups: the customer's id in the merchant's system, and the click that bound it.
    external_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    click_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


@dataclass(frozen=True, slots=True)
class Referral:
    """A referred customer as a sale needs them: the record, its affiliate's status and its campaign's
    terms (None when that affiliate or campaign is not found in the account)."""

    id: str
    workspace_id: str
    affiliate_id: str
    campaign_id: str
    referred_to: str
    email_key: str
    external_id: str | None
    is_self_referral: bool
    affiliate_status: str | None
    commission_type: str | None
    campaign_amount: Decimal | None
    payout_term: int | None
    campaign_found: bool
