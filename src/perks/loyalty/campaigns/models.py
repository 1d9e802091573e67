from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from perks.db.base import Base, IdMixin, TenantMixin, TimestampMixin, same_account_reference
from perks.db.types import JSONDocument, UTCDateTime
from perks.kit.money import Amount


class CampaignStatus(StrEnum):
    """What is stored; responses derive the rest (finished, scheduled...) from the dates."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


# The same values as a Literal, for the wire schemas (their OpenAPI lists them inline); a test holds
# the two equal.
CampaignStatusValue = Literal["ACTIVE", "INACTIVE"]


class Campaign(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "loyalty_campaigns"
    __table_args__ = (
        UniqueConstraint("account_id", "id"),
        same_account_reference("brand_id", "loyalty_brands", "RESTRICT"),
        Index("ix_loyalty_campaigns_account_created", "account_id", "created_at"),
        Index("ix_loyalty_campaigns_account_type", "account_id", "type"),
        Index("ix_loyalty_campaigns_account_brand", "account_id", "brand_id"),
    )

    type: Mapped[str] = mapped_column(String(20))
    brand_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    platforms: Mapped[list[Any]] = mapped_column(JSONDocument)
    labels: Mapped[list[Any]] = mapped_column(JSONDocument)
    # ",value1,value2," so that the `labels` filter is a LIKE on one column on both databases.
    label_index: Mapped[str] = mapped_column(Text, default="")
    rules: Mapped[list[Any]] = mapped_column(JSONDocument)
    referee_rules: Mapped[list[Any] | None] = mapped_column(JSONDocument, nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    status: Mapped[str] = mapped_column(String(10))  # a CampaignStatus
    start_date: Mapped[datetime] = mapped_column(UTCDateTime)
    end_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    funded_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    budget: Mapped[Decimal | None] = mapped_column(Amount, nullable=True)
    divide_budget_in: Mapped[str | None] = mapped_column(String(10), nullable=True)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONDocument)
    quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    use_custom_codes: Mapped[bool] = mapped_column(Boolean, default=False)


class CampaignEffect(IdMixin, Base):
    """One row per (campaign, reward, tier) an effect names: the foreign keys make a reward or tier that a
    campaign uses impossible to delete, even under concurrent requests."""

    __tablename__ = "loyalty_campaign_effects"
    __table_args__ = (
        same_account_reference("campaign_id", "loyalty_campaigns", "CASCADE"),
        same_account_reference("reward_id", "loyalty_rewards", "RESTRICT"),
        same_account_reference("tier_id", "loyalty_tiers", "RESTRICT"),
        Index("ix_loyalty_campaign_effects_campaign", "account_id", "campaign_id"),
        Index("ix_loyalty_campaign_effects_reward", "account_id", "reward_id"),
        Index("ix_loyalty_campaign_effects_tier", "account_id", "tier_id"),
    )

    account_id: Mapped[str] = mapped_column(String(36))
    campaign_id: Mapped[str] = mapped_column(String(36))
    reward_id: Mapped[str] = mapped_column(String(36))
    tier_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
