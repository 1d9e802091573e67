from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from perks.loyalty.customers.schemas import CustomerWithWallet


class RedeemBody(BaseModel):
    customer_id: str = Field(min_length=1, max_length=255)
    code: str = Field(min_length=1, max_length=64, description="Compared case-insensitively")
    brand_id: str | None = None
    platform: str | None = Field(default=None, max_length=100)
    store_id: str | None = Field(default=None, max_length=255)
    channel_id: str | None = Field(default=None, max_length=255)


class ReverseBody(BaseModel):
    customer_id: str = Field(min_length=1, max_length=255)
    code: str = Field(min_length=1, max_length=64)


class CouponRedeemed(CustomerWithWallet):
    accumulations: list[dict[str, Any]] = Field(description="The wallet lines the coupon added")


class CouponReversed(CustomerWithWallet):
    customer_id: str
    accumulations: list[dict[str, Any]] = Field(default_factory=list)
    redemptions: list[dict[str, Any]] = Field(description="The REVERSAL movements: reward_id, amount < 0")
