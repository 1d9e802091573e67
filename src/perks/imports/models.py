from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base
from perks.db.types import UTCDateTime
from perks.kit import clock


class ImportKey(Base):
    """One row an import (or migration) wrote, by the identity its importer gives it: written in the
    transaction that imports the row, with INSERT .. ON CONFLICT DO NOTHING, so a row is imported once
    whatever the number of runs, files or workers."""

    __tablename__ = "import_keys"

    account_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
