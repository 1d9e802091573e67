from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from perks.affiliate.commissions.models import CommissionStatusValue
from perks.affiliate.face import CamelModel, Timestamp
from perks.affiliate.wire import Email, MoneyIn, MoneyString

Text = Annotated[str, Field(max_length=10_000)]
Ref = Annotated[str, Field(max_length=255)]


class ReferredUserOut(CamelModel):
    id: str
    referred_to: str
    affiliate_id: str
    workspace_id: str
    campaign_id: str
    amount: MoneyString
    admin_earned_amount: MoneyString
    status: str
    payout_date: Timestamp | None
    name: str | None
    remarks: str | None
    is_self_referral: bool
    invoice_id: str | None
    stripe_customer_id: str | None
    stripe_subscription_id: str | None
    created_at: Timestamp
    updated_at: Timestamp


class ReferredUserCreate(CamelModel):
    referred_to: Email
    affiliate_id: str = Field(min_length=1, max_length=36)
    workspace_id: str | None = None
    campaign_id: str | None = None
    amount: MoneyIn = Decimal(0)
    admin_earned_amount: MoneyIn = Decimal(0)
    status: CommissionStatusValue = "pending"
    payout_date: datetime | None = None
    name: Annotated[str, Field(max_length=200)] | None = None
    remarks: Text | None = None
    is_self_referral: bool = False
    invoice_id: Ref | None = None
    stripe_customer_id: Ref | None = None
    stripe_subscription_id: Ref | None = None


class ReferredUserUpdate(CamelModel):
    """Partial: every field of the create body may change, including the affiliate and campaign."""

    referred_to: Email | None = None
    affiliate_id: str | None = Field(default=None, min_length=1, max_length=36)
    workspace_id: str | None = None
    campaign_id: str | None = None
    amount: MoneyIn | None = None
    admin_earned_amount: MoneyIn | None = None
    status: CommissionStatusValue | None = None
    payout_date: datetime | None = None
    name: Annotated[str, Field(max_length=200)] | None = None
    remarks: Text | None = None
    is_self_referral: bool | None = None
    invoice_id: Ref | None = None
    stripe_customer_id: Ref | None = None
    stripe_subscription_id: Ref | None = None


NULLABLE_ON_UPDATE = frozenset(
    {"payout_date", "name", "remarks", "invoice_id", "stripe_customer_id", "stripe_subscription_id"}
)
