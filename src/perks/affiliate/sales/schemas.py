from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field

from perks.affiliate.commissions.schemas import CommissionOut
from perks.affiliate.face import CamelModel, Timestamp
from perks.affiliate.sales.currency import DEFAULT_CURRENCY
from perks.affiliate.tracking.schemas import Address
from perks.affiliate.wire import MAX_MONEY


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


Currency = Annotated[str, BeforeValidator(_upper), Field(pattern="^[A-Z]{3}$")]
InvoiceId = Annotated[str, Field(min_length=1, max_length=255)]
SaleAmount = Annotated[Decimal, Field(gt=0, le=MAX_MONEY, decimal_places=4)]


class SaleIn(CamelModel):
    """A sale of a customer, named by email or by the externalId given at sign-up."""

    email: Address | None = None
    external_id: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    amount: SaleAmount
    currency: Currency = DEFAULT_CURRENCY
    invoice_id: InvoiceId


class RefundIn(CamelModel):
    """Refund `amount` of the invoice's sale (all of what is left when omitted)."""

    invoice_id: InvoiceId
    amount: SaleAmount | None = None


class SaleOut(CamelModel):
    id: str
    invoice_id: str
    workspace_id: str | None
    affiliate_id: str | None
    campaign_id: str | None
    referred_user: str | None
    external_id: str | None
    amount: str
    refunded_amount: str
    currency: str
    commission_id: str | None
    created_at: Timestamp
    updated_at: Timestamp


class TrackedSale(CamelModel):
    sale: SaleOut
    commission: CommissionOut | None


class TrackedRefund(CamelModel):
    sale: SaleOut
    commissions: list[CommissionOut]
