from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin
from perks.kit.ids import new_id
from perks.kit.money import Amount

DEFAULT_URL_PARAMETERS = ["ref", "via", "aff"]
DEFAULT_COOKIE_DAYS = 60


class AffiliateCampaign(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "affiliate_campaigns"
    __table_args__ = (
        Index("ix_affiliate_campaigns_account_workspace", "account_id", "workspace_id", "created_at"),
        Index("ix_affiliate_campaigns_account_created", "account_id", "created_at"),
        # At most one default campaign per workspace.
        Index(
            "uq_affiliate_campaigns_default",
            "account_id",
            "workspace_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    workspace_id: Mapped[str] = mapped_column(String(36), ForeignKey("workspaces.id", ondelete="CASCADE"))
    campaign_name: Mapped[str] = mapped_column(String(200))
    commission_type: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Amount)
    minimum_payout_amount: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
    payout_id: Mapped[str] = mapped_column(String(36), default=new_id)
    payout_term: Mapped[int] = mapped_column(Integer, default=30)
    url: Mapped[str] = mapped_column(String(2048))
    requires_approval_to_join: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether partners may join from the portal's public sign-up page (closed unless opened).
    allows_self_signup: Mapped[bool] = mapped_column(Boolean, default=False)
    collect_additional_info: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_customer_email: Mapped[bool] = mapped_column(Boolean, default=False)
    affiliate_portal_welcome_message: Mapped[str] = mapped_column(Text, default="")
    affiliate_dashboard_text: Mapped[str] = mapped_column(Text, default="")
    stripe_coupon_id: Mapped[str] = mapped_column(String(255), default="")
    allowed_url_parameters: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_URL_PARAMETERS)
    )
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # The attribution window of the campaign's clicks.
    cookie_duration_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_COOKIE_DAYS)
