from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin
from perks.db.types import UTCDateTime
from perks.kit import clock


class PortalLink(IdMixin, TenantMixin, Base):
    """A single-use sign-in link to the affiliate portal. The token travels in the URL once; the database
    keeps its SHA-256, and `used_at` is set by the one conditional UPDATE that spends it."""

    __tablename__ = "affiliate_portal_links"
    __table_args__ = (
        # Opening a link knows only its token: looked up by the hash alone.
        Index("uq_affiliate_portal_links_token_hash", "token_hash", unique=True),
        Index("ix_affiliate_portal_links_account_affiliate", "account_id", "affiliate_id", "created_at"),
    )

    affiliate_id: Mapped[str] = mapped_column(String(36), ForeignKey("affiliates.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=None)
