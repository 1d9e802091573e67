from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from perks.affiliate.face import CamelModel, Timestamp
from perks.affiliate.wire import Email


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


PayoutMethod = Annotated[Literal["PAYPAL", "WISE"], BeforeValidator(_upper)]
# The portal's choices: BANK is a bank transfer to `payoutReference` (IBAN, account holder), stored as no
# payout method (the PayPal and Wise mass-payment files leave it out).
PortalPayoutMethod = Annotated[Literal["PAYPAL", "WISE", "BANK"], BeforeValidator(_upper)]
PayoutReference = Annotated[str, Field(min_length=1, max_length=500)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Notes = Annotated[str, Field(max_length=10_000)]
IpAddress = Annotated[str, Field(min_length=1, max_length=64)]


class AffiliateOut(CamelModel):
    id: str
    email: str
    first_name: str
    last_name: str
    notes: str
    status: str
    workspace_id: str
    campaign_id: str
    payout_email: str | None
    payout_method: str | None
    payout_reference: str | None
    ip_address: str | None
    created_at: Timestamp
    updated_at: Timestamp


class AffiliateCreate(CamelModel):
    email: Email
    first_name: Name
    last_name: Name
    notes: Notes = ""
    workspace_id: str | None = None
    campaign_id: str | None = None
    payout_email: Email | None = None
    payout_method: PayoutMethod | None = None
    payout_reference: PayoutReference | None = None
    ip_address: IpAddress | None = None


class AffiliateUpdate(CamelModel):
    """Partial: only the fields sent change; `isActive` switches the status active/inactive."""

    email: Email | None = None
    first_name: Name | None = None
    last_name: Name | None = None
    notes: Notes | None = None
    campaign_id: str | None = None
    payout_email: Email | None = None
    payout_method: PayoutMethod | None = None
    payout_reference: PayoutReference | None = None
    is_active: bool | None = None
    ip_address: IpAddress | None = None


NULLABLE_ON_UPDATE = frozenset({"payout_email", "payout_method", "payout_reference", "ip_address"})


class PayoutDetails(CamelModel):
    """How a partner wants to be paid, as they fill it in on the portal: PayPal or Wise to an email (their
    sign-in email when left blank), or a bank transfer to a reference."""

    payout_method: PortalPayoutMethod
    payout_email: Email | None = None
    payout_reference: PayoutReference | None = None


class JoinRequest(CamelModel):
    """A partner's own sign-up on the portal; `notes` is the campaign's additional information."""

    email: Email
    first_name: Name
    last_name: Name
    notes: Notes = ""
