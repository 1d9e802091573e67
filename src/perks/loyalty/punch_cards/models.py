from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin
from perks.db.types import UTCDateTime


class PunchCard(IdMixin, TenantMixin, Base):
    """A customer's card number `number` (1, 2, ...) of a PUNCH_CARDS campaign. Unique per (campaign,
    customer, number), so two events cannot open the same card twice; `punches` only grows through one
    conditional UPDATE that stops at `required`, and `completed_at` is claimed once."""

    __tablename__ = "loyalty_punch_cards"
    __table_args__ = (
        Index(
            "uq_loyalty_punch_cards_card", "account_id", "customer_id", "campaign_id", "number", unique=True
        ),
    )

    campaign_id: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[str] = mapped_column(String(36))  # customers.id
    number: Mapped[int] = mapped_column(Integer)
    punches: Mapped[int] = mapped_column(Integer, default=0)
    required: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
