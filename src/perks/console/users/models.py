from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin
from perks.db.types import UTCDateTime


class Role(StrEnum):
    OWNER = "owner"  # everything, including API keys, users and webhooks
    MANAGER = "manager"  # campaigns, customers, affiliates, payouts
    VIEWER = "viewer"  # reads only

    @property
    def rank(self) -> int:
        return ROLE_RANKS[self]

    def includes(self, other: Role) -> bool:
        """Whether this role may do what `other` may (an owner may do what a manager may)."""
        return self.rank >= other.rank


ROLE_RANKS = {Role.VIEWER: 0, Role.MANAGER: 1, Role.OWNER: 2}


class ConsoleUser(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "console_users"
    __table_args__ = (
        # Sign-in names no account, so an email is unique across accounts (like an API key's hash).
        Index("uq_console_users_email", "email", unique=True),
        Index("ix_console_users_account_email", "account_id", "email"),
    )

    email: Mapped[str] = mapped_column(String(254))  # stored lower-case
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, in the PHC string format
    role: Mapped[str] = mapped_column(String(10))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=None)
