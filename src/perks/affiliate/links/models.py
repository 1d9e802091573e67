from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin


class AffiliateLink(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "affiliate_links"
    __table_args__ = (
        # Referral codes are unique across all accounts, case-insensitively (code_key is lower case): the
        # public redirect /r/{code} knows no account, so no account may take a code another one uses. The
        # one unique index not led by account_id (a tenant-distributed schema keeps codes in a reference
        # table instead).
        Index("uq_affiliate_links_code", "code_key", unique=True),
        Index("ix_affiliate_links_account_affiliate", "account_id", "affiliate_id", "created_at"),
    )

    affiliate_id: Mapped[str] = mapped_column(String(36), ForeignKey("affiliates.id", ondelete="CASCADE"))
    referral_code: Mapped[str] = mapped_column(String(64))
    code_key: Mapped[str] = mapped_column(String(64))
    url_parameter: Mapped[str] = mapped_column(String(64))
