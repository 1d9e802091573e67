from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base
from perks.db.types import JSONDocument, UTCDateTime


class OverviewHour(Base):
    """The overview's figures of one closed UTC hour of an account, counted once: the rows they count are
    never changed afterwards (events, transactions, redemptions and customers are counted by the moment they
    were written), so a view counts only the open hour's rows."""

    __tablename__ = "loyalty_overview_hours"

    account_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[str] = mapped_column(String(13), primary_key=True)  # YYYY-MM-DD HH, UTC
    # What the hour had, zeros left out: {"events": n, "coupons": n, "customers": n, "campaigns": {id: n},
    #  "points": {"ACCUMULATION" | "REDEMPTION" | "EXPIRATION": {reward id: "signed sum"}}}
    figures: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
