from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base
from perks.db.types import UTCDateTime
from perks.kit.money import Amount


class CampaignBudget(Base):
    """What a campaign has given in one budget period. The primary key (account, campaign, period start)
    names the row that one conditional UPDATE consumes, so a budget holds under concurrency. No foreign key
    to the campaign: a deleted campaign's periods are harmless and a grant never waits on its row."""

    __tablename__ = "loyalty_campaign_budgets"

    account_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    spent: Mapped[Decimal] = mapped_column(Amount, default=Decimal(0))
