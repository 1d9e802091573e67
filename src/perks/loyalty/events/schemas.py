"""Wire models of behavior events (snake_case, as the storefront API writes them)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from perks.kit.money import MAX_INPUT
from perks.loyalty.customers.schemas import CustomerId, CustomerOut, Number, WalletOut
from perks.loyalty.transactions.schemas import TransactionOut

MAX_RESERVE_DAYS = 365


class RedeemItem(BaseModel):
    id: str = Field(min_length=1, max_length=36, description="The reward id to redeem")
    amount: Decimal = Field(gt=0, le=MAX_INPUT, description="How much of the reward to redeem")


class Priced(BaseModel):
    """Anything of an order that has a value and can carry redemptions (a product, the shipping)."""

    model_config = ConfigDict(extra="allow")

    value: Decimal | None = Field(default=None, ge=0, le=MAX_INPUT)
    discounted_value: Decimal | None = Field(default=None, ge=0, le=MAX_INPUT)
    redeem: list[RedeemItem] | None = None
    tags: list[str] | dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None


class Product(Priced):
    sku: str | None = Field(default=None, max_length=255)
    amount: Decimal | None = Field(default=None, gt=0, le=MAX_INPUT)


class Order(Priced):
    purchase_id: str | None = Field(default=None, min_length=1, max_length=255)
    channel_id: str | None = Field(default=None, max_length=255)
    store_id: str | None = Field(default=None, max_length=255)
    products: list[Product] | None = None
    shipping: Priced | None = None
    payment_method: Literal["CREDIT", "DEBIT"] | None = None


class EventCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    customer_id: CustomerId
    brand_id: str | None = Field(max_length=36, description="Required; null when the event has no brand")
    type: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    platform: str | None = Field(default=None, max_length=100)
    order: Order | None = None
    product: Product | None = None
    fulfilled: bool = True
    reserve: int | None = Field(default=None, ge=1, le=MAX_RESERVE_DAYS)
    redeem: list[RedeemItem] | None = None
    tags: list[str] | dict[str, Any] | None = None
    referral_code: str | None = Field(default=None, min_length=1, max_length=64)
    metadata: dict[str, Any] | None = None
    issued_at: datetime | None = None


class ReverseBody(BaseModel):
    reason: str | None = Field(default=None, max_length=1000)


class PreviewBody(BaseModel):
    customer_id: CustomerId
    brand_id: str | None = Field(default=None, max_length=36)
    order: Order


class EventResult(BaseModel):
    wallet: WalletOut | None = None
    customer: CustomerOut | None = None
    gift_card: list[dict[str, Any]] = []
    accumulations: list[dict[str, Any]] = []
    redemptions: list[dict[str, Any]] = []
    transactions: list[TransactionOut] = []


class EventOut(BaseModel):
    id: str
    customer_id: str
    brand_id: str | None
    type: str
    data: dict[str, Any]
    fulfilled: bool
    reserve: int | None
    queue_message_id: str | None = None
    rewarding_campaigns: list[Any]
    status: str
    result: dict[str, Any]
    reason: str | None
    issued_at: datetime
    processing_at: datetime | None
    resolved_at: datetime | None
    fulfilled_at: datetime | None
    cancelled_at: datetime | None
    expired_at: datetime | None
    reversed_at: datetime | None
    reservation_expires_at: datetime | None


class RedeemedOut(BaseModel):
    id: str
    amount: Number
    reward: dict[str, Any] | None
    error: str | None


class RedemptionsResult(BaseModel):
    redeemed: list[RedeemedOut]
    amount: Number
    discount_value: Number
    discount_percent: Number
    value: Number | None
    action: str = "UPDATE"
