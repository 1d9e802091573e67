from __future__ import annotations

from enum import StrEnum
from typing import Literal

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin


class AffiliateStatus(StrEnum):
    """pending while a campaign that requires approval has not approved the affiliate."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    PENDING = "pending"


# The same values as a Literal, for the wire schemas (their OpenAPI lists them inline); a test holds
# the two equal.
AffiliateStatusValue = Literal["active", "inactive", "pending"]


class Affiliate(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "affiliates"
    __table_args__ = (
        # Emails are unique per workspace, compared case-insensitively (email_key is lower case).
        Index(
            "uq_affiliates_account_workspace_email", "account_id", "workspace_id", "email_key", unique=True
        ),
        Index("ix_affiliates_account_created", "account_id", "created_at"),
        Index("ix_affiliates_account_campaign", "account_id", "campaign_id"),
        # The console's pages of a workspace's affiliates, newest first (keyset).
        Index("ix_affiliates_account_workspace_created", "account_id", "workspace_id", "created_at", "id"),
    )

    workspace_id: Mapped[str] = mapped_column(String(36), ForeignKey("workspaces.id", ondelete="CASCADE"))
    # A campaign with affiliates cannot be deleted (RESTRICT), see the campaign service.
    campaign_id: Mapped[str] = mapped_column(String(36), ForeignKey("affiliate_campaigns.id"))
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    first_name: Mapped[str] = mapped_column(String(200))
    last_name: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    payout_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    payout_method: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # What a bank transfer needs (IBAN, account name), as the partner wrote it in the portal.
    payout_reference: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # An IP address the affiliate is known to use; sign-ups from a click at it are self-referrals.
    ip_address: Mapped[str | None] = mapped_column(String(64), nullable=True)
