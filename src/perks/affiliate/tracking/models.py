from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin
from perks.db.types import UTCDateTime
from perks.kit import clock


class Click(IdMixin, TenantMixin, Base):
    """One visit through an affiliate link. Every click is kept; bots are flagged, and repeats of one
    visitor on one link within an hour share a `visitor_key`, so unique clicks are counted at read time."""

    __tablename__ = "affiliate_clicks"
    __table_args__ = (
        Index("ix_affiliate_clicks_account_link", "account_id", "link_id", "created_at"),
        Index("ix_affiliate_clicks_account_affiliate", "account_id", "affiliate_id", "created_at"),
        Index("ix_affiliate_clicks_account_campaign", "account_id", "campaign_id", "created_at"),
    )

    workspace_id: Mapped[str] = mapped_column(String(36), ForeignKey("workspaces.id", ondelete="CASCADE"))
    campaign_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("affiliate_campaigns.id", ondelete="CASCADE")
    )
    affiliate_id: Mapped[str] = mapped_column(String(36), ForeignKey("affiliates.id", ondelete="CASCADE"))
    # A deleted link takes its clicks with it; a click for a just-deleted link fails this key (404).
    link_id: Mapped[str] = mapped_column(String(36), ForeignKey("affiliate_links.id", ondelete="CASCADE"))
    # sha256(link, ip, user agent, hour) in hex, cut to 32: the same visitor on the same link in one hour.
    visitor_key: Mapped[str] = mapped_column(String(32))
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    referrer: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    landing_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
