from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from perks.affiliate.sales.currency import DEFAULT_CURRENCY
from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin
from perks.db.types import UTCDateTime
from perks.kit.money import Amount


class CommissionStatus(StrEnum):
    """pending until due (or approved), processing while a pending payout carries it, paid with the payout;
    refunded when its sale is."""

    PENDING = "pending"
    PROCESSING = "processing"
    PAID = "paid"
    REFUNDED = "refunded"


# The same values as a Literal, for the wire schemas (their OpenAPI lists them inline); a test holds
# the two equal.
CommissionStatusValue = Literal["pending", "processing", "paid", "refunded"]


UNPAID = (CommissionStatus.PENDING, CommissionStatus.PROCESSING)


class Commission(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "commissions"
    __table_args__ = (
        Index("ix_commissions_account_created", "account_id", "created_at"),
        Index("ix_commissions_account_affiliate", "account_id", "affiliate_id"),
        Index("ix_commissions_account_campaign", "account_id", "campaign_id"),
        Index("ix_commissions_account_referred", "account_id", "referred_key"),
        # The sale a commission came from, the payout that carries it, when it falls due.
        Index("ix_commissions_account_sale", "account_id", "sale_id"),
        Index("ix_commissions_account_payout", "account_id", "payout_id"),
        Index("ix_commissions_account_status_due", "account_id", "status", "due_at"),
        # The console's and the portal's pages of commissions, newest first (keyset).
        Index("ix_commissions_account_workspace_created", "account_id", "workspace_id", "created_at", "id"),
        Index("ix_commissions_account_affiliate_created", "account_id", "affiliate_id", "created_at", "id"),
    )

    workspace_id: Mapped[str] = mapped_column(String(36), ForeignKey("workspaces.id", ondelete="CASCADE"))
    campaign_id: Mapped[str] = mapped_column(String(36), ForeignKey("affiliate_campaigns.id"))
    affiliate_id: Mapped[str] = mapped_column(String(36), ForeignKey("affiliates.id", ondelete="CASCADE"))
    # The referred customer's email (it need not be registered as a referred user).
    referred_user: Mapped[str] = mapped_column(String(320))
    referred_key: Mapped[str] = mapped_column(String(320))
    amount: Mapped[Decimal] = mapped_column(Amount)
    admin_earned_amount: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    status: Mapped[str] = mapped_column(String(16), default=CommissionStatus.PENDING)
    commission_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    payout_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    remarks: Mapped[str | None] = mapped_column(Text, nullable=True)
    invoice_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # Null for commissions written by hand (not from a tracked sale).
    sale_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)  # "sale" | "clawback"
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    payout_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # A manager's review: approved in the console (a declined commission is refunded instead).
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def currency_code(self) -> str:
        """The currency of its amount: a commission written by hand has none, and is paid in the default."""
        return self.currency or DEFAULT_CURRENCY
