from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin
from perks.db.types import UTCDateTime
from perks.kit import clock


class WebSession(IdMixin, TenantMixin, Base):
    __tablename__ = "web_sessions"
    __table_args__ = (
        # Sign-in looks a session up by its token's hash alone: the cookie is all the request has.
        Index("uq_web_sessions_token_hash", "token_hash", unique=True),
        # Revoking every session of a subject (a user disabled, an affiliate blocked).
        Index("ix_web_sessions_subject", "account_id", "face", "subject_id"),
    )

    # SHA-256 of the cookie's token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64))
    face: Mapped[str] = mapped_column(String(16))  # "console" (subject: a console user) or "portal"
    subject_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=None)
