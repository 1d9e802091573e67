from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin
from perks.kit.money import Amount


class Sale(IdMixin, TenantMixin, TimestampMixin, Base):
    """A sale reported by the merchant, keyed by its invoice. Sales of customers nobody referred are
    kept too (no affiliate), so an invoice is recorded once whatever it was."""

    __tablename__ = "affiliate_sales"
    __table_args__ = (
        # The idempotency key: one sale per invoice, also under concurrent retries.
        Index("uq_affiliate_sales_account_invoice", "account_id", "invoice_id", unique=True),
        Index("ix_affiliate_sales_account_affiliate", "account_id", "affiliate_id", "created_at"),
        Index("ix_affiliate_sales_account_campaign", "account_id", "campaign_id", "created_at"),
    )

    invoice_id: Mapped[str] = mapped_column(String(255))
    workspace_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=True
    )
    affiliate_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("affiliates.id", ondelete="SET NULL"), nullable=True
    )
    campaign_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("affiliate_campaigns.id", ondelete="SET NULL"), nullable=True
    )
    referred_user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("referred_users.id", ondelete="SET NULL"), nullable=True
    )
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    refunded_amount: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    # The commission the sale earned (none for customers nobody referred, self-referrals, or affiliates
    # who are not active), with its amount at creation, the base of pro-rata refunds.
    commission_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    commission_amount: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
