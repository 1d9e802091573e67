from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin
from perks.db.types import UTCDateTime
from perks.kit import clock


class Account(IdMixin, Base):
    __tablename__ = "accounts"

    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Workspace(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "workspaces"
    __table_args__ = (
        Index("ix_workspaces_account_created", "account_id", "created_at"),
        # One default workspace per account.
        Index(
            "uq_workspaces_default",
            "account_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # The affiliate portal of this workspace's partners: the sites that may show it in an iframe (CSP
    # frame-ancestors; none when empty), and the currency its campaigns' amounts are shown in.
    portal_frame_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    currency: Mapped[str] = mapped_column(String(3), default="USD")


class ApiKey(IdMixin, TenantMixin, Base):
    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_account", "account_id", "created_at"),)

    kind: Mapped[str] = mapped_column(String(10))
    # HMAC-SHA256 of the key under the signing secret; the key itself is never stored.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
