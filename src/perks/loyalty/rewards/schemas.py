from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

RewardType = Literal["POINTS", "DISCOUNT", "GIFT_CARD", "PRODUCT"]


class RewardWrite(BaseModel):
    """POST and PUT body (PUT replaces every field)."""

    brand_id: str | None = Field(default=None, description="The brand of the reward, null if it is global")
    platforms: list[str] | None = Field(default=None, description="Platforms where this reward applies")
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    type: RewardType
    conditions: Any = Field(default_factory=list, description="OR of AND condition groups")
    attributes: dict[str, Any] = Field(default_factory=dict, description="Type-specific settings")


class RewardOut(BaseModel):
    id: str
    brand_id: str | None
    platforms: list[str] | None
    name: str
    description: str | None
    type: RewardType
    conditions: list[list[dict[str, Any]]]
    attributes: dict[str, Any]
