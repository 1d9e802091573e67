from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from perks.affiliate.commissions.models import CommissionStatusValue
from perks.affiliate.face import CamelModel, Timestamp
from perks.affiliate.wire import Email, MoneyIn, MoneyString

Remarks = Annotated[str, Field(max_length=10_000)]
InvoiceId = Annotated[str, Field(max_length=255)]


class CommissionOut(CamelModel):
    id: str
    campaign_id: str
    affiliate_id: str
    workspace_id: str
    referred_user: str
    amount: MoneyString
    admin_earned_amount: MoneyString
    status: str
    commission_date: Timestamp | None
    payout_date: Timestamp | None
    remarks: str | None
    invoice_id: str | None
    sale_id: str | None
    currency: str | None
    due_at: Timestamp | None
    payout_id: str | None
    approved_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp


class CommissionCreate(CamelModel):
    campaign_id: str | None = None
    affiliate_id: str = Field(min_length=1, max_length=36)
    referred_user: Email
    amount: MoneyIn
    admin_earned_amount: MoneyIn = Decimal(0)
    status: CommissionStatusValue = "pending"
    commission_date: datetime | None = None
    payout_date: datetime | None = None
    remarks: Remarks | None = None
    invoice_id: InvoiceId | None = None


class CommissionUpdate(CamelModel):
    """Partial. `status` follows pending → processing → paid, or → refunded from pending/processing."""

    referred_user: Email | None = None
    amount: MoneyIn | None = None
    admin_earned_amount: MoneyIn | None = None
    status: CommissionStatusValue | None = None
    commission_date: datetime | None = None
    payout_date: datetime | None = None
    remarks: Remarks | None = None
    invoice_id: InvoiceId | None = None


NULLABLE_ON_UPDATE = frozenset({"commission_date", "payout_date", "remarks", "invoice_id"})
