"""Wire models of customers, wallets and consent (snake_case, as the storefront API writes them)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StrictBool

from perks.kit.money import plain_number

# Points travel as JSON numbers (integers stay integers); they are exact Decimals inside.
Number = Annotated[Decimal, PlainSerializer(plain_number, return_type=int | float)]
Gender = Literal["MALE", "FEMALE"]
CustomerId = Annotated[str, Field(min_length=1, max_length=255)]
PURPOSES = (
    "behavioral_campaigns",
    "coupon_campaigns",
    "punchcard_campaigns",
    "email_marketing",
    "push_notifications",
    "link_tracking",
)


class DeviceInfo(BaseModel):
    model_config = ConfigDict(extra="allow")

    platform: str | None = None
    model: str | None = None
    osVersion: str | None = None


class Device(BaseModel):
    device_token: str = Field(min_length=1, max_length=500)
    device_info: DeviceInfo | None = None
    expires_at: datetime | None = None
    created_at: datetime | None = None


class ConsentIn(BaseModel):
    consent_string: str | None = Field(default=None, max_length=10_000)
    version: str | None = Field(default=None, max_length=20)
    consent_timestamp: datetime | None = None
    purposes: dict[str, StrictBool] | None = None
    vendors: dict[str, StrictBool] | None = None


class ConsentOut(BaseModel):
    consent_string: str | None
    version: str
    consent_timestamp: str | None
    customer_id: str
    purposes: dict[str, bool]
    vendors: dict[str, bool]


class ConsentBody(BaseModel):
    consent: ConsentIn


class ConsentData(BaseModel):
    consent: ConsentOut


class ProfileFields(BaseModel):
    """Fields every write of a customer may carry."""

    name: str | None = Field(default=None, min_length=1, max_length=255)
    gender: Gender | None = None
    dob: date | None = None
    tags: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None


class IdentityFields(ProfileFields):
    email: str | None = Field(default=None, min_length=3, max_length=320)
    document_type: str | None = Field(default=None, min_length=1, max_length=50)
    document_number: str | None = Field(default=None, min_length=1, max_length=50)
    country: str | None = Field(default=None, min_length=1, max_length=100)
    devices: list[Device] | None = None
    consent: ConsentIn | None = None


class CustomerCreate(IdentityFields):
    id: CustomerId
    is_anonymous: bool = False
    platforms: list[str] | None = None
    registration_date: datetime | None = None
    referral_code: str | None = Field(default=None, min_length=1, max_length=64)


class CustomerUpdate(ProfileFields):
    pass


class CustomerIdentify(IdentityFields):
    new_id: CustomerId | None = None
    email_status: str | None = Field(default=None, max_length=32)


class TagsDelete(BaseModel):
    tags: list[str] = Field(min_length=1)


class CustomerOut(BaseModel):
    id: str
    name: str
    email: str | None
    email_status: str | None
    registration_date: datetime
    status: str
    is_anonymous: bool
    gender: str | None
    dob: date | None
    document_type: str | None
    document_number: str | None
    country: str | None
    tier_id: str | None
    referral_code: str | None
    platforms: list[Any]
    devices: list[Any]
    tags: dict[str, Any]
    consent: ConsentOut
    metrics: dict[str, Any]
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class LineOut(BaseModel):
    id: str
    amount: Number
    reward_id: str
    campaign_id: str | None
    brand_id: str | None
    issued_at: datetime
    expiration_date: datetime | None
    reservation_expires_at: datetime | None


class TotalOut(BaseModel):
    total: Number
    reward_id: str
    expiration_date: datetime | None
    # The reward as GET /rewards/{id} shows it (null only if the reward is gone).
    reward: dict[str, Any] | None = None


class WalletOut(BaseModel):
    id: str
    owner_id: str
    lines: list[LineOut]
    totals: list[TotalOut]


class CustomerWithWallet(BaseModel):
    customer: CustomerOut
    wallet: WalletOut


class CustomerPage(BaseModel):
    """A page of GET /customers: `cursor` is what to send as `?cursor=` for the next page (the last
    customer's id), null on the last page."""

    data: list[CustomerOut]
    cursor: str | None
