from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from perks.affiliate.face import CamelModel, Timestamp
from perks.affiliate.payouts.models import PayoutStatusValue


class PayoutOut(CamelModel):
    id: str
    workspace_id: str
    affiliate_id: str
    campaign_id: str
    amount: str
    currency: str
    status: str
    commission_count: int
    paid_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp


class PayoutUpdate(CamelModel):
    """The one move a payout makes by hand: pending → paid."""

    status: Literal["paid"]


class PayoutFilters(BaseModel):
    affiliateId: str | None = None
    workspaceId: str | None = None
    status: PayoutStatusValue | None = None


class ExportQuery(BaseModel):
    format: Literal["csv"] = "csv"
    method: Literal["PAYPAL", "WISE"] = Field(description="PAYPAL or WISE (any case)")
